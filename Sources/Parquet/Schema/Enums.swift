/// Parquet physical types.
public enum PhysicalType: Int32, Sendable, CustomStringConvertible {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
    public var description: String {
        ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"][Int(rawValue)]
    }
}

/// Field repetition in the schema.
public enum Repetition: Int32, Sendable {
    case required = 0, optional = 1, repeated = 2
}

/// Compression codecs named by the format. Only some are implemented (see `Codec`).
public enum CompressionCodec: Int32, Sendable, CustomStringConvertible {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
    public var description: String {
        ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"][Int(rawValue)]
    }
}

/// Value and level encodings named by the format.
public enum Encoding: Int32, Sendable, CustomStringConvertible {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6
    case deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
    public var description: String {
        switch self {
        case .plain: return "PLAIN"
        case .plainDictionary: return "PLAIN_DICTIONARY"
        case .rle: return "RLE"
        case .bitPacked: return "BIT_PACKED"
        case .deltaBinaryPacked: return "DELTA_BINARY_PACKED"
        case .deltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY"
        case .deltaByteArray: return "DELTA_BYTE_ARRAY"
        case .rleDictionary: return "RLE_DICTIONARY"
        case .byteStreamSplit: return "BYTE_STREAM_SPLIT"
        }
    }
    static func named(_ raw: Int32) -> String {
        Encoding(rawValue: raw)?.description ?? "encoding #\(raw)"
    }
}

/// Page kinds.
public enum PageType: Int32, Sendable {
    case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3
}

/// Legacy converted types (still written by most writers beside the logical type).
public enum ConvertedType: Int32, Sendable {
    case utf8 = 0, map = 1, mapKeyValue = 2, list = 3, enumType = 4, decimal = 5, date = 6, timeMillis = 7
    case timeMicros = 8, timestampMillis = 9, timestampMicros = 10, uint8 = 11, uint16 = 12, uint32 = 13
    case uint64 = 14, int8 = 15, int16 = 16, int32 = 17, int64 = 18, json = 19, bson = 20, interval = 21
}

/// Time units of TIME and TIMESTAMP.
public enum TimeUnit: Sendable, Equatable {
    case millis, micros, nanos
}

/// Logical types (the `LogicalType` union of the format; legacy converted types are mapped onto it).
public enum LogicalType: Sendable, Equatable {
    case string
    case map
    case list
    case enumType
    case decimal(precision: Int32, scale: Int32)
    case date
    case time(isAdjustedToUTC: Bool, unit: TimeUnit)
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
    case integer(bitWidth: Int8, isSigned: Bool)
    case unknown
    case json
    case bson
    case uuid
    case float16
    case other(Int16)
}
