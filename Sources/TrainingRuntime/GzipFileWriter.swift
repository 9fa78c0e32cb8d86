import CZlib
import Foundation

/// Writes a gzip file (zlib deflate with a gzip wrapper) as bytes stream in.
final class GzipFileWriter {
    private var stream = z_stream()
    private let handle: FileHandle
    private var out = [UInt8](repeating: 0, count: 1 << 16)

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw TarError("cannot create \(path)") }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        // windowBits 15 + 16 selects the gzip wrapper.
        let status = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw TarError("deflateInit2 failed (\(status))") }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    func finish() throws {
        stream.next_in = nil
        stream.avail_in = 0
        try pump(flush: Z_FINISH)
        deflateEnd(&stream)
        try handle.synchronize()
        try handle.close()
    }

    private func pump(flush: Int32) throws {
        repeat {
            let produced: Int = try out.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let status = deflate(&stream, flush)
                guard status != Z_STREAM_ERROR else { throw TarError("deflate failed") }
                return buf.count - Int(stream.avail_out)
            }
            if produced > 0 { try handle.write(contentsOf: out[0..<produced]) }
        } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
    }
}
