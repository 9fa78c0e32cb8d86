/// The protobuf wire format of `aialgs.data.Record`, by hand: the schema is small and fixed, and a hand codec
/// accepts packed and unpacked repeated fields, skips unknown fields and never trusts a length.
public enum RecordProtobuf {
    // MARK: Decoding

    public static func decode(_ bytes: [UInt8]) throws(RecordIOError) -> AmazonRecord {
        var r = Reader(bytes: bytes[...])
        var record = AmazonRecord()
        while let (field, wire) = try r.tag() {
            switch (field, wire) {
            case (1, 2): let (k, v) = try mapEntry(try r.lengthDelimited()); record.features[k] = v
            case (2, 2): let (k, v) = try mapEntry(try r.lengthDelimited()); record.label[k] = v
            case (3, 2): record.uid = String(decoding: try r.lengthDelimited(), as: UTF8.self)
            case (4, 2): record.metadata = String(decoding: try r.lengthDelimited(), as: UTF8.self)
            case (5, 2): record.configuration = String(decoding: try r.lengthDelimited(), as: UTF8.self)
            default: try r.skip(wire)
            }
        }
        return record
    }

    static func mapEntry(_ bytes: ArraySlice<UInt8>) throws(RecordIOError) -> (String, Tensor) {
        var r = Reader(bytes: bytes)
        var key = ""
        var value = Tensor.empty
        while let (field, wire) = try r.tag() {
            switch (field, wire) {
            case (1, 2): key = String(decoding: try r.lengthDelimited(), as: UTF8.self)
            case (2, 2): value = try tensorValue(try r.lengthDelimited())
            default: try r.skip(wire)
            }
        }
        return (key, value)
    }

    static func tensorValue(_ bytes: ArraySlice<UInt8>) throws(RecordIOError) -> Tensor {
        var r = Reader(bytes: bytes)
        var result = Tensor.empty
        while let (field, wire) = try r.tag() {
            switch (field, wire) {
            case (2, 2): result = try numericTensor(try r.lengthDelimited(), kind: .float32)
            case (3, 2): result = try numericTensor(try r.lengthDelimited(), kind: .float64)
            case (7, 2): result = try numericTensor(try r.lengthDelimited(), kind: .int32)
            case (9, 2): result = try bytesTensor(try r.lengthDelimited())
            default: try r.skip(wire)
            }
        }
        return result
    }

    enum Kind { case float32, float64, int32 }

    static func numericTensor(_ bytes: ArraySlice<UInt8>, kind: Kind) throws(RecordIOError) -> Tensor {
        var r = Reader(bytes: bytes)
        var f32: [Float] = [], f64: [Double] = [], i32: [Int32] = []
        var keys: [UInt64] = [], shape: [UInt64] = []
        while let (field, wire) = try r.tag() {
            switch (field, wire, kind) {
            case (1, 2, .float32):
                let packed = try r.lengthDelimited()
                guard packed.count % 4 == 0 else { throw .malformedProtobuf("packed float values of \(packed.count) bytes") }
                f32.reserveCapacity(f32.count + packed.count / 4)
                var i = packed.startIndex
                while i < packed.endIndex {
                    f32.append(Float(bitPattern: UInt32(packed[i]) | UInt32(packed[i + 1]) << 8 | UInt32(packed[i + 2]) << 16 | UInt32(packed[i + 3]) << 24))
                    i += 4
                }
            case (1, 5, .float32): f32.append(Float(bitPattern: try r.fixed32()))
            case (1, 2, .float64):
                let packed = try r.lengthDelimited()
                guard packed.count % 8 == 0 else { throw .malformedProtobuf("packed double values of \(packed.count) bytes") }
                var sub = Reader(bytes: packed)
                while !sub.atEnd { f64.append(Double(bitPattern: try sub.fixed64())) }
            case (1, 1, .float64): f64.append(Double(bitPattern: try r.fixed64()))
            case (1, 2, .int32):
                var sub = Reader(bytes: try r.lengthDelimited())
                while !sub.atEnd { i32.append(Int32(truncatingIfNeeded: try sub.varint())) }
            case (1, 0, .int32): i32.append(Int32(truncatingIfNeeded: try r.varint()))
            case (2, 2, _):
                var sub = Reader(bytes: try r.lengthDelimited())
                while !sub.atEnd { keys.append(try sub.varint()) }
            case (2, 0, _): keys.append(try r.varint())
            case (3, 2, _):
                var sub = Reader(bytes: try r.lengthDelimited())
                while !sub.atEnd { shape.append(try sub.varint()) }
            case (3, 0, _): shape.append(try r.varint())
            default: try r.skip(wire)
            }
        }
        switch kind {
        case .float32: return .float32(values: f32, keys: keys, shape: shape)
        case .float64: return .float64(values: f64, keys: keys, shape: shape)
        case .int32: return .int32(values: i32, keys: keys, shape: shape)
        }
    }

    static func bytesTensor(_ bytes: ArraySlice<UInt8>) throws(RecordIOError) -> Tensor {
        var r = Reader(bytes: bytes)
        var values: [[UInt8]] = []
        var contentType: String?
        while let (field, wire) = try r.tag() {
            switch (field, wire) {
            case (1, 2): values.append(Array(try r.lengthDelimited()))
            case (2, 2): contentType = String(decoding: try r.lengthDelimited(), as: UTF8.self)
            default: try r.skip(wire)
            }
        }
        return .bytes(values: values, contentType: contentType)
    }

