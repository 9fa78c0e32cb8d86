import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on the data folder, held for the life of the process.
enum DataDirectoryLock {
    static func acquire(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ConfigurationError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ConfigurationError("another kiln is already serving this data folder (\(path) is locked)")
        }
        // The descriptor stays open on purpose: the lock lasts until the process exits.
    }
}
