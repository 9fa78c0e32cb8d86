/// A final metric on a data channel, e.g. `roc_auc_score`; `isLoss` selects `<loss>` (minimised) vs `<score>`.
public struct LinearMetric: Sendable, Equatable {
    public var name: String
    public var value: Double
    public var isLoss: Bool

    public init(name: String, value: Double, isLoss: Bool) {
        (self.name, self.value, self.isLoss) = (name, value, isLoss)
    }
}
