/// The RLE / bit-packed hybrid encoding (levels, dictionary indices, RLE booleans).
struct RLEHybridDecoder {
    let base: UnsafePointer<UInt8>?
    let count: Int
    var pos = 0
    let bitWidth: Int
    // Current run.
    private var rleLeft = 0
    private var rleValue: UInt32 = 0
    private var packedLeft = 0
    private var packedBitPos = 0  // bit position in bytes of the current packed run
    private var packedStart = 0
    private var packedBytes = 0  // bytes of the current packed run present in the buffer

    init(_ buf: UnsafeRawBufferPointer, bitWidth: Int) throws {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw ParquetError.corrupt("RLE bit width \(bitWidth) out of range 0...32") }
        base = buf.baseAddress?.assumingMemoryBound(to: UInt8.self)
        count = buf.count
        self.bitWidth = bitWidth
    }

    private mutating func varint() throws -> UInt64 {
        var r: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard pos < count, let b = base?[pos] else { throw ParquetError.corrupt("RLE run header truncated") }
            pos += 1
            guard shift < 64 else { throw ParquetError.corrupt("RLE run header varint too long") }
            r |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return r }
            shift += 7
        }
    }

    private mutating func nextRun() throws {
        let h = try varint()
        if h & 1 == 1 {
            let groups = h >> 1
            let bytes = groups &* UInt64(bitWidth)
            guard groups <= UInt64(Int32.max), bytes <= UInt64(count - pos) else {
                // Writers may end the last bit-packed run early: take the bytes that are there.
                let avail = count - pos
                guard bitWidth > 0 else { packedLeft = Int(min(groups, 1 << 28)) * 8; packedStart = pos; packedBitPos = 0; return }
                packedLeft = avail * 8 / bitWidth
                guard packedLeft > 0 else { throw ParquetError.corrupt("RLE bit-packed run truncated") }
                packedStart = pos
                packedBytes = avail
                packedBitPos = 0
                pos = count
                return
            }
            packedLeft = Int(groups) * 8
            packedStart = pos
            packedBytes = Int(bytes)
            packedBitPos = 0
            pos += Int(bytes)
            if packedLeft == 0 { try nextRun() }
        } else {
            let n = h >> 1
            guard n <= UInt64(Int32.max) else { throw ParquetError.corrupt("RLE run of \(n) values too long") }
            let w = (bitWidth + 7) / 8
            guard count - pos >= w, let b = base else { throw ParquetError.corrupt("RLE run value truncated") }
            var v: UInt32 = 0
            for k in 0..<w { v |= UInt32(b[pos + k]) << (8 * UInt32(k)) }
            pos += w
            rleLeft = Int(n)
            rleValue = v
        }
    }

    /// Decodes exactly `n` values into `out`, calling `check` on nothing: callers validate ranges.
    mutating func decode<T: FixedWidthInteger>(into out: UnsafeMutablePointer<T>, _ n: Int) throws {
        var i = 0
        let mask: UInt64 = bitWidth == 64 ? ~0 : (1 << UInt64(bitWidth)) - 1
        while i < n {
            if rleLeft > 0 {
                let k = min(rleLeft, n - i)
                (out + i).update(repeating: T(truncatingIfNeeded: rleValue), count: k)
                rleLeft -= k
                i += k
            } else if packedLeft > 0 {
                let k = min(packedLeft, n - i)
                if bitWidth == 0 {
                    (out + i).update(repeating: 0, count: k)
                } else {
                    let p = base! + packedStart
                    var bitPos = packedBitPos
                    // Bytes of this run that can be read 8 at a time without passing its end.
                    let fastEnd = (packedBytes - 8) * 8  // values ending below this bit allow a full 8-byte load
                    let raw = UnsafeRawPointer(p)
                    var j = 0
                    while j < k && bitPos + bitWidth <= fastEnd {
                        // bitWidth ≤ 32 and shift ≤ 7: the value lies in one 8-byte load.
                        let acc = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: bitPos >> 3, as: UInt64.self))
                        out[i + j] = T(truncatingIfNeeded: (acc >> UInt64(bitPos & 7)) & mask)
                        bitPos += bitWidth
                        j += 1
                    }
                    while j < k {
                        let byte = bitPos >> 3
                        let shift = UInt64(bitPos & 7)
                        var acc: UInt64 = 0
                        let need = (Int(shift) + bitWidth + 7) >> 3
                        for q in 0..<need { acc |= UInt64(p[byte + q]) << (8 * UInt64(q)) }
                        out[i + j] = T(truncatingIfNeeded: (acc >> shift) & mask)
                        bitPos += bitWidth
                        j += 1
                    }
                    packedBitPos = bitPos
                }
                packedLeft -= k
                i += k
            } else {
                try nextRun()
            }
        }
    }

    /// Decodes `n` values into a new array.
    mutating func decode<T: FixedWidthInteger>(_ n: Int, as: T.Type = T.self) throws -> [T] {
        try [T](unsafeUninitializedCapacity: n) { buf, c in
            c = 0
            if n > 0 { try decode(into: buf.baseAddress!, n) }
            c = n
        }
    }
}

/// Encoder of the RLE / bit-packed hybrid (used by the writer for levels and dictionary indices).
enum RLEHybridEncoder {
    static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into out: inout [UInt8]) {
        let n = values.count
        func varint(_ v: Int) {
            var v = UInt64(v)
            while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        func runLength(_ i: Int) -> Int {
            var j = i + 1
            while j < n && values[j] == values[i] { j += 1 }
            return j - i
        }
        let w = (bitWidth + 7) / 8
        var i = 0
        while i < n {
            let r = runLength(i)
            if r >= 8 {
                varint(r << 1)
                for k in 0..<w { out.append(UInt8((values[i] >> (8 * UInt32(k))) & 0xFF)) }
                i += r
                continue
            }
            let header = out.count
            out.append(0)
            var groups = 0
            while i < n && groups < 63 {
                var acc: UInt64 = 0, bits = 0
                for k in 0..<8 {
                    let v = i + k < n ? UInt64(values[i + k]) : 0
                    acc |= v << UInt64(bits)
                    bits += bitWidth
                    while bits >= 8 { out.append(UInt8(acc & 0xFF)); acc >>= 8; bits -= 8 }
                }
                if bits > 0 { out.append(UInt8(acc & 0xFF)) }
                i += 8
                groups += 1
                if i < n && runLength(i) >= 8 { break }
            }
            out[header] = UInt8(groups << 1 | 1)
        }
    }
}
