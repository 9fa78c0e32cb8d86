#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random-access bytes a reader reads from: a file (read with `pread`, so only the needed chunks are in memory)
/// or a byte array.
public protocol ByteSource: Sendable {
    var size: Int { get }
    /// Reads `count` bytes at `offset`; throws if the range is outside the source.
    func read(offset: Int, count: Int) throws -> [UInt8]
}

/// Bytes held in memory.
public struct MemorySource: ByteSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: Int { bytes.count }
    public func read(offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else {
            throw ParquetError.corrupt("range \(offset)+\(count) outside the \(bytes.count)-byte input")
        }
        return Array(bytes[offset..<(offset + count)])
    }
}

/// A file on disk, read with positional reads (safe from several threads).
public final class FileSource: ByteSource {
    private let fd: Int32
    public let size: Int
    public let path: String

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ParquetError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw ParquetError.io("cannot stat \(path)")
        }
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    public func read(offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size - count else {
            throw ParquetError.corrupt("range \(offset)+\(count) outside the \(size)-byte file \(path)")
        }
        return try [UInt8](unsafeUninitializedCapacity: count) { buf, n in
            n = 0
            var done = 0
            while done < count {
                let r = pread(fd, buf.baseAddress! + done, count - done, off_t(offset + done))
                if r < 0 && errno == EINTR { continue }
                guard r > 0 else { throw ParquetError.io("read of \(path) failed at \(offset + done)") }
                done += r
            }
            n = count
        }
    }
}
