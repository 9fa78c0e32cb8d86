/// One node of the flattened schema tree as stored in the footer.
public struct SchemaElement: Sendable {
    public var type: PhysicalType?
    public var typeLength: Int32?
    public var repetition: Repetition?
    public var name: String = ""
    public var numChildren: Int32?
    public var convertedType: ConvertedType?
    public var scale: Int32?
    public var precision: Int32?
    public var fieldId: Int32?
    public var logicalType: LogicalType?
    public init() {}
}

/// Column statistics as stored (plain-encoded min/max bytes).
public struct Statistics: Sendable, Equatable {
    public var max: [UInt8]?
    public var min: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public var maxValue: [UInt8]?
    public var minValue: [UInt8]?
    public init() {}
    /// The min to trust: `min_value` (type-defined order) or the legacy `min`.
    public var effectiveMin: [UInt8]? { minValue ?? min }
    public var effectiveMax: [UInt8]? { maxValue ?? max }
}

/// Metadata of one column chunk.
public struct ColumnMetaData: Sendable {
    public var type: PhysicalType = .int32
    public var encodings: [Int32] = []
    public var pathInSchema: [String] = []
    public var codecRaw: Int32 = 0
    public var numValues: Int64 = 0
    public var totalUncompressedSize: Int64 = 0
    public var totalCompressedSize: Int64 = 0
    public var dataPageOffset: Int64 = 0
    public var indexPageOffset: Int64?
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?
    public var codec: CompressionCodec? { CompressionCodec(rawValue: codecRaw) }
}

/// One column chunk of a row group.
public struct ColumnChunk: Sendable {
    public var filePath: String?
    public var fileOffset: Int64 = 0
    public var metaData: ColumnMetaData?
}

/// One row group.
public struct RowGroup: Sendable {
    public var columns: [ColumnChunk] = []
    public var totalByteSize: Int64 = 0
    public var numRows: Int64 = 0
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?
}

/// Key/value metadata (for example the Arrow schema pyarrow stores under `ARROW:schema`).
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String?
    public init(key: String, value: String?) { self.key = key; self.value = value }
}

/// The file footer.
public struct FileMetaData: Sendable {
    public var version: Int32 = 0
    public var schema: [SchemaElement] = []
    public var numRows: Int64 = 0
    public var rowGroups: [RowGroup] = []
    public var keyValueMetadata: [KeyValue] = []
    public var createdBy: String?
}

/// Header before each page.
struct PageHeader {
    var type: Int32 = 0
    var uncompressedPageSize: Int32 = 0
    var compressedPageSize: Int32 = 0
    var dataPage: DataPageHeader?
    var dictionaryPage: DictionaryPageHeader?
    var dataPageV2: DataPageHeaderV2?
}

struct DataPageHeader {
    var numValues: Int32 = 0
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = 3
    var repetitionLevelEncoding: Int32 = 3
    var statistics: Statistics?
}

struct DictionaryPageHeader {
    var numValues: Int32 = 0
    var encoding: Int32 = 0
    var isSorted: Bool?
}

struct DataPageHeaderV2 {
    var numValues: Int32 = 0
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var encoding: Int32 = 0
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed: Bool = true
    var statistics: Statistics?
}
