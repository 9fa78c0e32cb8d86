/// One regression tree in XGBoost's node-array form. Node 0 is the root; a leaf has
/// `left == -1` and its output in `splitCondition` (as XGBoost's JSON stores it).
public struct RegressionTree: Sendable {
    public var left: [Int32] = []
    public var right: [Int32] = []
    public var parent: [Int32] = []
    public var splitFeature: [Int32] = []
    public var splitCondition: [Float] = []
    /// Bin index of the split (training only; -1 for loaded trees).
    public var splitBin: [Int32] = []
    public var defaultLeft: [Bool] = []
    public var baseWeight: [Float] = []
    public var lossChange: [Float] = []
    public var sumHessian: [Float] = []

    public init() {}

    public var nodeCount: Int { left.count }
    @inlinable public func isLeaf(_ n: Int) -> Bool { left[n] < 0 }

    @discardableResult
    mutating func addNode(parent p: Int, weight: Float, leafValue: Float, hessian: Float) -> Int {
        left.append(-1); right.append(-1); parent.append(p < 0 ? Int32.max : Int32(p))
        splitFeature.append(0); splitCondition.append(leafValue); splitBin.append(-1)
        defaultLeft.append(false); baseWeight.append(weight); lossChange.append(0); sumHessian.append(hessian)
        return left.count - 1
    }

    /// Leaf reached by a dense row (`x[f]`, NaN = missing).
    @inlinable public func leaf(for x: UnsafePointer<Float>, featureCount: Int) -> Int {
        var n = 0
        while left[n] >= 0 {
            let f = Int(splitFeature[n])
            let v = f < featureCount ? x[f] : Float.nan
            if v.isNaN {
                n = Int(defaultLeft[n] ? left[n] : right[n])
            } else {
                n = Int(v < splitCondition[n] ? left[n] : right[n])
            }
        }
        return n
    }

    /// Leaf reached by a binned training row (exactly the training partition).
    @inlinable func leaf(forBins b: UnsafePointer<UInt8>, hasMissing: [Bool]) -> Int {
        var n = 0
        while left[n] >= 0 {
            let f = Int(splitFeature[n])
            let v = b[f]
            if v == QuantileCuts.missingBin && hasMissing[f] {
                n = Int(defaultLeft[n] ? left[n] : right[n])
            } else {
                n = Int(Int32(v) <= splitBin[n] ? left[n] : right[n])
            }
        }
        return n
    }

    public var depth: Int {
        var d = [Int](repeating: 0, count: nodeCount)
        var best = 0
        for n in 1..<max(1, nodeCount) { d[n] = d[Int(parent[n])] + 1; best = max(best, d[n]) }
        return best
    }
}
