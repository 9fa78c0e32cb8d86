import Linalg

/// Dense training/evaluation data: one row of `features` per label.
public struct LabeledData: Sendable {
    public var features: Matrix
    /// Binary: 0/1; multiclass: 0…num_classes−1; regression: any real value.
    public var labels: [Float]

    public init(features: Matrix, labels: [Float]) {
        self.features = features
        self.labels = labels
    }

    public var rowCount: Int { features.rows }
}
