import Linalg

/// Rows read from a channel, kept dense or sparse as the algorithm asks: features plus (when the data has them)
/// one label per row. Readers append row by row; the data never passes through an intermediate copy per format.
struct TrainingRows {
    enum Layout { case dense, sparse }

    let layout: Layout
    /// Number of feature columns (`feature_dim`); rows wider than this are refused by the readers.
    let width: Int
    private(set) var count = 0
    private(set) var values: [Float] = []
    private(set) var rowStarts: [Int] = [0]
    private(set) var columnIndices: [Int32] = []
    private(set) var labels: [Float] = []
    private(set) var rowsWithoutLabel = 0

    init(layout: Layout, width: Int) { (self.layout, self.width) = (layout, width) }

    /// Appends a row given densely (`row.count == width`).
    mutating func append(dense row: UnsafeBufferPointer<Float>, label: Float?) {
        switch layout {
        case .dense:
            values.append(contentsOf: row)
        case .sparse:
            for (j, v) in row.enumerated() where v != 0 {
                columnIndices.append(Int32(j))
                values.append(v)
            }
            rowStarts.append(values.count)
        }
        finish(label)
    }

    /// Appends a row given as (ascending or not) keys and values, keys < width.
    mutating func append(keys: [UInt64], values rowValues: [Float], label: Float?) {
        switch layout {
        case .dense:
            let start = values.count
            values.append(contentsOf: repeatElement(0, count: width))
            for (k, v) in zip(keys, rowValues) { values[start + Int(k)] += v }
        case .sparse:
            let order = keys.indices.sorted { keys[$0] < keys[$1] }
            for i in order where rowValues[i] != 0 {
                columnIndices.append(Int32(keys[i]))
                values.append(rowValues[i])
            }
            rowStarts.append(values.count)
        }
        finish(label)
    }

    /// Appends all rows of `other` (same layout and width), e.g. a piece of a file parsed on its own.
    mutating func append(contentsOf other: TrainingRows) {
        precondition(other.layout == layout && other.width == width, "TrainingRows: appending rows of another shape")
        if layout == .sparse {
            let shift = values.count
            rowStarts.append(contentsOf: other.rowStarts.dropFirst().map { $0 + shift })
            columnIndices.append(contentsOf: other.columnIndices)
        }
        values.append(contentsOf: other.values)
        labels.append(contentsOf: other.labels)
        count += other.count
        rowsWithoutLabel += other.rowsWithoutLabel
    }

    private mutating func finish(_ label: Float?) {
        count += 1
        if let label { labels.append(label) } else { rowsWithoutLabel += 1 }
    }

    var hasLabels: Bool { count > 0 && rowsWithoutLabel == 0 }

    func denseMatrix() -> Matrix {
        switch layout {
        case .dense: Matrix(rows: count, columns: width, values: values)
        case .sparse: sparseMatrix().densified()
        }
    }

    func sparseMatrix() -> SparseMatrix {
        switch layout {
        case .sparse:
            return SparseMatrix(columns: width, rowStarts: rowStarts, columnIndices: columnIndices, values: values)
        case .dense:
            var starts = [0], columns: [Int32] = [], nonZero: [Float] = []
            for i in 0 ..< count {
                for j in 0 ..< width where values[i * width + j] != 0 {
                    columns.append(Int32(j))
                    nonZero.append(values[i * width + j])
                }
                starts.append(nonZero.count)
            }
            return SparseMatrix(columns: width, rowStarts: starts, columnIndices: columns, values: nonZero)
        }
    }
}

extension TrainingRows {
    /// A dense matrix's non-zeros as CSR (inference requests arrive dense; LDA works on sparse counts).
    static func sparse(_ m: Matrix) -> SparseMatrix {
        var rows = TrainingRows(layout: .sparse, width: m.columns)
        m.values.withUnsafeBufferPointer { all in
            for i in 0 ..< m.rows { rows.append(dense: UnsafeBufferPointer(rebasing: all[i * m.columns ..< (i + 1) * m.columns]), label: nil) }
        }
        return rows.sparseMatrix()
    }
}
