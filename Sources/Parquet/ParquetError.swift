/// An error reading or writing a Parquet file. Every case carries a message that says what was wrong and where.
public enum ParquetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The bytes are not a well-formed Parquet file (bad magic, truncated, lengths out of range, bad Thrift).
    case corrupt(String)
    /// The file uses a feature this reader does not implement (codec, encoding, type); the message names it.
    case unsupported(String)
    /// The caller asked for something that does not exist or does not fit (column name, row group index, types).
    case invalidArgument(String)
    /// A read or write on the underlying file failed.
    case io(String)

    public var description: String {
        switch self {
        case .corrupt(let m): return "corrupt Parquet data: \(m)"
        case .unsupported(let m): return "unsupported Parquet feature: \(m)"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .io(let m): return "I/O error: \(m)"
        }
    }
}
