import Crypto
import Foundation

/// The `x-amz-checksum-*` algorithms S3 accepts, with their header names and digest sizes.
public enum ChecksumAlgorithm: String, CaseIterable, Sendable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case crc64nvme = "CRC64NVME"
    case sha1 = "SHA1"
    case sha256 = "SHA256"

    /// The lower-case header that carries this checksum, e.g. `x-amz-checksum-crc32`.
    public var headerName: String { "x-amz-checksum-\(rawValue.lowercased())" }

    /// The XML element / JSON member name S3 uses, e.g. `ChecksumCRC32`.
    public var memberName: String { "Checksum\(rawValue)" }

    /// Parses a header name such as `x-amz-checksum-crc32c` (any case).
    public init?(headerName: String) {
        let prefix = "x-amz-checksum-"
        let lower = headerName.lowercased()
        guard lower.hasPrefix(prefix) else { return nil }
        self.init(rawValue: String(lower.dropFirst(prefix.count)).uppercased())
    }

    /// Size of the raw digest in bytes.
    public var digestSize: Int {
        switch self {
        case .crc32, .crc32c: 4
        case .crc64nvme: 8
        case .sha1: 20
        case .sha256: 32
        }
    }

    public func makeHasher() -> StreamingChecksum {
        switch self {
        case .crc32: StreamingChecksum(.crc32(CRC32()))
        case .crc32c: StreamingChecksum(.crc32c(CRC32C()))
        case .crc64nvme: StreamingChecksum(.crc64(CRC64NVME()))
        case .sha1: StreamingChecksum(.sha1(Insecure.SHA1()))
        case .sha256: StreamingChecksum(.sha256(SHA256()))
        }
    }
}

/// One running checksum of any supported algorithm.
public struct StreamingChecksum: Sendable {
    enum State: Sendable {
        case crc32(CRC32)
        case crc32c(CRC32C)
        case crc64(CRC64NVME)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
    }
    var state: State

    init(_ state: State) { self.state = state }

    public var algorithm: ChecksumAlgorithm {
        switch state {
        case .crc32: .crc32
        case .crc32c: .crc32c
        case .crc64: .crc64nvme
        case .sha1: .sha1
        case .sha256: .sha256
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .crc32(var c): c.update(bytes); state = .crc32(c)
        case .crc32c(var c): c.update(bytes); state = .crc32c(c)
        case .crc64(var c): c.update(bytes); state = .crc64(c)
        case .sha1(var h): h.update(bufferPointer: bytes); state = .sha1(h)
        case .sha256(var h): h.update(bufferPointer: bytes); state = .sha256(h)
        }
    }

    public mutating func update<D: DataProtocol>(_ data: D) {
        for region in data.regions { region.withUnsafeBytes { update($0) } }
    }

    /// The digest bytes, big-endian for the CRCs, as S3 encodes them before base64.
    public func finalize() -> [UInt8] {
        switch state {
        case .crc32(let c): return bigEndianBytes(UInt64(c.value), count: 4)
        case .crc32c(let c): return bigEndianBytes(UInt64(c.value), count: 4)
        case .crc64(let c): return bigEndianBytes(c.value, count: 8)
        case .sha1(let h): return Array(h.finalize())
        case .sha256(let h): return Array(h.finalize())
        }
    }

    /// The base64 form used in `x-amz-checksum-*` headers.
    public func finalizeBase64() -> String { Data(finalize()).base64EncodedString() }
}

func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (UInt64(count - 1 - $0) * 8)) }
}
