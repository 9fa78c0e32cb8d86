/// Snappy raw-block compression (the format Parquet uses: no framing), pure Swift.
enum Snappy {
    /// The uncompressed length declared in the block's preamble.
    static func uncompressedLength(_ src: UnsafeRawBufferPointer) throws -> (length: Int, headerBytes: Int) {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = 0
        while true {
            guard i < src.count, i < 5 else { throw ParquetError.corrupt("Snappy preamble truncated or too long") }
            let b = src[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard result <= UInt64(UInt32.max) else { throw ParquetError.corrupt("Snappy length \(result) too large") }
        return (Int(result), i)
    }

    /// Decompresses `src` into `dst`, which must be exactly the declared length.
    static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        let (length, header) = try uncompressedLength(src)
        guard length == dst.count else {
            throw ParquetError.corrupt("Snappy block declares \(length) bytes, page header says \(dst.count)")
        }
        guard length > 0 else { return }
        guard let sBase = src.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let dBase = dst.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var ip = header
        let iEnd = src.count
        var op = 0
        let oEnd = length
        while ip < iEnd {
            let tag = sBase[ip]
            ip += 1
            switch tag & 3 {
            case 0:
                var len = Int(tag >> 2)
                if len >= 60 {
                    let extra = len - 59
                    guard iEnd - ip >= extra else { throw ParquetError.corrupt("Snappy literal length truncated") }
                    len = 0
                    for k in 0..<extra { len |= Int(sBase[ip + k]) << (8 * k) }
                    ip += extra
                }
                len += 1
                guard iEnd - ip >= len, oEnd - op >= len else { throw ParquetError.corrupt("Snappy literal overruns its block") }
                (dBase + op).update(from: sBase + ip, count: len)
                ip += len
                op += len
                continue
            case 1:
                guard ip < iEnd else { throw ParquetError.corrupt("Snappy copy truncated") }
                let len = 4 + Int((tag >> 2) & 7)
                let offset = Int(tag >> 5) << 8 | Int(sBase[ip])
                ip += 1
                try copy(dBase, &op, oEnd, offset, len)
            case 2:
                guard iEnd - ip >= 2 else { throw ParquetError.corrupt("Snappy copy truncated") }
                let len = Int(tag >> 2) + 1
                let offset = Int(sBase[ip]) | Int(sBase[ip + 1]) << 8
                ip += 2
                try copy(dBase, &op, oEnd, offset, len)
            default:
                guard iEnd - ip >= 4 else { throw ParquetError.corrupt("Snappy copy truncated") }
                let len = Int(tag >> 2) + 1
                let offset = Int(sBase[ip]) | Int(sBase[ip + 1]) << 8 | Int(sBase[ip + 2]) << 16 | Int(sBase[ip + 3]) << 24
                ip += 4
                try copy(dBase, &op, oEnd, offset, len)
            }
        }
        guard op == oEnd else { throw ParquetError.corrupt("Snappy block produced \(op) of \(oEnd) bytes") }
    }

    @inline(__always)
    private static func copy(_ d: UnsafeMutablePointer<UInt8>, _ op: inout Int, _ oEnd: Int, _ offset: Int, _ len: Int) throws {
        guard offset > 0, offset <= op, oEnd - op >= len else { throw ParquetError.corrupt("Snappy copy out of range") }
        let src = d + (op - offset)
        let dst = d + op
        if offset >= len {
            dst.update(from: src, count: len)
        } else if offset >= 8 {
            var k = 0
            while k < len {
                let n = Swift.min(offset, len - k)
                (dst + k).update(from: src + k, count: n)
                k += n
            }
        } else {
            for k in 0..<len { dst[k] = src[k] }
        }
        op += len
    }

    /// Compresses `src` into a new Snappy block.
    static func compress(_ src: UnsafeRawBufferPointer) -> [UInt8] {
        let n = src.count
        let bound = 32 + n + n / 6
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBufferPointer { o -> Int in
            let d = o.baseAddress!
            var op = 0
            var v = UInt64(n)
            while v >= 0x80 { d[op] = UInt8(v & 0x7F) | 0x80; op += 1; v >>= 7 }
            d[op] = UInt8(v); op += 1
            guard n > 0, let s = src.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return op }
            var table = [UInt16](repeating: 0, count: 1 << 14)
            table.withUnsafeMutableBufferPointer { tb in
                let t = tb.baseAddress!
                var blockStart = 0
                while blockStart < n {
                    let blockEnd = Swift.min(n, blockStart + 65536)
                    op = compressBlock(s + blockStart, blockEnd - blockStart, d, op, t)
                    blockStart = blockEnd
                }
            }
            return op
        }
        out.removeSubrange(written...)
        return out
    }

