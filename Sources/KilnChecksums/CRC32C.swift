/// CRC-32C (Castagnoli), reflected, slice-by-8 tables.
public struct CRC32C: Sendable {
    private var crc: UInt32 = 0xFFFF_FFFF

    public init() {}

    public var value: UInt32 { crc ^ 0xFFFF_FFFF }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = crc
        let tables = CRC32C.tables
        var i = 0
        let n = bytes.count
        tables.withUnsafeBufferPointer { t in
            while n - i >= 8 {
                let lo = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                let hi = UInt32(bytes[i + 4]) | UInt32(bytes[i + 5]) << 8 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 24
                let x = c ^ lo
                c = t[7 * 256 + Int(x & 0xFF)] ^ t[6 * 256 + Int((x >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xFF)] ^ t[4 * 256 + Int(x >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        crc = c
    }

    /// 8 tables of 256 entries for the reflected polynomial 0x82F63B78.
    static let tables: [UInt32] = makeSliceTables(polynomial: 0x82F6_3B78)
}

func makeSliceTables(polynomial: UInt32) -> [UInt32] {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for b in 0..<256 {
        var c = UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1 }
        t[b] = c
    }
    for k in 1..<8 {
        for b in 0..<256 {
            let prev = t[(k - 1) * 256 + b]
            t[k * 256 + b] = t[Int(prev & 0xFF)] ^ (prev >> 8)
        }
    }
    return t
}
