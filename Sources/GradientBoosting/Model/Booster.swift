/// A trained model: trees (or linear weights), objective and base score, as XGBoost keeps them.
public struct Booster: Sendable {
    public enum Kind: String, Sendable { case gbtree, gblinear, dart }
    public var kind: Kind = .gbtree
    public var objective: Objective
    /// `base_score` in prediction space, one per output group (XGBoost 1.7 writes one value).
    public var baseScore: [Double]
    /// When true (loaded from an XGBoost 3.x multi-output intercept), `baseScore` already holds margins.
    public var baseScoreIsMargin = false
    public var numFeature: Int
    public var trees: [RegressionTree] = []
    /// Output group (class) of each tree.
    public var treeInfo: [Int] = []
    /// dart: weight of each tree in predictions (XGBoost's `weight_drop`); empty for gbtree.
    public var treeWeights: [Float] = []
    public var numParallelTree = 1
    /// gblinear: `(numFeature + 1) * groups` weights, feature-major, bias row last.
    public var linearWeights: [Float] = []
    public var attributes: [String: String] = [:]

    public init(objective: Objective, baseScore: Double, numFeature: Int) {
        self.objective = objective
        self.baseScore = [baseScore]
        self.numFeature = numFeature
    }

    public var groups: Int { objective.outputGroups }

    /// Initial margin per output group.
    public func baseMargins() -> [Float] {
        (0..<groups).map { k in
            let b = baseScore[min(k, baseScore.count - 1)]
            return Float(baseScoreIsMargin ? b : objective.margin(fromBaseScore: b))
        }
    }

    /// Raw margins, `rows * groups` values.
    public func predictMargins(_ x: DataMatrix, treeLimit: Int? = nil, threads: Int = 2) -> [Float] {
        let K = groups
        let base = baseMargins()
        var out = [Float](repeating: 0, count: x.rows * K)
        let F = x.cols
        let R = x.rows
        let trees = self.trees
        let info = treeInfo
        let limit = min(treeLimit ?? trees.count, trees.count)
        let lin = linearWeights
        let nf = numFeature
        let isLinear = kind == .gblinear
        let weights = kind == .dart && treeWeights.count >= limit ? treeWeights : []
        x.values.withUnsafeBufferPointer { xb in
            out.withUnsafeMutableBufferPointer { ob in
                let op = SendablePointer(ob.baseAddress!)
                let blocks = max(1, min(64, R / 1024))
                parallelFor(blocks, threads: threads) { b in
                    for r in (R * b / blocks)..<(R * (b + 1) / blocks) {
                        let row = xb.baseAddress! + r * F
                        for k in 0..<K { op.p[r * K + k] = base[k] }
                        if isLinear {
                            for k in 0..<K {
                                var s = lin[nf * K + k]
                                for f in 0..<min(F, nf) where !row[f].isNaN { s += row[f] * lin[f * K + k] }
                                op.p[r * K + k] += s
                            }
                            continue
                        }
                        if weights.isEmpty {
                            for t in 0..<limit {
                                let leaf = trees[t].leaf(for: row, featureCount: F)
                                op.p[r * K + info[t]] += trees[t].splitCondition[leaf]
                            }
                        } else {
                            for t in 0..<limit {
                                let leaf = trees[t].leaf(for: row, featureCount: F)
                                op.p[r * K + info[t]] += weights[t] * trees[t].splitCondition[leaf]
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Predictions as the Python package returns them (probabilities, class ids, values).
    public func predict(_ x: DataMatrix, outputMargin: Bool = false, threads: Int = 2) -> (values: [Float], width: Int) {
        let m = predictMargins(x, threads: threads)
        let K = groups
        if outputMargin { return (m, K) }
        let width = objective.predictionWidth(forEval: false)
        var out = [Float](repeating: 0, count: x.rows * width)
        m.withUnsafeBufferPointer { mb in
            out.withUnsafeMutableBufferPointer { ob in
                for r in 0..<x.rows { objective.transform(mb.baseAddress! + r * K, into: ob.baseAddress! + r * width) }
            }
        }
        return (out, width)
    }
}