    @inline(__always)
    private static func load32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)
    }

    @inline(__always)
    private static func hash(_ v: UInt32) -> Int { Int((v &* 0x1E35_A7BD) >> 18) }

    private static func emitLiteral(_ d: UnsafeMutablePointer<UInt8>, _ op: inout Int, _ s: UnsafePointer<UInt8>, _ len: Int) {
        let n = len - 1
        if n < 60 {
            d[op] = UInt8(n << 2); op += 1
        } else if n < 256 {
            d[op] = 60 << 2; d[op + 1] = UInt8(n); op += 2
        } else if n < 65536 {
            d[op] = 61 << 2; d[op + 1] = UInt8(n & 0xFF); d[op + 2] = UInt8(n >> 8); op += 3
        } else {
            d[op] = 62 << 2; d[op + 1] = UInt8(n & 0xFF); d[op + 2] = UInt8((n >> 8) & 0xFF); d[op + 3] = UInt8(n >> 16); op += 4
        }
        (d + op).update(from: s, count: len)
        op += len
    }

    private static func emitCopy(_ d: UnsafeMutablePointer<UInt8>, _ op: inout Int, _ offset: Int, _ len: Int) {
        var len = len
        while len > 0 {
            if len < 12 && len >= 4 && offset < 2048 {
                d[op] = UInt8(1 | ((len - 4) << 2) | ((offset >> 8) << 5)); d[op + 1] = UInt8(offset & 0xFF); op += 2
                return
            }
            var l = Swift.min(len, 64)
            if len - l > 0 && len - l < 4 { l = len - 4 }  // leave at least 4 for the last piece
            d[op] = UInt8(2 | ((l - 1) << 2)); d[op + 1] = UInt8(offset & 0xFF); d[op + 2] = UInt8(offset >> 8); op += 3
            len -= l
        }
    }

    private static func compressBlock(_ s: UnsafePointer<UInt8>, _ n: Int, _ d: UnsafeMutablePointer<UInt8>, _ op0: Int,
                                      _ table: UnsafeMutablePointer<UInt16>) -> Int {
        var op = op0
        if n < 16 {
            emitLiteral(d, &op, s, n)
            return op
        }
        table.update(repeating: 0, count: 1 << 14)
        var ip = 1
        var nextEmit = 0
        let limit = n - 15
        while ip < limit {
            var skip = 32
            var candidate = 0
            var found = false
            var next = ip
            while true {
                ip = next
                next = ip + (skip >> 5)
                skip += 1
                if next > limit { break }
                let cur = load32(s + ip)
                let h = hash(cur)
                candidate = Int(table[h])
                table[h] = UInt16(ip)
                if load32(s + candidate) == cur && candidate < ip { found = true; break }
            }
            if !found { break }
            if ip > nextEmit { emitLiteral(d, &op, s + nextEmit, ip - nextEmit) }
            // Extend the match.
            while true {
                var len = 4
                while ip + len < n && s[candidate + len] == s[ip + len] { len += 1 }
                emitCopy(d, &op, ip - candidate, len)
                ip += len
                nextEmit = ip
                if ip >= limit { break }
                table[hash(load32(s + ip - 1))] = UInt16(ip - 1)
                let cur = load32(s + ip)
                let h = hash(cur)
                candidate = Int(table[h])
                table[h] = UInt16(ip)
                if !(load32(s + candidate) == cur && candidate < ip) { ip += 1; break }
            }
        }
        if nextEmit < n { emitLiteral(d, &op, s + nextEmit, n - nextEmit) }
        return op
    }
}
