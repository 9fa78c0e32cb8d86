/// Adaptive leaves for `reg:absoluteerror`: XGBoost (since 1.7) grows the tree on the sign gradients, then
/// replaces each leaf's value by the median of the residuals `label - margin` of the training rows that
/// reached it (weighted median with sample weights), times the learning rate. A leaf no sampled row
/// reached keeps its Newton value.
enum LeafRefresh {
    /// `rowIndex[leaf.start ..< leaf.start + leaf.count]` are the rows of each leaf; `margins` are the margins
    /// before this tree (`margins[row * stride + group]`).
    static func refreshToMedian(tree: inout RegressionTree, leaves: [HistTreeGrower.Leaf], rowIndex: UnsafePointer<UInt32>,
                                labels: [Float], weights: [Float]?, margins: [Float], stride: Int, group: Int,
                                learningRate: Double, threads: Int) {
        var values = [Float?](repeating: nil, count: leaves.count)
        values.withUnsafeMutableBufferPointer { vb in
            let out = SendablePointer(vb.baseAddress!)
            parallelFor(leaves.count, threads: threads) { li in
                let leaf = leaves[li]
                guard leaf.count > 0 else { return }
                var pairs = [(residual: Float, weight: Float)]()
                pairs.reserveCapacity(leaf.count)
                for j in leaf.start..<(leaf.start + leaf.count) {
                    let r = Int(rowIndex[j])
                    pairs.append((labels[r] - margins[r * stride + group], weights?[r] ?? 1))
                }
                out.p[li] = weights == nil ? quantile(0.5, of: pairs.map(\.residual)) : weightedQuantile(0.5, of: pairs)
            }
        }
        for (li, leaf) in leaves.enumerated() {
            if let q = values[li] { tree.splitCondition[leaf.node] = Float(Double(q) * learningRate) }
        }
    }

    /// XGBoost's interpolated quantile (`common::Quantile`): position `alpha * (n + 1)` in the sorted values.
    static func quantile(_ alpha: Double, of values: [Float]) -> Float {
        let sorted = values.sorted()
        let n = Double(sorted.count)
        if alpha <= 1 / (n + 1) { return sorted[0] }
        if alpha >= n / (n + 1) { return sorted[sorted.count - 1] }
        let x = alpha * (n + 1)
        let k = x.rounded(.down) - 1
        let d = (x - 1) - k
        let v0 = Double(sorted[Int(k)]), v1 = Double(sorted[Int(k) + 1])
        return Float(v0 + d * (v1 - v0))
    }

    /// XGBoost's weighted quantile (`common::WeightedQuantile`): the first value whose cumulative weight
    /// reaches `alpha` of the total.
    static func weightedQuantile(_ alpha: Double, of pairs: [(residual: Float, weight: Float)]) -> Float {
        let sorted = pairs.sorted { $0.residual < $1.residual }
        var cdf = [Float](repeating: 0, count: sorted.count)
        var total: Float = 0
        for (i, p) in sorted.enumerated() { total += p.weight; cdf[i] = total }
        let threshold = total * Float(alpha)
        var index = cdf.firstIndex { $0 >= threshold } ?? sorted.count - 1
        index = min(index, sorted.count - 1)
        return sorted[index].residual
    }
}
