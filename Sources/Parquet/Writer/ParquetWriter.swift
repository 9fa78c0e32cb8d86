#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The type of a column the writer can write.
public enum FieldType: Sendable, Equatable {
    case boolean, int32, int64, float, double, string, binary, date
    case timestamp(TimeUnit, isAdjustedToUTC: Bool)
    /// `list<float>` / `list<double>` (vector features), 3-level LIST layout.
    case floatList, doubleList
}

/// A top-level column of a file to write.
public struct ParquetField: Sendable {
    public var name: String
    public var type: FieldType
    public var nullable: Bool
    public init(_ name: String, _ type: FieldType, nullable: Bool = true) {
        self.name = name; self.type = type; self.nullable = nullable
    }
}

/// One column's values for one row group: one entry per row; `validity[i] == false` marks row `i` null
/// (its entry in `values` is ignored). `nil` validity means no nulls.
public struct ColumnInput: Sendable {
    public enum Values: Sendable {
        case boolean([Bool]), int32([Int32]), int64([Int64]), float([Float]), double([Double])
        case string([String]), binary([[UInt8]]), floatList([[Float]]), doubleList([[Double]])
    }
    public var values: Values
    public var validity: [Bool]?
    public init(_ values: Values, validity: [Bool]? = nil) { self.values = values; self.validity = validity }

    var rowCount: Int {
        switch values {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .float(let v): return v.count
        case .double(let v): return v.count
        case .string(let v): return v.count
        case .binary(let v): return v.count
        case .floatList(let v): return v.count
        case .doubleList(let v): return v.count
        }
    }
}

/// Writer settings.
public struct WriterOptions: Sendable {
    /// Page compression; SNAPPY by default (as pyarrow and Spark).
    public var compression: CompressionCodec = .snappy
    /// Target uncompressed bytes of values per data page.
    public var dataPageSize: Int = 1 << 20
    /// Dictionary-encode string and binary columns (falls back to PLAIN when the dictionary grows past the limit).
    public var dictionaryForStrings: Bool = true
    /// Dictionary-encode INT32/INT64/FLOAT/DOUBLE columns (as pyarrow does), falling back to PLAIN past the limit.
    public var dictionaryForNumbers: Bool = true
    /// Largest dictionary page, in bytes; a column with more distinct values is written PLAIN.
    public var dictionaryPageSizeLimit: Int = 1 << 20
    /// `created_by` in the footer.
    public var createdBy: String = "kiln-parquet version 0.1.0"
    public var keyValueMetadata: [KeyValue] = []
    public init() {}
}

/// Writes a Parquet file row group by row group: `writeRowGroup` once per group, then `close()`.
public final class ParquetWriter {
    public let fields: [ParquetField]
    public let options: WriterOptions
    private var file: UnsafeMutablePointer<FILE>?
    private let path: String
    private var offset: Int64 = 0
    private var rowGroups: [RowGroup] = []
    private var totalRows: Int64 = 0
    private let schemaElements: [SchemaElement]
    private let leaves: [ColumnDescriptor]

    public init(path: String, fields: [ParquetField], options: WriterOptions = WriterOptions()) throws {
        guard Codec.supports(options.compression) else {
            throw ParquetError.unsupported("compression codec \(options.compression) for writing (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)")
        }
        self.fields = fields
        self.options = options
        self.path = path
        var root = SchemaElement()
        root.name = "schema"
        root.numChildren = Int32(fields.count)
        var elements = [root]
        for f in fields { elements += ParquetWriter.elements(for: f) }
        schemaElements = elements
        leaves = try Schema(elements: elements).columns
        guard let fp = fopen(path, "wb") else { throw ParquetError.io("cannot create \(path): \(String(cString: strerror(errno)))") }
        file = fp
        try write([0x50, 0x41, 0x52, 0x31])
    }

    deinit { if let file { fclose(file) } }

