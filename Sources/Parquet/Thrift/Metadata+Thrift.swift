// Decoding and encoding of the footer and page headers (field ids from the Parquet format's parquet.thrift).

extension ThriftCompactReader {
    mutating func i32Field(_ t: ThriftType) throws -> Int32? { t == .i32 ? try readI32() : nil }

    mutating func readStatistics() throws -> Statistics {
        var s = Statistics()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, .binary): s.max = try r.readBinary()
            case (2, .binary): s.min = try r.readBinary()
            case (3, .i64): s.nullCount = try r.readI64()
            case (4, .i64): s.distinctCount = try r.readI64()
            case (5, .binary): s.maxValue = try r.readBinary()
            case (6, .binary): s.minValue = try r.readBinary()
            default: return false
            }
            return true
        }
        return s
    }

    mutating func readTimeUnit() throws -> TimeUnit {
        var unit = TimeUnit.millis
        try readStruct { r, id, t in
            guard t == .structure else { return false }
            switch id {
            case 1: unit = .millis
            case 2: unit = .micros
            case 3: unit = .nanos
            default: return false
            }
            try r.skip(.structure)
            return true
        }
        return unit
    }

    mutating func readLogicalType() throws -> LogicalType? {
        var lt: LogicalType?
        try readStruct { r, id, t in
            guard t == .structure else { return false }
            switch id {
            case 5:
                var p: Int32 = 0, s: Int32 = 0
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): s = try r.readI32()
                    case (2, .i32): p = try r.readI32()
                    default: return false
                    }
                    return true
                }
                lt = .decimal(precision: p, scale: s)
            case 7, 8:
                var utc = false, unit = TimeUnit.millis
                try r.readStruct { r, fid, t in
                    switch (fid, t) {
                    case (1, .boolTrue): utc = try r.readBool()
                    case (2, .structure): unit = try r.readTimeUnit()
                    default: return false
                    }
                    return true
                }
                lt = id == 7 ? .time(isAdjustedToUTC: utc, unit: unit) : .timestamp(isAdjustedToUTC: utc, unit: unit)
            case 10:
                var bw: Int8 = 0, signed = true
                try r.readStruct { r, fid, t in
                    switch (fid, t) {
                    case (1, .byte): bw = Int8(bitPattern: try r.readByte())
                    case (2, .boolTrue): signed = try r.readBool()
                    default: return false
                    }
                    return true
                }
                lt = .integer(bitWidth: bw, isSigned: signed)
            default:
                try r.skip(.structure)
                switch id {
                case 1: lt = .string
                case 2: lt = .map
                case 3: lt = .list
                case 4: lt = .enumType
                case 6: lt = .date
                case 11: lt = .unknown
                case 12: lt = .json
                case 13: lt = .bson
                case 14: lt = .uuid
                case 15: lt = .float16
                default: lt = .other(id)
                }
            }
            return true
        }
        return lt
    }

    mutating func readSchemaElement() throws -> SchemaElement {
        var e = SchemaElement()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32):
                let v = try r.readI32()
                guard let p = PhysicalType(rawValue: v) else { throw ParquetError.unsupported("physical type #\(v)") }
                e.type = p
            case (2, .i32): e.typeLength = try r.readI32()
            case (3, .i32):
                let v = try r.readI32()
                guard let p = Repetition(rawValue: v) else { throw ParquetError.corrupt("repetition type #\(v)") }
                e.repetition = p
            case (4, .binary): e.name = try r.readString()
            case (5, .i32): e.numChildren = try r.readI32()
            case (6, .i32): e.convertedType = ConvertedType(rawValue: try r.readI32())
            case (7, .i32): e.scale = try r.readI32()
            case (8, .i32): e.precision = try r.readI32()
            case (9, .i32): e.fieldId = try r.readI32()
            case (10, .structure): e.logicalType = try r.readLogicalType()
            default: return false
            }
            return true
        }
        return e
    }

    mutating func readColumnMetaData() throws -> ColumnMetaData {
        var m = ColumnMetaData()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32):
                let v = try r.readI32()
                guard let p = PhysicalType(rawValue: v) else { throw ParquetError.unsupported("physical type #\(v)") }
                m.type = p
            case (2, .list): m.encodings = try r.readList(of: .i32) { try $0.readI32() }
            case (3, .list): m.pathInSchema = try r.readList(of: .binary) { try $0.readString() }
            case (4, .i32): m.codecRaw = try r.readI32()
            case (5, .i64): m.numValues = try r.readI64()
            case (6, .i64): m.totalUncompressedSize = try r.readI64()
            case (7, .i64): m.totalCompressedSize = try r.readI64()
            case (9, .i64): m.dataPageOffset = try r.readI64()
            case (10, .i64): m.indexPageOffset = try r.readI64()
            case (11, .i64): m.dictionaryPageOffset = try r.readI64()
            case (12, .structure): m.statistics = try r.readStatistics()
            default: return false
            }
            return true
        }
        return m
    }

    mutating func readColumnChunk() throws -> ColumnChunk {
        var c = ColumnChunk()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, .binary): c.filePath = try r.readString()
            case (2, .i64): c.fileOffset = try r.readI64()
            case (3, .structure): c.metaData = try r.readColumnMetaData()
            default: return false
            }
            return true
        }
        return c
    }

    mutating func readRowGroup() throws -> RowGroup {
        var g = RowGroup()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, .list): g.columns = try r.readList(of: .structure) { try $0.readColumnChunk() }
            case (2, .i64): g.totalByteSize = try r.readI64()
            case (3, .i64): g.numRows = try r.readI64()
            case (5, .i64): g.fileOffset = try r.readI64()
            case (6, .i64): g.totalCompressedSize = try r.readI64()
            case (7, .i16): g.ordinal = try r.readI16()
            default: return false
            }
            return true
        }
        return g
    }

    mutating func readFileMetaData() throws -> FileMetaData {
        var f = FileMetaData()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): f.version = try r.readI32()
            case (2, .list): f.schema = try r.readList(of: .structure) { try $0.readSchemaElement() }
            case (3, .i64): f.numRows = try r.readI64()
            case (4, .list): f.rowGroups = try r.readList(of: .structure) { try $0.readRowGroup() }
            case (5, .list):
                f.keyValueMetadata = try r.readList(of: .structure) { r in
                    var kv = KeyValue(key: "", value: nil)
                    try r.readStruct { r, id, t in
                        switch (id, t) {
                        case (1, .binary): kv.key = try r.readString()
                        case (2, .binary): kv.value = try r.readString()
                        default: return false
                        }
                        return true
                    }
                    return kv
                }
            case (6, .binary): f.createdBy = try r.readString()
            default: return false
            }
            return true
        }
        return f
    }

    mutating func readPageHeader() throws -> PageHeader {
        var h = PageHeader()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): h.type = try r.readI32()
            case (2, .i32): h.uncompressedPageSize = try r.readI32()
            case (3, .i32): h.compressedPageSize = try r.readI32()
            case (5, .structure):
                var d = DataPageHeader()
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): d.numValues = try r.readI32()
                    case (2, .i32): d.encoding = try r.readI32()
                    case (3, .i32): d.definitionLevelEncoding = try r.readI32()
                    case (4, .i32): d.repetitionLevelEncoding = try r.readI32()
                    default: return false
                    }
                    return true
                }
                h.dataPage = d
            case (7, .structure):
                var d = DictionaryPageHeader()
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): d.numValues = try r.readI32()
                    case (2, .i32): d.encoding = try r.readI32()
                    case (3, .boolTrue): d.isSorted = try r.readBool()
                    default: return false
                    }
                    return true
                }
                h.dictionaryPage = d
            case (8, .structure):
                var d = DataPageHeaderV2()
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): d.numValues = try r.readI32()
                    case (2, .i32): d.numNulls = try r.readI32()
                    case (3, .i32): d.numRows = try r.readI32()
                    case (4, .i32): d.encoding = try r.readI32()
                    case (5, .i32): d.definitionLevelsByteLength = try r.readI32()
                    case (6, .i32): d.repetitionLevelsByteLength = try r.readI32()
                    case (7, .boolTrue): d.isCompressed = try r.readBool()
                    default: return false
                    }
                    return true
                }
                h.dataPageV2 = d
            default: return false
            }
            return true
        }
        return h
    }
}

