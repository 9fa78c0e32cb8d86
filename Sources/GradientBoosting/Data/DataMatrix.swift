/// A dense row-major feature matrix; `Float.nan` marks a missing value.
public struct DataMatrix: Sendable {
    public var rows: Int
    public var cols: Int
    public var values: [Float]

    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "DataMatrix: values.count must be rows * cols")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    @inlinable public subscript(row: Int, col: Int) -> Float { values[row * cols + col] }

    /// Copy with exactly `newCols` columns (extra columns dropped, missing ones filled with NaN).
    public func resized(cols newCols: Int) -> DataMatrix {
        if newCols == cols { return self }
        var out = [Float](repeating: .nan, count: rows * newCols)
        let c = min(cols, newCols)
        for r in 0..<rows { for j in 0..<c { out[r * newCols + j] = values[r * cols + j] } }
        return DataMatrix(rows: rows, cols: newCols, values: out)
    }
}

/// A compressed-sparse-row matrix; entries not stored are missing (not zero), as in XGBoost.
public struct CSRMatrix: Sendable {
    public var rows: Int
    public var cols: Int
    public var rowOffsets: [Int]
    public var columnIndices: [UInt32]
    public var values: [Float]

    public init(rows: Int, cols: Int, rowOffsets: [Int], columnIndices: [UInt32], values: [Float]) {
        self.rows = rows
        self.cols = cols
        self.rowOffsets = rowOffsets
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Dense copy with NaN for absent entries.
    public func densified(cols outCols: Int? = nil) -> DataMatrix {
        let c = outCols ?? cols
        var out = [Float](repeating: .nan, count: rows * c)
        for r in 0..<rows {
            for k in rowOffsets[r]..<rowOffsets[r + 1] {
                let j = Int(columnIndices[k])
                if j < c { out[r * c + j] = values[k] }
            }
        }
        return DataMatrix(rows: rows, cols: c, values: out)
    }
}

/// Features plus labels, optional instance weights and optional query groups.
public struct LabeledData: Sendable {
    public var features: DataMatrix
    public var labels: [Float]
    public var weights: [Float]?
    /// Query groups for ranking as XGBoost's group pointer: `groups[g]..<groups[g + 1]` are the rows of
    /// query `g` (`groups.first == 0`, `groups.last == rows`); nil = no query information.
    public var groups: [Int]?

    public init(features: DataMatrix, labels: [Float], weights: [Float]? = nil, groups: [Int]? = nil) {
        self.features = features
        self.labels = labels
        self.weights = weights
        self.groups = groups
    }
}

/// Query groups from per-row query ids: each run of equal ids is one group, as XGBoost forms them.
/// A query id that comes back after another one is an error (XGBoost needs the rows of a query together).
public func queryGroups(qids: [Int], file: String) throws -> [Int] {
    var ptr = [0]
    var seen = Set<Int>()
    for i in qids.indices where i > 0 && qids[i] != qids[i - 1] {
        seen.insert(qids[i - 1])
        if seen.contains(qids[i]) {
            throw DataError(file: file, line: 0,
                            message: "row \(i + 1): qid \(qids[i]) appears again after other queries; the rows of a query must be contiguous")
        }
        ptr.append(i)
    }
    if !qids.isEmpty { ptr.append(qids.count) }
    return ptr
}

/// A data error a user can act on: which file, which line, what was wrong.
public struct DataError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
