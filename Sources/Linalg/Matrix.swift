/// A dense row-major matrix of Float32: the data layout every first-party algorithm trains on.
public struct Matrix: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// `rows × columns` values, row after row.
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "Matrix \(rows)×\(columns) needs \(rows * columns) values, got \(values.count)")
        (self.rows, self.columns, self.values) = (rows, columns, values)
    }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Row `i` as a copy (for tests and small matrices; kernels read `values` directly).
    public func row(_ i: Int) -> [Float] { Array(values[i * columns ..< (i + 1) * columns]) }
}

/// A sparse row-major matrix (CSR) of Float32: word counts for LDA, sparse RecordIO input.
public struct SparseMatrix: Sendable, Equatable {
    public var rows: Int { rowStarts.count - 1 }
    public var columns: Int
    /// Row `i`'s entries are `columnIndices[rowStarts[i] ..< rowStarts[i + 1]]`, ascending.
    public var rowStarts: [Int]
    public var columnIndices: [Int32]
    public var values: [Float]

    public init(columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Float]) {
        precondition(!rowStarts.isEmpty && rowStarts.last == values.count && columnIndices.count == values.count)
        (self.columns, self.rowStarts, self.columnIndices, self.values) = (columns, rowStarts, columnIndices, values)
    }

    public var nonZeroCount: Int { values.count }

    /// The same data as a dense matrix.
    public func densified() -> Matrix {
        var dense = Matrix(rows: rows, columns: columns)
        for i in 0 ..< rows {
            for p in rowStarts[i] ..< rowStarts[i + 1] { dense.values[i * columns + Int(columnIndices[p])] = values[p] }
        }
        return dense
    }
}
