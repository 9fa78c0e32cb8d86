import Linalg

/// A CSR copy of the training rows, kept when the data is sparse enough for the sparse distance
/// kernel to win (it costs in proportion to the non-zeros; mnist-like images are ~25 % non-zero).
struct SparseRows {
    var rowStarts: [Int]
    var columnIndices: [Int32]
    var values: [Float]

    /// The non-zeros of `x`, or nil when more than `maxDensity` of its entries are non-zero.
    init?(_ x: Matrix, maxDensity: Double) {
        let total = x.values.count
        guard total > 0 else { return nil }
        var nonZero = 0
        for v in x.values where v != 0 { nonZero += 1 }
        guard Double(nonZero) <= maxDensity * Double(total), nonZero > 0 else { return nil }
        var starts = [Int](), cols = [Int32](), vals = [Float]()
        starts.reserveCapacity(x.rows + 1)
        cols.reserveCapacity(nonZero)
        vals.reserveCapacity(nonZero)
        starts.append(0)
        x.values.withUnsafeBufferPointer { p in
            for r in 0 ..< x.rows {
                let row = p.baseAddress! + r * x.columns
                for t in 0 ..< x.columns where row[t] != 0 {
                    cols.append(Int32(t))
                    vals.append(row[t])
                }
                starts.append(vals.count)
            }
        }
        (rowStarts, columnIndices, values) = (starts, cols, vals)
    }
}