    static func elements(for f: ParquetField) -> [SchemaElement] {
        var e = SchemaElement()
        e.name = f.name
        e.repetition = f.nullable ? .optional : .required
        switch f.type {
        case .boolean: e.type = .boolean
        case .int32: e.type = .int32
        case .int64: e.type = .int64
        case .float: e.type = .float
        case .double: e.type = .double
        case .string: e.type = .byteArray; e.logicalType = .string; e.convertedType = .utf8
        case .binary: e.type = .byteArray
        case .date: e.type = .int32; e.logicalType = .date; e.convertedType = .date
        case .timestamp(let unit, let utc):
            e.type = .int64
            e.logicalType = .timestamp(isAdjustedToUTC: utc, unit: unit)
            if unit == .millis { e.convertedType = .timestampMillis } else if unit == .micros { e.convertedType = .timestampMicros }
        case .floatList, .doubleList:
            e.logicalType = .list
            e.convertedType = .list
            e.numChildren = 1
            var list = SchemaElement()
            list.name = "list"
            list.repetition = .repeated
            list.numChildren = 1
            var item = SchemaElement()
            item.name = "element"
            item.repetition = .optional
            item.type = f.type == .floatList ? .float : .double
            return [e, list, item]
        }
        return [e]
    }

    private func write(_ bytes: [UInt8]) throws {
        guard let file else { throw ParquetError.invalidArgument("writer for \(path) is closed") }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard n == bytes.count else { throw ParquetError.io("write to \(path) failed") }
        offset += Int64(n)
    }

    /// Writes one row group; `columns` in the order of `fields`, all with the same row count.
    public func writeRowGroup(_ columns: [ColumnInput]) throws {
        guard columns.count == fields.count else {
            throw ParquetError.invalidArgument("row group has \(columns.count) columns; the schema has \(fields.count)")
        }
        let rows = columns.first?.rowCount ?? 0
        for (i, c) in columns.enumerated() {
            guard c.rowCount == rows else { throw ParquetError.invalidArgument("column '\(fields[i].name)' has \(c.rowCount) rows, expected \(rows)") }
            if let v = c.validity, v.count != rows { throw ParquetError.invalidArgument("column '\(fields[i].name)' validity has \(v.count) entries for \(rows) rows") }
            if c.validity != nil && !fields[i].nullable && c.validity!.contains(false) {
                throw ParquetError.invalidArgument("column '\(fields[i].name)' is not nullable but has nulls")
            }
        }
        // Encode columns in parallel, then write them in order.
        let (fields, leaves, options) = (self.fields, self.leaves, self.options)
        let encoded = try parallelMap(Array(columns.indices)) { i in
            try ColumnEncoder(field: fields[i], leaf: leaves[i], options: options).encode(columns[i])
        }
        let groupStart = offset
        var chunks: [ColumnChunk] = []
        var totalUncompressed: Int64 = 0
        for e in encoded {
            let start = offset
            var meta = e.meta
            if let d = e.dictionaryPageSize {
                meta.dictionaryPageOffset = start
                meta.dataPageOffset = start + Int64(d)
            } else {
                meta.dataPageOffset = start
            }
            try write(e.bytes)
            totalUncompressed += meta.totalUncompressedSize
            var chunk = ColumnChunk()
            chunk.fileOffset = start
            chunk.metaData = meta
            chunks.append(chunk)
        }
        var g = RowGroup()
        g.columns = chunks
        g.numRows = Int64(rows)
        g.totalByteSize = totalUncompressed
        g.fileOffset = groupStart
        g.totalCompressedSize = offset - groupStart
        g.ordinal = Int16(truncatingIfNeeded: rowGroups.count)
        rowGroups.append(g)
        totalRows += Int64(rows)
    }

    /// Writes the footer and closes the file.
    public func close() throws {
        var meta = FileMetaData()
        meta.version = 2
        meta.schema = schemaElements
        meta.numRows = totalRows
        meta.rowGroups = rowGroups
        meta.keyValueMetadata = options.keyValueMetadata
        meta.createdBy = options.createdBy
        var w = ThriftCompactWriter()
        w.writeFileMetaData(meta)
        w.stop()
        let n = UInt32(w.bytes.count)
        try write(w.bytes + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24), 0x50, 0x41, 0x52, 0x31])
        guard let file else { return }
        let r = fclose(file)
        self.file = nil
        guard r == 0 else { throw ParquetError.io("closing \(path) failed") }
    }
}
