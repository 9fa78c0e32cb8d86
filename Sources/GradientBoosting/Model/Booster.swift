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

    /// One node of the flattened forest the fast predictor walks (children as indexes into the tree's own slice).
    struct FlatNode {
        var left: Int32
        var right: Int32
        var feature: Int32
        var defaultLeft: Bool
        /// The split threshold, or the leaf value when `left < 0`.
        var value: Float
    }

    /// Raw margins, `rows * groups` values. Trees are flattened into one node array, and rows go through them in
    /// blocks of 64, tree by tree, so a tree stays in cache while a block walks it. Trees are summed in the same
    /// order per row as `predictMarginsReference`, so the results are identical.
    public func predictMargins(_ x: DataMatrix, treeLimit: Int? = nil, threads: Int = 2) -> [Float] {
        // Flattening costs a pass over the forest: small requests (single-row endpoint calls) skip it.
        // gblinear has no trees; dart scales each tree by its weight_drop, which the blocked walk does not apply.
        guard kind != .gblinear, kind != .dart, x.rows >= 64 else {
            return predictMarginsReference(x, treeLimit: treeLimit, threads: threads)
        }
        let K = groups
        let base = baseMargins()
        let F = x.cols
        let R = x.rows
        let limit = min(treeLimit ?? trees.count, trees.count)
        var nodes: [FlatNode] = []
        var roots: [Int] = []
        for t in 0..<limit {
            let tree = trees[t]
            roots.append(nodes.count)
            for n in 0..<tree.nodeCount {
                nodes.append(FlatNode(left: tree.left[n], right: tree.right[n], feature: tree.splitFeature[n],
                                      defaultLeft: tree.defaultLeft[n], value: tree.splitCondition[n]))
            }
        }
        let groupOf = Array(treeInfo.prefix(limit))
        var out = [Float](repeating: 0, count: R * K)
        x.values.withUnsafeBufferPointer { xb in
            nodes.withUnsafeBufferPointer { nb in
                out.withUnsafeMutableBufferPointer { ob in
                    let op = SendablePointer(ob.baseAddress!)
                    guard let xp = xb.baseAddress, let np = nb.baseAddress else {
                        for r in 0..<R { for k in 0..<K { op.p[r * K + k] = base[k] } }
                        return
                    }
                    let blocks = max(1, min(64, R / 1024))
                    parallelFor(blocks, threads: threads) { b in
                        var r0 = R * b / blocks
                        let end = R * (b + 1) / blocks
                        for r in r0..<end { for k in 0..<K { op.p[r * K + k] = base[k] } }
                        while r0 < end {
                            let r1 = min(r0 + 64, end)
                            for t in 0..<limit {
                                let root = np + roots[t]
                                let k = groupOf[t]
                                for r in r0..<r1 {
                                    let row = xp + r * F
                                    var n = 0
                                    while true {
                                        let node = root[n]
                                        if node.left < 0 { break }
                                        let f = Int(node.feature)
                                        let v = f < F ? row[f] : Float.nan
                                        n = Int(v.isNaN ? (node.defaultLeft ? node.left : node.right) : (v < node.value ? node.left : node.right))
                                    }
                                    op.p[r * K + k] += root[n].value
                                }
                            }
                            r0 = r1
                        }
                    }
                }
            }
        }
        return out
    }

    /// The plain row-at-a-time predictor: the reference the fast one is tested against (and the gblinear path).
    public func predictMarginsReference(_ x: DataMatrix, treeLimit: Int? = nil, threads: Int = 2) -> [Float] {
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
