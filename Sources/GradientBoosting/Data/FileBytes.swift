#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into memory with plain POSIX reads.
public func readFileBytes(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    if fd < 0 { throw DataError(file: path, line: 0, message: "cannot open file (errno \(errno))") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw DataError(file: path, line: 0, message: "cannot stat file") }
    let size = Int(st.st_size)
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    try bytes.withUnsafeMutableBytes { buf in
        while done < size {
            let n = read(fd, buf.baseAddress! + done, size - done)
            if n < 0 { throw DataError(file: path, line: 0, message: "read failed (errno \(errno))") }
            if n == 0 { break }
            done += n
        }
    }
    if done < size { bytes.removeLast(size - done) }
    return bytes
}
