/// Thrift compact-protocol type codes as they appear in field headers and collection headers.
enum ThriftType: UInt8 {
    case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
    case binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// A reader of the Thrift compact protocol over a byte buffer. It never trusts a length: every length is
/// checked against the bytes left, nesting is bounded, and unknown fields are skipped.
struct ThriftCompactReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    private var lastFieldIds: [Int16] = []
    private var pendingBool: Bool?
    static let maxDepth = 64

    init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var bytesRead: Int { position }

    mutating func readByte() throws -> UInt8 {
        guard position < end else { throw ParquetError.corrupt("Thrift data ends early at byte \(position)") }
        let b = bytes[position]
        position += 1
        return b
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift >= 64 { throw ParquetError.corrupt("Thrift varint longer than 10 bytes at byte \(position)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func readZigzag() throws -> Int64 {
        let v = try readVarint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func readI32() throws -> Int32 {
        let v = try readZigzag()
        guard let r = Int32(exactly: v) else { throw ParquetError.corrupt("Thrift i32 out of range: \(v)") }
        return r
    }

    mutating func readI16() throws -> Int16 {
        let v = try readZigzag()
        guard let r = Int16(exactly: v) else { throw ParquetError.corrupt("Thrift i16 out of range: \(v)") }
        return r
    }

    mutating func readI64() throws -> Int64 { try readZigzag() }

    mutating func readDouble() throws -> Double {
        guard end - position >= 8 else { throw ParquetError.corrupt("Thrift double truncated") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    mutating func readBinary() throws -> [UInt8] {
        let n = try readVarint()
        guard n <= UInt64(end - position) else {
            throw ParquetError.corrupt("Thrift binary length \(n) exceeds the \(end - position) bytes left")
        }
        let r = Array(bytes[position..<(position + Int(n))])
        position += Int(n)
        return r
    }

    mutating func readString() throws -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    /// Reads a boolean field value (its value lives in the field header).
    mutating func readBool() throws -> Bool {
        if let b = pendingBool {
            pendingBool = nil
            return b
        }
        // A boolean inside a list: one byte.
        return try readByte() == 1
    }

    mutating func beginStruct() throws {
        guard lastFieldIds.count < Self.maxDepth else { throw ParquetError.corrupt("Thrift nesting deeper than \(Self.maxDepth)") }
        lastFieldIds.append(0)
    }

    mutating func endStruct() { lastFieldIds.removeLast() }

    /// Returns the next field's id and type, or nil at the struct's end.
    mutating func readFieldHeader() throws -> (id: Int16, type: ThriftType)? {
        let b = try readByte()
        guard let type = ThriftType(rawValue: b & 0x0F) else {
            throw ParquetError.corrupt("unknown Thrift type \(b & 0x0F) at byte \(position - 1)")
        }
        if type == .stop { return nil }
        let delta = Int16(b >> 4)
        let id: Int16
        if delta == 0 { id = try readI16() } else {
            let (s, o) = (lastFieldIds.last ?? 0).addingReportingOverflow(delta)
            guard !o else { throw ParquetError.corrupt("Thrift field id overflow") }
            id = s
        }
        if !lastFieldIds.isEmpty { lastFieldIds[lastFieldIds.count - 1] = id }
        switch type {
        case .boolTrue: pendingBool = true
        case .boolFalse: pendingBool = false
        default: pendingBool = nil
        }
        return (id, type == .boolFalse ? .boolTrue : type)
    }

    /// Reads a list header: element type and count (checked against the bytes left; each element takes ≥ 1 byte).
    mutating func readListHeader() throws -> (ThriftType, Int) {
        let b = try readByte()
        var n = UInt64(b >> 4)
        if n == 15 { n = try readVarint() }
        guard let t = ThriftType(rawValue: b & 0x0F) else { throw ParquetError.corrupt("unknown Thrift list element type \(b & 0x0F)") }
        guard n <= UInt64(end - position) else {
            throw ParquetError.corrupt("Thrift list of \(n) elements exceeds the \(end - position) bytes left")
        }
        return (t == .boolFalse ? .boolTrue : t, Int(n))
    }

    /// Skips a value of the given type (recursively, bounded).
    mutating func skip(_ type: ThriftType, depth: Int = 0) throws {
        guard depth < Self.maxDepth else { throw ParquetError.corrupt("Thrift nesting deeper than \(Self.maxDepth)") }
        switch type {
        case .stop: return
        case .boolTrue, .boolFalse:
            if pendingBool != nil { pendingBool = nil } else { _ = try readByte() }
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double: _ = try readDouble()
        case .binary: _ = try readBinary()
        case .list, .set:
            let (t, n) = try readListHeader()
            for _ in 0..<n { try skip(t, depth: depth + 1) }
        case .map:
            let n = try readVarint()
            guard n <= UInt64(end - position) else { throw ParquetError.corrupt("Thrift map of \(n) entries too long") }
            if n > 0 {
                let kv = try readByte()
                guard let k = ThriftType(rawValue: kv >> 4), let v = ThriftType(rawValue: kv & 0x0F) else {
                    throw ParquetError.corrupt("unknown Thrift map types")
                }
                for _ in 0..<n {
                    try skip(k, depth: depth + 1)
                    try skip(v, depth: depth + 1)
                }
            }
        case .structure:
            try beginStruct()
            while let (_, t) = try readFieldHeader() { try skip(t, depth: depth + 1) }
            endStruct()
        }
    }

    /// Reads a struct by calling `field` for each field; `field` returns false to have the field skipped.
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, ThriftType) throws -> Bool) throws {
        try beginStruct()
        while let (id, t) = try readFieldHeader() {
            if try !field(&self, id, t) { try skip(t) }
        }
        endStruct()
    }

    /// Reads a list whose elements are read by `element`; elements of a different type are an error.
    mutating func readList<T>(of expected: ThriftType, _ element: (inout ThriftCompactReader) throws -> T) throws -> [T] {
        let (t, n) = try readListHeader()
        guard t == expected || n == 0 else { throw ParquetError.corrupt("Thrift list of type \(t) where \(expected) expected") }
        var r: [T] = []
        r.reserveCapacity(n)
        for _ in 0..<n { r.append(try element(&self)) }
        return r
    }
}