    struct Reader {
        var bytes: ArraySlice<UInt8>
        var atEnd: Bool { bytes.isEmpty }

        mutating func varint() throws(RecordIOError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard let b = bytes.first else { throw .malformedProtobuf("varint runs past the end") }
                bytes = bytes.dropFirst()
                guard shift < 64 else { throw .malformedProtobuf("varint longer than 10 bytes") }
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }

        mutating func tag() throws(RecordIOError) -> (Int, Int)? {
            guard !bytes.isEmpty else { return nil }
            let t = try varint()
            let field = Int(truncatingIfNeeded: t >> 3)
            guard field > 0 else { throw .malformedProtobuf("field number 0") }
            return (field, Int(t & 7))
        }

        mutating func lengthDelimited() throws(RecordIOError) -> ArraySlice<UInt8> {
            let n = try varint()
            guard n <= UInt64(bytes.count) else { throw .malformedProtobuf("a length of \(n) runs past the end") }
            let out = bytes.prefix(Int(n))
            bytes = bytes.dropFirst(Int(n))
            return out
        }

        mutating func fixed32() throws(RecordIOError) -> UInt32 {
            guard bytes.count >= 4 else { throw .malformedProtobuf("fixed32 runs past the end") }
            let b = Array(bytes.prefix(4))
            bytes = bytes.dropFirst(4)
            return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
        }

        mutating func fixed64() throws(RecordIOError) -> UInt64 {
            let lo = UInt64(try fixed32()), hi = UInt64(try fixed32())
            return lo | hi << 32
        }

        mutating func skip(_ wire: Int) throws(RecordIOError) {
            switch wire {
            case 0: _ = try varint()
            case 1: _ = try fixed64()
            case 2: _ = try lengthDelimited()
            case 5: _ = try fixed32()
            default: throw .malformedProtobuf("unsupported wire type \(wire)")
            }
        }
    }

    // MARK: Encoding

    public static func encode(_ record: AmazonRecord) -> [UInt8] {
        var out: [UInt8] = []
        // Map entries in key order, so output is deterministic.
        for key in record.features.keys.sorted() { field(1, entry(key, record.features[key]!), into: &out) }
        for key in record.label.keys.sorted() { field(2, entry(key, record.label[key]!), into: &out) }
        if let s = record.uid { field(3, Array(s.utf8), into: &out) }
        if let s = record.metadata { field(4, Array(s.utf8), into: &out) }
        if let s = record.configuration { field(5, Array(s.utf8), into: &out) }
        return out
    }

    /// A response Record with only `label` entries, written in the given order (the containers' order, which
    /// the SDK's vectors show; decoders do not depend on it).
    public static func encode(labels: [(String, Tensor)]) -> [UInt8] {
        var out: [UInt8] = []
        for (key, value) in labels { field(2, entry(key, value), into: &out) }
        return out
    }

    static func entry(_ key: String, _ value: Tensor) -> [UInt8] {
        var out: [UInt8] = []
        field(1, Array(key.utf8), into: &out)
        field(2, tensor(value), into: &out)
        return out
    }

    static func tensor(_ t: Tensor) -> [UInt8] {
        var body: [UInt8] = []
        let number: Int
        switch t {
        case .float32(let values, let keys, let shape):
            number = 2
            if !values.isEmpty {
                var packed: [UInt8] = []
                packed.reserveCapacity(values.count * 4)
                for v in values { let b = v.bitPattern; packed += [UInt8(b & 0xFF), UInt8((b >> 8) & 0xFF), UInt8((b >> 16) & 0xFF), UInt8(b >> 24)] }
                field(1, packed, into: &body)
            }
            keysAndShape(keys, shape, into: &body)
        case .float64(let values, let keys, let shape):
            number = 3
            if !values.isEmpty {
                var packed: [UInt8] = []
                for v in values { let b = v.bitPattern; for i in 0..<8 { packed.append(UInt8((b >> (8 * UInt64(i))) & 0xFF)) } }
                field(1, packed, into: &body)
            }
            keysAndShape(keys, shape, into: &body)
        case .int32(let values, let keys, let shape):
            number = 7
            if !values.isEmpty {
                var packed: [UInt8] = []
                for v in values { varint(UInt64(bitPattern: Int64(v)), into: &packed) }
                field(1, packed, into: &body)
            }
            keysAndShape(keys, shape, into: &body)
        case .bytes(let values, let contentType):
            number = 9
            for v in values { field(1, v, into: &body) }
            if let contentType { field(2, Array(contentType.utf8), into: &body) }
        case .empty:
            return []
        }
        var out: [UInt8] = []
        field(number, body, into: &out)
        return out
    }

    static func keysAndShape(_ keys: [UInt64], _ shape: [UInt64], into out: inout [UInt8]) {
        if !keys.isEmpty {
            var packed: [UInt8] = []
            for k in keys { varint(k, into: &packed) }
            field(2, packed, into: &out)
        }
        if !shape.isEmpty {
            var packed: [UInt8] = []
            for s in shape { varint(s, into: &packed) }
            field(3, packed, into: &out)
        }
    }

    static func field(_ number: Int, _ payload: [UInt8], into out: inout [UInt8]) {
        varint(UInt64(number << 3 | 2), into: &out)
        varint(UInt64(payload.count), into: &out)
        out += payload
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
