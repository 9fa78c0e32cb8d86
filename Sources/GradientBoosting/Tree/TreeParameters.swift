/// Tree-growing knobs (XGBoost names in comments).
public struct TreeParameters: Sendable {
    public enum GrowPolicy: String, Sendable { case depthwise, lossguide }
    public var eta: Double = 0.3                 // eta / learning_rate
    public var gamma: Double = 0                 // min_split_loss
    public var maxDepth: Int = 6                 // 0 = unlimited (lossguide)
    public var maxLeaves: Int = 0                // 0 = unlimited
    public var minChildWeight: Double = 1
    public var maxDeltaStep: Double = 0
    public var lambda: Double = 1                // reg_lambda
    public var alpha: Double = 0                 // reg_alpha
    public var growPolicy: GrowPolicy = .depthwise
    public var colsampleByTree: Double = 1
    public var colsampleByLevel: Double = 1
    public var colsampleByNode: Double = 1
    /// Per feature: -1, 0 or +1.
    public var monotoneConstraints: [Int] = []
    /// Groups of feature indices allowed to interact.
    public var interactionConstraints: [[Int]] = []
    public init() {}

    @inlinable func thresholdL1(_ g: Double) -> Double {
        if g > alpha { return g - alpha }
        if g < -alpha { return g + alpha }
        return 0
    }

    /// Optimal leaf weight (before eta), XGBoost's CalcWeight.
    @inlinable public func weight(_ g: Double, _ h: Double) -> Double {
        if h < minChildWeight || h <= 0 { return 0 }
        var w = -thresholdL1(g) / (h + lambda)
        if maxDeltaStep != 0 { w = min(max(w, -maxDeltaStep), maxDeltaStep) }
        return w
    }

    @inlinable public func gain(givenWeight w: Double, _ g: Double, _ h: Double) -> Double {
        -(2 * g * w + (h + lambda) * w * w + 2 * alpha * abs(w))
    }

    /// Structure score of a node, XGBoost's CalcGain.
    @inlinable public func gain(_ g: Double, _ h: Double) -> Double {
        if h < minChildWeight || h <= 0 { return 0 }
        if maxDeltaStep == 0 {
            let t = thresholdL1(g)
            return t * t / (h + lambda)
        }
        return gain(givenWeight: weight(g, h), g, h)
    }
}
