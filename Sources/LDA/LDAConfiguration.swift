/// Training settings for LDA: SageMaker's `lda` hyperparameters plus Kiln's refinement passes.
public struct LDAConfiguration: Sendable, Equatable {
    /// `num_topics`: number of topics to learn (> 0).
    public var numTopics: Int
    /// `feature_dim`: vocabulary size; must equal the documents' column count.
    public var featureDim: Int
    /// `alpha0`: prior guess of the sum of the Dirichlet topic weights (> 0).
    public var alpha0: Double
    /// `max_restarts`: random restarts of the tensor ALS decomposition (> 0).
    public var maxRestarts: Int
    /// `max_iterations`: iteration cap of each ALS run (> 0).
    public var maxIterations: Int
    /// `tol`: ALS stops when the relative change of the fit falls below this (> 0).
    public var tolerance: Double
    /// Seed of every random choice (ALS starts, range finder): same seed, same model.
    public var seed: UInt64
    /// Kiln extension (not a SageMaker hyperparameter): passes of variational EM that refine the
    /// spectral topics on the training documents. 0 returns the pure spectral estimate.
    public var refinementPasses: Int

    public init(
        numTopics: Int, featureDim: Int, alpha0: Double = 1.0, maxRestarts: Int = 10, maxIterations: Int = 1000,
        tolerance: Double = 1e-8, seed: UInt64 = 0, refinementPasses: Int = 3
    ) {
        self.numTopics = numTopics
        self.featureDim = featureDim
        self.alpha0 = alpha0
        self.maxRestarts = maxRestarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
        self.refinementPasses = refinementPasses
    }

    /// Throws an `LDAError` naming the first invalid setting and its allowed range.
    public func validate() throws {
        if numTopics <= 0 { throw LDAError("num_topics must be a positive integer, got \(numTopics)") }
        if featureDim <= 0 { throw LDAError("feature_dim must be a positive integer, got \(featureDim)") }
        if !(alpha0 > 0) || !alpha0.isFinite { throw LDAError("alpha0 must be a positive number, got \(alpha0)") }
        if maxRestarts <= 0 { throw LDAError("max_restarts must be a positive integer, got \(maxRestarts)") }
        if maxIterations <= 0 { throw LDAError("max_iterations must be a positive integer, got \(maxIterations)") }
        if !(tolerance > 0) || !tolerance.isFinite { throw LDAError("tol must be a positive number, got \(tolerance)") }
        if refinementPasses < 0 { throw LDAError("refinement passes must be ≥ 0, got \(refinementPasses)") }
    }
}
