import Linalg

/// A trained PCA model in SageMaker's layout: components in ascending order of singular value
/// (the largest last), as `pca:1` stores `s`, `v` and `mean`.
public struct PCAModel: Sendable, Equatable {
    /// `s`: singular values of the (centred) data, i.e. √eigenvalues of the covariance sum (not divided by n), ascending.
    public var singularValues: [Float]
    /// `v`: `feature_dim × num_components`; column `j` is the unit component of `singularValues[j]`.
    public var components: Matrix
    /// `mean`: column means of the training data (`feature_dim`).
    public var mean: [Float]
    /// Whether projections subtract `mean` first.
    public var subtractMean: Bool

    public init(singularValues: [Float], components: Matrix, mean: [Float], subtractMean: Bool) {
        self.singularValues = singularValues
        self.components = components
        self.mean = mean
        self.subtractMean = subtractMean
    }

    /// `(x − mean)·v` for each row (`x·v` when `subtractMean` is false): `rows × num_components`,
    /// columns in the same ascending order as `singularValues`.
    public func project(_ rows: Matrix) -> Matrix {
        precondition(rows.columns == components.rows, "rows have \(rows.columns) columns, the model \(components.rows)")
        var out = Kernels.multiply(rows, components)
        guard subtractMean, out.rows > 0 else { return out }
        // (x − m)·v = x·v − m·v.
        let shift = Kernels.multiply(Matrix(rows: 1, columns: mean.count, values: mean), components).values
        let c = out.columns
        for i in 0 ..< out.rows {
            for j in 0 ..< c { out.values[i * c + j] -= shift[j] }
        }
        return out
    }
}
