/// Decoders of the value encodings into `ValueBuffers`.
enum ValueDecoding {
    /// PLAIN: `n` values of `type` from `buf`; returns the number of bytes consumed.
    @discardableResult
    static func plain(_ buf: UnsafeRawBufferPointer, _ n: Int, _ type: PhysicalType, typeLength: Int,
                      into out: inout ValueBuffers) throws -> Int {
        func need(_ bytes: Int) throws {
            guard bytes <= buf.count else {
                throw ParquetError.corrupt("PLAIN \(type) page needs \(bytes) bytes for \(n) values, has \(buf.count)")
            }
        }
        guard n > 0 else { return 0 }
        let p = buf.baseAddress!
        switch type {
        case .boolean:
            try need((n + 7) / 8)
            out.bools.reserveCapacity(out.bools.count + n)
            for i in 0..<n { out.bools.append((p.load(fromByteOffset: i >> 3, as: UInt8.self) >> UInt8(i & 7)) & 1 == 1) }
            return (n + 7) / 8
        case .int32: try need(n * 4); out.i32.appendRaw(from: p, count: n); return n * 4
        case .int64: try need(n * 8); out.i64.appendRaw(from: p, count: n); return n * 8
        case .float: try need(n * 4); out.f32.appendRaw(from: p, count: n); return n * 4
        case .double: try need(n * 8); out.f64.appendRaw(from: p, count: n); return n * 8
        case .int96:
            try need(n * 12)
            for i in 0..<n {
                out.i96.append(Int96(nanosOfDay: p.loadUnaligned(fromByteOffset: 12 * i, as: UInt64.self),
                                     julianDay: p.loadUnaligned(fromByteOffset: 12 * i + 8, as: UInt32.self)))
            }
            return n * 12
        case .fixedLenByteArray:
            let (total, o) = n.multipliedReportingOverflow(by: typeLength)
            guard !o else { throw ParquetError.corrupt("FIXED_LEN_BYTE_ARRAY size overflow") }
            try need(total)
            out.bytes.data.append(contentsOf: UnsafeRawBufferPointer(start: p, count: total))
            let base = out.bytes.offsets.last!
            out.bytes.offsets.reserveCapacity(out.bytes.offsets.count + n)
            for i in 1...n { out.bytes.offsets.append(base + i * typeLength) }
            return total
        case .byteArray:
            var pos = 0
            out.bytes.offsets.reserveCapacity(out.bytes.offsets.count + n)
            for _ in 0..<n {
                guard buf.count - pos >= 4 else { throw ParquetError.corrupt("PLAIN BYTE_ARRAY length truncated") }
                let len = Int(p.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
                pos += 4
                guard buf.count - pos >= len else {
                    throw ParquetError.corrupt("PLAIN BYTE_ARRAY value of \(len) bytes overruns the page")
                }
                out.bytes.append(UnsafeRawBufferPointer(start: p + pos, count: len))
                pos += len
            }
            return pos
        }
    }

    /// BYTE_STREAM_SPLIT for FLOAT, DOUBLE, INT32, INT64 and FIXED_LEN_BYTE_ARRAY.
    static func byteStreamSplit(_ buf: UnsafeRawBufferPointer, _ n: Int, _ type: PhysicalType, typeLength: Int,
                                into out: inout ValueBuffers) throws {
        let k: Int
        switch type {
        case .float, .int32: k = 4
        case .double, .int64: k = 8
        case .fixedLenByteArray: k = typeLength
        default: throw ParquetError.unsupported("BYTE_STREAM_SPLIT encoding for \(type) columns")
        }
        guard n > 0 else { return }
        let (total, o) = n.multipliedReportingOverflow(by: k)
        guard !o, buf.count >= total else { throw ParquetError.corrupt("BYTE_STREAM_SPLIT page shorter than \(n) values") }
        // The streams span the whole page body: stream j starts at j * (count / k).
        let stride = buf.count / k
        guard stride >= n else { throw ParquetError.corrupt("BYTE_STREAM_SPLIT streams shorter than \(n) values") }
        let src = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let joined = [UInt8](unsafeUninitializedCapacity: total) { d, c in
            for i in 0..<n {
                for j in 0..<k { d[i * k + j] = src[j * stride + i] }
            }
            c = total
        }
        try joined.withUnsafeBytes { _ = try plain($0, n, type, typeLength: typeLength, into: &out) }
    }

    /// DELTA_BINARY_PACKED into Int64 values; returns the values and the bytes consumed.
    static func deltaBinaryPacked(_ buf: UnsafeRawBufferPointer, maxValues: Int) throws -> (values: [Int64], consumed: Int) {
        var pos = 0
        let p = buf.baseAddress?.assumingMemoryBound(to: UInt8.self)
        func uvarint() throws -> UInt64 {
            var r: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard pos < buf.count, let p else { throw ParquetError.corrupt("DELTA_BINARY_PACKED header truncated") }
                let b = p[pos]
                pos += 1
                guard shift < 64 else { throw ParquetError.corrupt("DELTA_BINARY_PACKED varint too long") }
                r |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return r }
                shift += 7
            }
        }
        func zigzag() throws -> Int64 { let v = try uvarint(); return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
        let blockSize = try uvarint()
        let miniblocks = try uvarint()
        let total = try uvarint()
        var last = try zigzag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0 else {
            throw ParquetError.corrupt("DELTA_BINARY_PACKED block size \(blockSize) / \(miniblocks) miniblocks invalid")
        }
        guard total <= UInt64(maxValues) else {
            throw ParquetError.corrupt("DELTA_BINARY_PACKED declares \(total) values, page has room for \(maxValues)")
        }
        let n = Int(total)
        let perMini = Int(blockSize / miniblocks)
        var values = [Int64]()
        values.reserveCapacity(n)
        if n == 0 { return (values, pos) }
        values.append(last)
        while values.count < n {
            let minDelta = try zigzag()
            guard buf.count - pos >= Int(miniblocks) else { throw ParquetError.corrupt("DELTA_BINARY_PACKED bit widths truncated") }
            let widthsAt = pos
            pos += Int(miniblocks)
            for m in 0..<Int(miniblocks) {
                if values.count >= n { break }
                let w = Int(p![widthsAt + m])
                guard w <= 64 else { throw ParquetError.corrupt("DELTA_BINARY_PACKED bit width \(w) > 64") }
                let bytes = perMini * w / 8
                let take = min(perMini, n - values.count)
                // The last miniblock may be cut short by some writers; require only the bits needed.
                let needBytes = min(bytes, (take * w + 7) / 8)
                guard buf.count - pos >= needBytes else { throw ParquetError.corrupt("DELTA_BINARY_PACKED miniblock truncated") }
                let mb = p! + pos
                for i in 0..<take {
                    var v: UInt64 = 0
                    if w > 0 {
                        let bit = i * w
                        var got = 0
                        var byte = bit >> 3
                        var shift = bit & 7
                        while got < w {
                            let take = min(8 - shift, w - got)
                            let bits = (UInt64(mb[byte]) >> UInt64(shift)) & ((1 << UInt64(take)) - 1)
                            v |= bits << UInt64(got)
                            got += take
                            byte += 1
                            shift = 0
                        }
                    }
                    last = last &+ minDelta &+ Int64(bitPattern: v)
                    values.append(last)
                }
                pos += min(bytes, buf.count - pos)
            }
        }
        return (values, pos)
    }

