/// Training settings for K-Means, mirroring SageMaker `kmeans:1` hyperparameters
/// (`auto` values are `nil` here and resolved at training time).
public struct KMeansConfiguration: Sendable, Equatable {
    /// How centres are seeded (`init_method` / `local_lloyd_init_method`).
    public enum InitMethod: String, Sendable, Equatable {
        /// Rows picked uniformly at random.
        case random
        /// k-means++: each next centre drawn with probability ∝ (weight ×) squared distance to the chosen ones.
        case kmeansPlusPlus = "kmeans++"
    }

    /// `k`: number of clusters in the final model.
    public var k: Int
    /// `feature_dim`: columns of every row.
    public var featureDim: Int
    /// `mini_batch_size`: rows per mini-batch of the streaming pass.
    public var miniBatchSize: Int
    /// `epochs`: passes of the streaming (mini-batch) phase over the data.
    public var epochs: Int
    /// `init_method`: how the `k × extra_center_factor` streaming centres are seeded from the first mini-batch.
    public var initMethod: InitMethod
    /// `extra_center_factor` (`nil` = `auto` = 10): the streaming phase keeps `k × factor` centres.
    public var extraCenterFactor: Int?
    /// `local_lloyd_max_iter`: iteration cap of the final Lloyd runs (shrink and full-data refinement).
    public var localLloydMaxIterations: Int
    /// `local_lloyd_tol`: Lloyd stops when the relative decrease of the loss is below this.
    public var localLloydTolerance: Double
    /// `local_lloyd_num_trials` (`nil` = `auto` = 10): shrink attempts; the lowest loss wins.
    public var localLloydTrials: Int?
    /// `local_lloyd_init_method`: seeding of each shrink attempt.
    public var localLloydInitMethod: InitMethod
    /// `half_life_time_size`: after this many further points, a point's weight in its centre halves (0 = never).
    public var halfLifeTimeSize: Int
    /// Kiln addition: after the shrink, run Lloyd's algorithm on all rows from the shrunk centres
    /// (bounded by `localLloydMaxIterations` / `localLloydTolerance`). Brings the loss to the level of
    /// a full batch k-means; `false` gives SageMaker's plain web-scale result.
    public var refineOnFullData: Bool
    /// Seed of every random choice: same data + configuration + seed ⇒ same model.
    public var seed: UInt64

    public init(
        k: Int, featureDim: Int, miniBatchSize: Int = 5000, epochs: Int = 1, initMethod: InitMethod = .random,
        extraCenterFactor: Int? = nil, localLloydMaxIterations: Int = 300, localLloydTolerance: Double = 1e-4,
        localLloydTrials: Int? = nil, localLloydInitMethod: InitMethod = .kmeansPlusPlus, halfLifeTimeSize: Int = 0,
        refineOnFullData: Bool = true, seed: UInt64 = 0
    ) {
        self.k = k
        self.featureDim = featureDim
        self.miniBatchSize = miniBatchSize
        self.epochs = epochs
        self.initMethod = initMethod
        self.extraCenterFactor = extraCenterFactor
        self.localLloydMaxIterations = localLloydMaxIterations
        self.localLloydTolerance = localLloydTolerance
        self.localLloydTrials = localLloydTrials
        self.localLloydInitMethod = localLloydInitMethod
        self.halfLifeTimeSize = halfLifeTimeSize
        self.refineOnFullData = refineOnFullData
        self.seed = seed
    }

    /// `extra_center_factor` with `auto` resolved.
    public var resolvedExtraCenterFactor: Int { extraCenterFactor ?? 10 }
    /// `local_lloyd_num_trials` with `auto` resolved.
    public var resolvedLocalLloydTrials: Int { localLloydTrials ?? 10 }

    /// Throws a `KMeansError` naming the first out-of-range setting.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw KMeansError(message) } }
        try check(k >= 1, "k must be a positive integer, got \(k)")
        try check(featureDim >= 1, "feature_dim must be a positive integer, got \(featureDim)")
        try check(miniBatchSize >= 1, "mini_batch_size must be a positive integer, got \(miniBatchSize)")
        try check(epochs >= 1, "epochs must be a positive integer, got \(epochs)")
        if let f = extraCenterFactor { try check(f >= 1, "extra_center_factor must be a positive integer or auto, got \(f)") }
        try check(localLloydMaxIterations >= 1, "local_lloyd_max_iter must be a positive integer, got \(localLloydMaxIterations)")
        try check(
            localLloydTolerance >= 0 && localLloydTolerance <= 1,
            "local_lloyd_tol must be a number in [0, 1], got \(localLloydTolerance)")
        if let t = localLloydTrials { try check(t >= 1, "local_lloyd_num_trials must be a positive integer or auto, got \(t)") }
        try check(halfLifeTimeSize >= 0, "half_life_time_size must be a non-negative integer, got \(halfLifeTimeSize)")
    }
}
