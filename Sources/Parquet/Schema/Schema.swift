/// One leaf column of the schema with its definition and repetition levels.
public struct ColumnDescriptor: Sendable {
    /// Path from the root, e.g. `["features", "list", "element"]`; `path[0]` is the top-level field.
    public let path: [String]
    public let physicalType: PhysicalType
    /// Byte width of FIXED_LEN_BYTE_ARRAY values (0 for other types).
    public let typeLength: Int
    public let maxDefinitionLevel: Int
    public let maxRepetitionLevel: Int
    /// Logical type, from the `logicalType` field or the legacy converted type.
    public let logicalType: LogicalType?
    /// The leaf's own repetition.
    public let repetition: Repetition
    /// Definition level at which the innermost repeated ancestor (the list) has an element slot; 0 outside lists.
    public let repeatedDefinitionLevel: Int
    /// Dotted path, e.g. `features.list.element`.
    public var dottedPath: String { path.joined(separator: ".") }
    /// The top-level field this leaf belongs to.
    public var name: String { path.first ?? "" }
}

/// The schema of a file: the tree as stored and its leaf columns in file order.
public struct Schema: Sendable {
    public let elements: [SchemaElement]
    public let columns: [ColumnDescriptor]

    /// Flattens the footer's schema list. Throws on malformed trees (wrong child counts, leaves without a type).
    public init(elements: [SchemaElement]) throws {
        self.elements = elements
        guard let root = elements.first else { throw ParquetError.corrupt("empty schema") }
        var cols: [ColumnDescriptor] = []
        var index = 1
        func walk(_ count: Int, path: [String], def: Int, rep: Int, repDef: Int, depth: Int) throws {
            guard depth < 64 else { throw ParquetError.corrupt("schema nested deeper than 64") }
            for _ in 0..<count {
                guard index < elements.count else {
                    throw ParquetError.corrupt("schema declares more children than the \(elements.count) elements stored")
                }
                let e = elements[index]
                index += 1
                let repetition = e.repetition ?? .required
                let d = def + (repetition == .required ? 0 : 1)
                let r = rep + (repetition == .repeated ? 1 : 0)
                let p = path + [e.name]
                if let n = e.numChildren, n > 0 {
                    guard Int(n) <= elements.count - index else {
                        throw ParquetError.corrupt("schema element '\(e.name)' declares \(n) children; only \(elements.count - index) elements follow")
                    }
                    try walk(Int(n), path: p, def: d, rep: r, repDef: repetition == .repeated ? d : repDef, depth: depth + 1)
                } else {
                    guard let t = e.type else {
                        throw ParquetError.corrupt("schema leaf '\(p.joined(separator: "."))' has no physical type")
                    }
                    let len = Int(e.typeLength ?? 0)
                    if t == .fixedLenByteArray && (len <= 0 || len > 1 << 20) {
                        throw ParquetError.corrupt("FIXED_LEN_BYTE_ARRAY column '\(p.joined(separator: "."))' has type_length \(len)")
                    }
                    cols.append(ColumnDescriptor(
                        path: p, physicalType: t, typeLength: t == .fixedLenByteArray ? len : (t == .int96 ? 12 : 0),
                        maxDefinitionLevel: d, maxRepetitionLevel: r,
                        logicalType: e.logicalType ?? Schema.logical(from: e), repetition: repetition,
                        repeatedDefinitionLevel: repetition == .repeated ? d : repDef))
                }
            }
        }
        try walk(Int(max(0, root.numChildren ?? 0)), path: [], def: 0, rep: 0, repDef: 0, depth: 0)
        columns = cols
    }

    static func logical(from e: SchemaElement) -> LogicalType? {
        switch e.convertedType {
        case .utf8?: return .string
        case .enumType?: return .enumType
        case .json?: return .json
        case .bson?: return .bson
        case .date?: return .date
        case .decimal?: return .decimal(precision: e.precision ?? 0, scale: e.scale ?? 0)
        case .timestampMillis?: return .timestamp(isAdjustedToUTC: true, unit: .millis)
        case .timestampMicros?: return .timestamp(isAdjustedToUTC: true, unit: .micros)
        case .timeMillis?: return .time(isAdjustedToUTC: true, unit: .millis)
        case .timeMicros?: return .time(isAdjustedToUTC: true, unit: .micros)
        case .int8?: return .integer(bitWidth: 8, isSigned: true)
        case .int16?: return .integer(bitWidth: 16, isSigned: true)
        case .int32?: return .integer(bitWidth: 32, isSigned: true)
        case .int64?: return .integer(bitWidth: 64, isSigned: true)
        case .uint8?: return .integer(bitWidth: 8, isSigned: false)
        case .uint16?: return .integer(bitWidth: 16, isSigned: false)
        case .uint32?: return .integer(bitWidth: 32, isSigned: false)
        case .uint64?: return .integer(bitWidth: 64, isSigned: false)
        case .list?: return .list
        case .map?, .mapKeyValue?: return .map
        default: return nil
        }
    }

    /// Index of the leaf column with this dotted path or top-level name, if any.
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex { $0.dottedPath == name } ?? columns.firstIndex { $0.name == name }
    }
}
