/// DART (`booster=dart`): trees dropped at random while the next tree is fitted, then re-weighted.
/// Names and defaults as SageMaker's XGBoost hyperparameters (and XGBoost's `dart_train_param`).
public struct DartParameters: Sendable, Equatable {
    public enum SampleType: String, Sendable { case uniform, weighted }
    public enum NormalizeType: String, Sendable { case tree, forest }
    /// `sample_type`: drop each tree with probability rate_drop (uniform) or in proportion to its weight.
    public var sampleType = SampleType.uniform
    /// `normalize_type`: weights of the new tree and the dropped ones, see `Trainer`'s DART step.
    public var normalizeType = NormalizeType.tree
    /// `rate_drop` in [0, 1].
    public var rateDrop = 0.0
    /// `one_drop`: drop at least one tree (unless the round is skipped).
    public var oneDrop = false
    /// `skip_drop` in [0, 1]: probability of a round without dropout.
    public var skipDrop = 0.0
    public init() {}

    /// Indices of the trees to drop this round (XGBoost's rule); `weights` are the current tree weights.
    func drop(weights: [Float], rng: inout SplitMix64) -> [Int] {
        if weights.isEmpty { return [] }
        if skipDrop > 0 && rng.nextDouble() < skipDrop { return [] }
        var out: [Int] = []
        switch sampleType {
        case .uniform:
            for i in weights.indices where rng.nextDouble() < rateDrop { out.append(i) }
            if oneDrop && out.isEmpty { out.append(Int(rng.next() % UInt64(weights.count))) }
        case .weighted:
            let sum = weights.reduce(0.0) { $0 + Double($1) }
            for i in weights.indices where rng.nextDouble() < rateDrop * Double(weights.count) * Double(weights[i]) / sum {
                out.append(i)
            }
            if oneDrop && out.isEmpty {
                // one tree drawn with probability proportional to its weight
                var u = rng.nextDouble() * sum
                var pick = weights.count - 1
                for i in weights.indices {
                    u -= Double(weights[i])
                    if u < 0 { pick = i; break }
                }
                out.append(pick)
            }
        }
        return out
    }

    /// New weights after a round that added `newTrees` trees with learning rate `eta` while `dropped` were out:
    /// (factor for each dropped tree, weight of each new tree). No drop: (1, 1).
    /// tree: k/(k + lr) and 1/(k + lr); forest: 1/(1 + lr) for both; lr = eta / newTrees.
    func normalization(dropped k: Int, newTrees: Int, eta: Double) -> (dropFactor: Float, newWeight: Float) {
        if k == 0 { return (1, 1) }
        let lr = Float(eta / Double(max(newTrees, 1)))
        switch normalizeType {
        case .tree: return (Float(k) / (Float(k) + lr), 1 / (Float(k) + lr))
        case .forest: let f = 1 / (1 + lr); return (f, f)
        }
    }
}
