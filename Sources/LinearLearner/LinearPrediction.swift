/// One prediction: what SageMaker's linear-learner returns per row.
public struct LinearPrediction: Sendable, Equatable {
    /// Binary logistic: P(label = 1); binary hinge: the raw margin; multiclass: `num_classes` probabilities;
    /// regressor: the prediction in label units.
    public var score: [Float]
    /// 0/1 for binary (score ≥ threshold), the argmax class for multiclass, nil for regressors.
    public var predictedLabel: Float?

    public init(score: [Float], predictedLabel: Float?) {
        self.score = score
        self.predictedLabel = predictedLabel
    }
}
