/// RecordIO framing (dmlc-core / MXNet): `magic | lrec | payload | pad to 4`, little-endian,
/// `lrec = cflag << 29 | length`; cflag 1/2/3 are the first/middle/last fragments of a payload that
/// contained the magic at an aligned offset (the magic is re-inserted between fragments).
public enum RecordIOFraming {
    public static let magic: UInt32 = 0xCED7_230A
    static let magicBytes: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE]
    /// Payloads must be shorter than 2^29 bytes.
    public static let maxLength = (1 << 29) - 1

    /// Appends one frame (always cflag 0, as the SageMaker SDK and Spark write).
    public static func appendFrame(_ payload: [UInt8], to out: inout [UInt8]) throws(RecordIOError) {
        guard payload.count <= maxLength else { throw .recordTooLarge(payload.count) }
        out += magicBytes
        let n = UInt32(payload.count)
        out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        out += payload
        out += [UInt8](repeating: 0, count: (4 - payload.count % 4) % 4)
    }
}

public enum RecordIOError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMagic(offset: Int)
    case truncated(offset: Int)
    case badFragment(offset: Int)
    case recordTooLarge(Int)
    case malformedProtobuf(String)

    public var description: String {
        switch self {
        case .badMagic(let o): "RecordIO: bad magic number at byte \(o) (not a RecordIO-protobuf stream, or corrupt)"
        case .truncated(let o): "RecordIO: stream ends inside a record starting at byte \(o)"
        case .badFragment(let o): "RecordIO: fragment out of order at byte \(o)"
        case .recordTooLarge(let n): "RecordIO: a record of \(n) bytes exceeds the 512 MiB limit"
        case .malformedProtobuf(let why): "RecordIO: malformed protobuf Record: \(why)"
        }
    }
}

/// Iterates the payloads of a RecordIO byte stream, re-assembling fragmented records.
public struct RecordIOReader: Sequence, IteratorProtocol {
    let bytes: [UInt8]
    var offset = 0
    /// The byte offset where the record just returned started (for error messages).
    public private(set) var recordOffset = 0
    /// Set when iteration stopped on corrupt input; `next()` then returns nil.
    public private(set) var error: RecordIOError?

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func next() -> [UInt8]? {
        do { return try nextPayload() } catch {
            self.error = error
            offset = bytes.count
            return nil
        }
    }

    /// The next payload, nil at a clean end of stream, or an error for corrupt input.
    public mutating func nextPayload() throws(RecordIOError) -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        recordOffset = offset
        var payload: [UInt8] = []
        var inFragments = false
        while true {
            guard offset + 8 <= bytes.count else { throw .truncated(offset: recordOffset) }
            guard Array(bytes[offset..<(offset + 4)]) == RecordIOFraming.magicBytes else { throw .badMagic(offset: offset) }
            let word = UInt32(bytes[offset + 4]) | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 24
            let cflag = Int(word >> 29)
            let length = Int(word & 0x1FFF_FFFF)
            let start = offset + 8
            guard start + length <= bytes.count else { throw .truncated(offset: recordOffset) }
            let padded = length + (4 - length % 4) % 4
            switch (cflag, inFragments) {
            case (0, false):
                payload = Array(bytes[start..<(start + length)])
                offset = Swift.min(bytes.count, start + padded)
                return payload
            case (1, false):
                payload = Array(bytes[start..<(start + length)])
                inFragments = true
            case (2, true), (3, true):
                payload += RecordIOFraming.magicBytes
                payload += bytes[start..<(start + length)]
                guard payload.count <= RecordIOFraming.maxLength else { throw .recordTooLarge(payload.count) }
                if cflag == 3 {
                    offset = Swift.min(bytes.count, start + padded)
                    return payload
                }
            default:
                throw .badFragment(offset: offset)
            }
            offset = Swift.min(bytes.count, start + padded)
        }
    }
}
