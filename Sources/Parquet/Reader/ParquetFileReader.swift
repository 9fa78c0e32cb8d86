import Dispatch

/// Reads a Parquet file one row group at a time.
///
/// Only the footer is read when the reader is made; each `readRowGroup` call reads just the column chunks asked
/// for, so memory stays proportional to one row group's projected columns, not to the file.
///
/// ```swift
/// let reader = try ParquetFileReader(path: "train.parquet")
/// for g in 0..<reader.rowGroupCount {
///     let m = try reader.readDenseMatrix(rowGroup: g, columns: ["f0", "f1"])
/// }
/// ```
public final class ParquetFileReader: Sendable {
    public let source: any ByteSource
    public let metadata: FileMetaData
    public let schema: Schema
    public let options: ReaderOptions

    /// Opens a file on disk.
    public convenience init(path: String, options: ReaderOptions = ReaderOptions()) throws {
        try self.init(source: FileSource(path: path), options: options)
    }

    /// Reads from bytes in memory.
    public convenience init(bytes: [UInt8], options: ReaderOptions = ReaderOptions()) throws {
        try self.init(source: MemorySource(bytes), options: options)
    }

    public init(source: any ByteSource, options: ReaderOptions = ReaderOptions()) throws {
        self.source = source
        self.options = options
        let size = source.size
        guard size >= 12 else { throw ParquetError.corrupt("file of \(size) bytes is too short for Parquet") }
        let head = try source.read(offset: 0, count: 4)
        let tail = try source.read(offset: size - 8, count: 8)
        if tail[4...] == [0x50, 0x41, 0x52, 0x45] {
            throw ParquetError.unsupported("encrypted footer (PARE magic)")
        }
        guard head == [0x50, 0x41, 0x52, 0x31], tail[4...] == [0x50, 0x41, 0x52, 0x31] else {
            throw ParquetError.corrupt("missing PAR1 magic at the start or end")
        }
        let metaLen = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard metaLen <= size - 12 else { throw ParquetError.corrupt("footer length \(metaLen) exceeds the file") }
        let footer = try source.read(offset: size - 8 - metaLen, count: metaLen)
        var r = ThriftCompactReader(footer)
        metadata = try r.readFileMetaData()
        schema = try Schema(elements: metadata.schema)
        for (g, group) in metadata.rowGroups.enumerated() {
            guard group.columns.count == schema.columns.count else {
                throw ParquetError.corrupt("row group \(g) has \(group.columns.count) column chunks; the schema has \(schema.columns.count) columns")
            }
            guard group.numRows >= 0 else { throw ParquetError.corrupt("row group \(g) has negative num_rows") }
        }
    }

    /// Number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }
    /// Total rows as stated in the footer.
    public var rowCount: Int { Int(metadata.numRows) }
    /// Leaf columns of the schema.
    public var columns: [ColumnDescriptor] { schema.columns }

    /// Resolves column names (dotted paths or top-level names) to leaf indices; nil means all columns.
    public func columnIndices(_ names: [String]?) throws -> [Int] {
        guard let names else { return Array(schema.columns.indices) }
        return try names.map { n in
            guard let i = schema.columnIndex(named: n) else {
                throw ParquetError.invalidArgument("no column '\(n)'; columns are \(schema.columns.map(\.dottedPath).joined(separator: ", "))")
            }
            return i
        }
    }

    /// Reads and decodes one column chunk.
    public func readColumn(rowGroup g: Int, column c: Int) throws -> ColumnChunkData {
        guard g >= 0 && g < rowGroupCount else { throw ParquetError.invalidArgument("row group \(g) of \(rowGroupCount)") }
        guard c >= 0 && c < schema.columns.count else { throw ParquetError.invalidArgument("column \(c) of \(schema.columns.count)") }
        let group = metadata.rowGroups[g]
        let chunk = group.columns[c]
        let desc = schema.columns[c]
        let name = "'\(desc.dottedPath)' (row group \(g))"
        if let p = chunk.filePath, !p.isEmpty { throw ParquetError.unsupported("column chunk in another file (\(p)) for \(name)") }
        guard let meta = chunk.metaData else { throw ParquetError.corrupt("column \(name) has no metadata") }
        var start = meta.dataPageOffset
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
        let len = meta.totalCompressedSize
        guard start >= 4, len >= 0, start <= Int64(source.size), len <= Int64(source.size) - start else {
            throw ParquetError.corrupt("column \(name) byte range \(start)+\(len) is outside the file")
        }
        let bytes = try source.read(offset: Int(start), count: Int(len))
        return try ColumnChunkReader(descriptor: desc, meta: meta, options: options, where_: name)
            .read(bytes, expectedRows: Int(group.numRows))
    }

    /// Reads the projected columns of one row group (all columns when `columns` is nil), decoding columns in parallel.
    public func readRowGroup(_ g: Int, columns: [String]? = nil) throws -> RowGroupData {
        let idx = try columnIndices(columns)
        guard g >= 0 && g < rowGroupCount else { throw ParquetError.invalidArgument("row group \(g) of \(rowGroupCount)") }
        let results = try parallelMap(idx) { try self.readColumn(rowGroup: g, column: $0) }
        return RowGroupData(index: g, numRows: Int(metadata.rowGroups[g].numRows), columns: results)
    }

    /// Calls `body` with each row group in turn (only one row group's columns are in memory at a time).
    public func forEachRowGroup(columns: [String]? = nil, _ body: (RowGroupData) throws -> Void) throws {
        for g in 0..<rowGroupCount { try body(try readRowGroup(g, columns: columns)) }
    }
}

/// Maps over `items` on up to all cores, keeping order; the first error is rethrown.
func parallelMap<T, R>(_ items: [T], _ f: @Sendable (T) throws -> R) throws -> [R] {
    if items.count <= 1 { return try items.map(f) }
    let box = UnsafeMutableBufferPointer<Result<R, any Error>?>.allocate(capacity: items.count)
    box.initialize(repeating: nil)
    defer { box.deinitialize(); box.deallocate() }
    let shared = UncheckedBox(box)
    let itemsBox = UncheckedBox(items)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        shared.value[i] = Result { try f(itemsBox.value[i]) }
    }
    return try box.map { try $0!.get() }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
