/// The decoded contents of one column chunk: non-null values plus the levels that place them in rows.
public struct ColumnChunkData: Sendable {
    public let descriptor: ColumnDescriptor
    /// The non-null leaf values, in order.
    public let values: ColumnValues
    /// One definition level per slot (empty when the column is required: every slot has a value).
    public let definitionLevels: [UInt8]
    /// One repetition level per slot (empty for columns that are not inside a list).
    public let repetitionLevels: [UInt8]
    /// Number of level slots (rows, for columns outside lists).
    public let slotCount: Int

    /// For flat columns: whether row `i` has a value (`true` for required columns).
    public func isPresent(_ i: Int) -> Bool {
        definitionLevels.isEmpty || Int(definitionLevels[i]) == descriptor.maxDefinitionLevel
    }

    /// Number of null slots.
    public var nullCount: Int { slotCount - values.count }
}

/// The decoded columns of one row group.
public struct RowGroupData: Sendable {
    public let index: Int
    public let numRows: Int
    /// The columns read, in the order asked for.
    public let columns: [ColumnChunkData]

    /// The column with this dotted path or top-level name.
    public func column(named name: String) -> ColumnChunkData? {
        columns.first { $0.descriptor.dottedPath == name } ?? columns.first { $0.descriptor.name == name }
    }
}