extension ThriftCompactWriter {
    mutating func writeStatistics(_ s: Statistics) {
        if let v = s.max { binary(1, v) }
        if let v = s.min { binary(2, v) }
        if let v = s.nullCount { i64(3, v) }
        if let v = s.distinctCount { i64(4, v) }
        if let v = s.maxValue { binary(5, v) }
        if let v = s.minValue { binary(6, v) }
    }

    mutating func writeLogicalType(_ lt: LogicalType) {
        func unit(_ w: inout ThriftCompactWriter, _ u: TimeUnit) {
            w.structField(2) { w in
                w.structField(u == .millis ? 1 : u == .micros ? 2 : 3) { _ in }
            }
        }
        switch lt {
        case .string: structField(1) { _ in }
        case .map: structField(2) { _ in }
        case .list: structField(3) { _ in }
        case .enumType: structField(4) { _ in }
        case .decimal(let p, let s): structField(5) { $0.i32(1, s); $0.i32(2, p) }
        case .date: structField(6) { _ in }
        case .time(let utc, let u): structField(7) { w in w.bool(1, utc); unit(&w, u) }
        case .timestamp(let utc, let u): structField(8) { w in w.bool(1, utc); unit(&w, u) }
        case .integer(let bw, let signed):
            structField(10) { w in
                w.fieldHeaderByte(1, bw)
                w.bool(2, signed)
            }
        case .unknown: structField(11) { _ in }
        case .json: structField(12) { _ in }
        case .bson: structField(13) { _ in }
        case .uuid: structField(14) { _ in }
        case .float16: structField(15) { _ in }
        case .other: break
        }
    }

