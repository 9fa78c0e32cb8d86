/// Training settings for PCA, mirroring SageMaker `pca:1` hyperparameters.
public struct PCAConfiguration: Sendable, Equatable {
    /// `algorithm_mode`.
    public enum Mode: String, Sendable, Equatable {
        /// Exact: covariance `XᵀX − n·m·mᵀ`, then its top eigenvectors.
        case regular
        /// Random ±1 sketch of the rows, then the top singular vectors within the sketched subspace.
        case randomized
    }

    /// `num_components`: principal components kept (≤ feature_dim).
    public var numComponents: Int
    /// `algorithm_mode`.
    public var mode: Mode
    /// `subtract_mean`: centre the data before the decomposition (and before projecting).
    public var subtractMean: Bool
    /// `extra_components` (randomized only; −1 = `max(10, num_components)`): extra sketch dimensions.
    public var extraComponents: Int
    /// Seed of the random sketch: same data + configuration + seed ⇒ same model.
    public var seed: UInt64

    public init(numComponents: Int, mode: Mode = .regular, subtractMean: Bool = true, extraComponents: Int = -1, seed: UInt64 = 0) {
        self.numComponents = numComponents
        self.mode = mode
        self.subtractMean = subtractMean
        self.extraComponents = extraComponents
        self.seed = seed
    }

    /// Sketch size of randomized mode: `num_components + extra_components` with −1 resolved.
    public var sketchSize: Int { numComponents + (extraComponents == -1 ? max(10, numComponents) : extraComponents) }

    /// Throws a `PCAError` naming the first out-of-range setting.
    public func validate(featureDim: Int) throws {
        if numComponents < 1 { throw PCAError("num_components must be a positive integer, got \(numComponents)") }
        if numComponents > featureDim {
            throw PCAError("num_components (\(numComponents)) must not exceed feature_dim (\(featureDim))")
        }
        if extraComponents < -1 { throw PCAError("extra_components must be -1 (auto) or a non-negative integer, got \(extraComponents)") }
    }
}
