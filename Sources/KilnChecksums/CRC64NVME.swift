/// CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones.
public struct CRC64NVME: Sendable {
    private var crc: UInt64 = ~0

    public init() {}

    public var value: UInt64 { ~crc }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = crc
        CRC64NVME.table.withUnsafeBufferPointer { t in
            for byte in bytes {
                c = t[Int((c ^ UInt64(byte)) & 0xFF)] ^ (c >> 8)
            }
        }
        crc = c
    }

    static let table: [UInt64] = (0..<256).map { b in
        var c = UInt64(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x9A6C_9329_AC4B_C9B5 : c >> 1 }
        return c
    }
}