    mutating func writeSchemaElement(_ e: SchemaElement) {
        if let t = e.type { i32(1, t.rawValue) }
        if let v = e.typeLength { i32(2, v) }
        if let v = e.repetition { i32(3, v.rawValue) }
        string(4, e.name)
        if let v = e.numChildren { i32(5, v) }
        if let v = e.convertedType { i32(6, v.rawValue) }
        if let v = e.scale { i32(7, v) }
        if let v = e.precision { i32(8, v) }
        if let v = e.fieldId { i32(9, v) }
        if let lt = e.logicalType { structField(10) { $0.writeLogicalType(lt) } }
    }

    mutating func writeColumnMetaData(_ m: ColumnMetaData) {
        i32(1, m.type.rawValue)
        listI32(2, m.encodings)
        listString(3, m.pathInSchema)
        i32(4, m.codecRaw)
        i64(5, m.numValues)
        i64(6, m.totalUncompressedSize)
        i64(7, m.totalCompressedSize)
        i64(9, m.dataPageOffset)
        if let v = m.dictionaryPageOffset { i64(11, v) }
        if let s = m.statistics { structField(12) { $0.writeStatistics(s) } }
    }

    mutating func writeFileMetaData(_ f: FileMetaData) {
        i32(1, f.version)
        listStruct(2, f.schema) { $0.writeSchemaElement($1) }
        i64(3, f.numRows)
        listStruct(4, f.rowGroups) { w, g in
            w.listStruct(1, g.columns) { w, c in
                w.i64(2, c.fileOffset)
                if let m = c.metaData { w.structField(3) { $0.writeColumnMetaData(m) } }
            }
            w.i64(2, g.totalByteSize)
            w.i64(3, g.numRows)
            if let v = g.fileOffset { w.i64(5, v) }
            if let v = g.totalCompressedSize { w.i64(6, v) }
            if let v = g.ordinal { w.i16(7, v) }
        }
        if !f.keyValueMetadata.isEmpty {
            listStruct(5, f.keyValueMetadata) { w, kv in
                w.string(1, kv.key)
                if let v = kv.value { w.string(2, v) }
            }
        }
        if let v = f.createdBy { string(6, v) }
        // column_orders: TYPE_ORDER for every leaf, so readers trust min_value/max_value.
        let leaves = f.schema.dropFirst().filter { ($0.numChildren ?? 0) == 0 }.count
        listStruct(7, Array(repeating: 0, count: max(0, leaves))) { w, _ in w.structField(1) { _ in } }
    }

    mutating func writePageHeader(_ h: PageHeader) {
        i32(1, h.type)
        i32(2, h.uncompressedPageSize)
        i32(3, h.compressedPageSize)
        if let d = h.dataPage {
            structField(5) { w in
                w.i32(1, d.numValues)
                w.i32(2, d.encoding)
                w.i32(3, d.definitionLevelEncoding)
                w.i32(4, d.repetitionLevelEncoding)
                if let s = d.statistics { w.structField(5) { $0.writeStatistics(s) } }
            }
        }
        if let d = h.dictionaryPage {
            structField(7) { w in
                w.i32(1, d.numValues)
                w.i32(2, d.encoding)
                if let s = d.isSorted { w.bool(3, s) }
            }
        }
        if let d = h.dataPageV2 {
            structField(8) { w in
                w.i32(1, d.numValues)
                w.i32(2, d.numNulls)
                w.i32(3, d.numRows)
                w.i32(4, d.encoding)
                w.i32(5, d.definitionLevelsByteLength)
                w.i32(6, d.repetitionLevelsByteLength)
                w.bool(7, d.isCompressed)
            }
        }
    }
}
