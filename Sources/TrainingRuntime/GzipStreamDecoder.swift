import CZlib

/// Inflates gzip data as it streams (concatenated gzip members too, as `gzip -c a b` writes).
public final class GzipStreamDecoder {
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 1 << 16)
    private var ended = false

    public init() throws {
        // windowBits 15 + 16: gzip wrapper only.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TarError("inflateInit2 failed")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Feeds compressed bytes; `emit` receives decompressed slices.
    public func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        while stream.avail_in > 0 {
            if ended {
                // Another gzip member follows.
                inflateReset(&stream)
                ended = false
            }
            let (status, produced) = out.withUnsafeMutableBytes { buf -> (Int32, Int) in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                return (status, buf.count - Int(stream.avail_out))
            }
            if produced > 0 { try out.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            switch status {
            case Z_STREAM_END: ended = true
            case Z_OK: continue
            case Z_BUF_ERROR where produced > 0: continue
            default: throw TarError("the data is not valid gzip (zlib status \(status))")
            }
        }
    }

    /// Throws if the input stopped inside a gzip member.
    public func finish() throws {
        guard ended || stream.total_in == 0 else { throw TarError("the gzip data is truncated") }
    }
}
