/// A writer of the Thrift compact protocol into a byte array.
struct ThriftCompactWriter {
    var bytes: [UInt8] = []
    private var lastFieldIds: [Int16] = [0]

    mutating func writeVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func writeZigzag(_ v: Int64) { writeVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: UInt8) {
        let last = lastFieldIds[lastFieldIds.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            writeZigzag(Int64(id))
        }
        lastFieldIds[lastFieldIds.count - 1] = id
    }

    mutating func i16(_ id: Int16, _ v: Int16) { fieldHeader(id, ThriftType.i16.rawValue); writeZigzag(Int64(v)) }
    mutating func fieldHeaderByte(_ id: Int16, _ v: Int8) { fieldHeader(id, ThriftType.byte.rawValue); bytes.append(UInt8(bitPattern: v)) }
    mutating func i32(_ id: Int16, _ v: Int32) { fieldHeader(id, ThriftType.i32.rawValue); writeZigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64) { fieldHeader(id, ThriftType.i64.rawValue); writeZigzag(v) }
    mutating func bool(_ id: Int16, _ v: Bool) {
        fieldHeader(id, v ? ThriftType.boolTrue.rawValue : ThriftType.boolFalse.rawValue)
    }
    mutating func binary(_ id: Int16, _ v: [UInt8]) {
        fieldHeader(id, ThriftType.binary.rawValue)
        writeVarint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }
    mutating func string(_ id: Int16, _ v: String) { binary(id, Array(v.utf8)) }

    /// Writes a struct-valued field; `body` writes the inner fields.
    mutating func structField(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, ThriftType.structure.rawValue)
        structBody(body)
    }

    mutating func structBody(_ body: (inout ThriftCompactWriter) -> Void) {
        lastFieldIds.append(0)
        body(&self)
        bytes.append(0)
        lastFieldIds.removeLast()
    }

    private mutating func listHeader(_ id: Int16, _ count: Int, _ elem: ThriftType) {
        fieldHeader(id, ThriftType.list.rawValue)
        if count < 15 { bytes.append(UInt8(count) << 4 | elem.rawValue) } else {
            bytes.append(0xF0 | elem.rawValue)
            writeVarint(UInt64(count))
        }
    }

    mutating func listI32(_ id: Int16, _ v: [Int32]) {
        listHeader(id, v.count, .i32)
        for x in v { writeZigzag(Int64(x)) }
    }
    mutating func listString(_ id: Int16, _ v: [String]) {
        listHeader(id, v.count, .binary)
        for s in v { writeVarint(UInt64(s.utf8.count)); bytes.append(contentsOf: Array(s.utf8)) }
    }
    mutating func listStruct<T>(_ id: Int16, _ v: [T], _ body: (inout ThriftCompactWriter, T) -> Void) {
        listHeader(id, v.count, .structure)
        for x in v { structBody { body(&$0, x) } }
    }

    /// Ends the top-level struct.
    mutating func stop() { bytes.append(0) }
}
