import CZlib
import CZstd

/// Decompression and compression of page bodies for the codecs this module implements:
/// UNCOMPRESSED, SNAPPY (pure Swift), GZIP (zlib) and ZSTD (libzstd).
enum Codec {
    static func supports(_ codec: CompressionCodec) -> Bool {
        switch codec {
        case .uncompressed, .snappy, .gzip, .zstd: return true
        default: return false
        }
    }

    /// Decompresses `src` into exactly `uncompressedSize` bytes.
    static func decompress(_ codec: CompressionCodec, _ src: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        guard uncompressedSize >= 0 else { throw ParquetError.corrupt("negative uncompressed page size") }
        switch codec {
        case .uncompressed:
            guard src.count == uncompressedSize else {
                throw ParquetError.corrupt("uncompressed page of \(src.count) bytes declares \(uncompressedSize)")
            }
            return Array(src)
        case .snappy:
            return try [UInt8](unsafeUninitializedCapacity: uncompressedSize) { buf, n in
                try Snappy.decompress(src, into: UnsafeMutableRawBufferPointer(buf))
                n = uncompressedSize
            }
        case .gzip:
            return try inflate(src, uncompressedSize)
        case .zstd:
            return try [UInt8](unsafeUninitializedCapacity: uncompressedSize) { buf, n in
                n = 0
                let r = ZSTD_decompress(buf.baseAddress, uncompressedSize, src.baseAddress, src.count)
                if ZSTD_isError(r) != 0 {
                    throw ParquetError.corrupt("ZSTD: \(String(cString: ZSTD_getErrorName(r)))")
                }
                guard r == uncompressedSize else {
                    throw ParquetError.corrupt("ZSTD page produced \(r) bytes, header says \(uncompressedSize)")
                }
                n = r
            }
        default:
            throw ParquetError.unsupported("compression codec \(codec) (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)")
        }
    }

    private static func inflate(_ src: UnsafeRawBufferPointer, _ size: Int) throws -> [UInt8] {
        guard src.count > 0 else { throw ParquetError.corrupt("empty GZIP page") }
        var out = [UInt8](repeating: 0, count: size + 1)
        var strm = z_stream()
        guard inflateInit2_(&strm, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError.io("zlib inflateInit failed")
        }
        defer { inflateEnd(&strm) }
        var produced = 0
        var consumed = 0
        try out.withUnsafeMutableBytes { o in
            let inBase = UnsafeMutablePointer(mutating: src.baseAddress!.assumingMemoryBound(to: UInt8.self))
            let outBase = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
            // A page may hold several concatenated gzip members; inflate each.
            while true {
                strm.next_in = inBase + consumed
                strm.avail_in = UInt32(src.count - consumed)
                strm.next_out = outBase + produced
                strm.avail_out = UInt32(size + 1 - produced)
                let inBefore = strm.total_in, outBefore = strm.total_out
                let status = CZlib.inflate(&strm, Z_NO_FLUSH)
                produced += Int(strm.total_out - outBefore)
                consumed += Int(strm.total_in - inBefore)
                if produced > size { throw ParquetError.corrupt("GZIP page inflates past its declared \(size) bytes") }
                if status == Z_STREAM_END {
                    if consumed < src.count && produced < size { inflateReset(&strm); continue }
                    return
                }
                if status != Z_OK && status != Z_BUF_ERROR { throw ParquetError.corrupt("GZIP data error (zlib status \(status))") }
                if strm.total_in == inBefore && strm.total_out == outBefore {
                    throw ParquetError.corrupt("GZIP page truncated after \(produced) of \(size) bytes")
                }
            }
        }
        guard produced == size else { throw ParquetError.corrupt("GZIP page produced \(produced) bytes, header says \(size)") }
        out.removeLast()
        return out
    }

    /// Compresses a page body.
    static func compress(_ codec: CompressionCodec, _ src: UnsafeRawBufferPointer, level: Int32? = nil) throws -> [UInt8] {
        switch codec {
        case .uncompressed: return Array(src)
        case .snappy: return Snappy.compress(src)
        case .gzip: return try deflate(src, level: level ?? 6)
        case .zstd:
            let bound = ZSTD_compressBound(src.count)
            return try [UInt8](unsafeUninitializedCapacity: bound) { buf, n in
                let r = ZSTD_compress(buf.baseAddress, bound, src.baseAddress, src.count, level ?? 1)
                if ZSTD_isError(r) != 0 { throw ParquetError.io("ZSTD: \(String(cString: ZSTD_getErrorName(r)))") }
                n = r
            }
        default:
            throw ParquetError.unsupported("compression codec \(codec) for writing (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)")
        }
    }

    private static func deflate(_ src: UnsafeRawBufferPointer, level: Int32) throws -> [UInt8] {
        var strm = z_stream()
        guard deflateInit2_(&strm, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                             Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError.io("zlib deflateInit failed")
        }
        defer { deflateEnd(&strm) }
        let bound = Int(deflateBound(&strm, UInt(src.count))) + 32
        var out = [UInt8](repeating: 0, count: bound)
        var emptyByte: UInt8 = 0
        let n = try out.withUnsafeMutableBytes { o -> Int in
            strm.next_in = src.count > 0
                ? UnsafeMutablePointer(mutating: src.baseAddress!.assumingMemoryBound(to: UInt8.self))
                : withUnsafeMutablePointer(to: &emptyByte) { $0 }
            strm.avail_in = UInt32(src.count)
            strm.next_out = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
            strm.avail_out = UInt32(bound)
            guard CZlib.deflate(&strm, Z_FINISH) == Z_STREAM_END else { throw ParquetError.io("zlib deflate did not finish") }
            return Int(strm.total_out)
        }
        out.removeSubrange(n...)
        return out
    }
}
