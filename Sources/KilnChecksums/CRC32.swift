import CZlib

/// CRC-32 (ISO-HDLC, the zip/gzip polynomial) computed by zlib, which is SIMD-accelerated.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var crc = UInt(value)
        var offset = 0
        // zlib takes a 32-bit length; feed it in slices of at most 1 GiB.
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            crc = crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), UInt32(n))
            offset += n
        }
        value = UInt32(truncatingIfNeeded: crc)
    }
}