    /// DELTA_LENGTH_BYTE_ARRAY.
    static func deltaLengthByteArray(_ buf: UnsafeRawBufferPointer, _ n: Int, into out: inout ByteArrays) throws -> Int {
        let (lengths, used) = try deltaBinaryPacked(buf, maxValues: max(n, 0))
        guard lengths.count == n else { throw ParquetError.corrupt("DELTA_LENGTH_BYTE_ARRAY has \(lengths.count) lengths for \(n) values") }
        var pos = used
        for len in lengths {
            guard len >= 0, Int64(buf.count - pos) >= len else { throw ParquetError.corrupt("DELTA_LENGTH_BYTE_ARRAY value overruns the page") }
            out.append(UnsafeRawBufferPointer(rebasing: buf[pos..<(pos + Int(len))]))
            pos += Int(len)
        }
        return pos
    }

    /// DELTA_BYTE_ARRAY (incremental / front coding).
    static func deltaByteArray(_ buf: UnsafeRawBufferPointer, _ n: Int, into out: inout ByteArrays) throws {
        let (prefixes, used) = try deltaBinaryPacked(buf, maxValues: max(n, 0))
        guard prefixes.count == n else { throw ParquetError.corrupt("DELTA_BYTE_ARRAY has \(prefixes.count) prefixes for \(n) values") }
        var suffixes = ByteArrays()
        _ = try deltaLengthByteArray(UnsafeRawBufferPointer(rebasing: buf[used...]), n, into: &suffixes)
        var previous: [UInt8] = []
        for i in 0..<n {
            let pre = prefixes[i]
            guard pre >= 0, pre <= Int64(previous.count) else { throw ParquetError.corrupt("DELTA_BYTE_ARRAY prefix \(pre) longer than the previous value") }
            var v = Array(previous[0..<Int(pre)])
            v.append(contentsOf: suffixes[i])
            out.append(v)
            previous = v
        }
    }
}
