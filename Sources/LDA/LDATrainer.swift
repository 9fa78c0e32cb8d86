import Foundation
import Linalg

/// Trains LDA: SageMaker's spectral method (moments, whitening, tensor ALS with restarts, 25 % extra
/// topics filtered by α), then `refinementPasses` passes of variational EM on β started from the
/// spectral topics (α stays the spectral estimate, scaled to sum to `alpha0`).
public enum LDATrainer {
    /// Topic-word pseudo-count of the EM refinement's M-step (keeps every β entry > 0).
    static let topicWordPrior: Float = 0.01

    /// Trains on `documents` (documents × vocabulary word counts).
    ///
    /// - Throws: `LDAError` for an invalid configuration, a vocabulary size different from
    ///   `featureDim`, negative or non-finite counts, or no document with at least 3 words.
    public static func train(
        _ documents: SparseMatrix, configuration: LDAConfiguration, log: (String) -> Void
    ) throws -> LDAModel {
        try configuration.validate()
        if documents.columns != configuration.featureDim {
            throw LDAError("documents have \(documents.columns) features but feature_dim is \(configuration.featureDim)")
        }
        if documents.rows == 0 { throw LDAError("the train channel has no documents") }
        if let bad = documents.values.first(where: { !($0 >= 0) || !$0.isFinite }) {
            throw LDAError("word counts must be finite and ≥ 0, found \(bad)")
        }
        let k = configuration.numTopics, v = documents.columns
        var rng = Kernels.SplitMix64(seed: configuration.seed)
        let start = Date()
        let extra = Int((1.25 * Double(k)).rounded(.up))
        let spectral = try SpectralEstimator(documents: documents, alpha0: configuration.alpha0).estimate(
            components: extra, maxRestarts: configuration.maxRestarts, maxIterations: configuration.maxIterations,
            tolerance: configuration.tolerance, rng: &rng, log: log)
        // Keep the numTopics components with the largest α.
        let order = spectral.alpha.indices.sorted { spectral.alpha[$0] > spectral.alpha[$1] }.prefix(k)
        var alpha = order.map { spectral.alpha[$0] }
        var topics = order.map { spectral.topics[$0] }
        if topics.count < k {
            // Too few spectral components: fill with perturbed copies of the corpus word distribution.
            var background = [Double](repeating: 0, count: v)
            for q in documents.values.indices { background[Int(documents.columnIndices[q])] += Double(documents.values[q]) }
            let meanAlpha = alpha.isEmpty ? 1 : alpha.reduce(0, +) / Double(alpha.count)
            while topics.count < k {
                var t = background.map { $0 * (0.5 + rng.nextOpenUnit()) + 1e-12 }
                let s = t.reduce(0, +)
                t = t.map { $0 / s }
                topics.append(t)
                alpha.append(meanAlpha)
            }
        }
        let alphaSum = alpha.reduce(0, +)
        alpha = alpha.map { $0 * configuration.alpha0 / alphaSum }
        let kept = min(k, spectral.topics.count)
        log("Spectral estimate: \(kept) of \(spectral.topics.count) components kept\(kept < k ? ", \(k - kept) topics started from the corpus word distribution" : ""), took \(String(format: "%.3f", Date().timeIntervalSince(start))) s")

        // β as numTopics × V, smoothed so the refinement never sees a zero probability everywhere.
        var beta = Matrix(rows: k, columns: v)
        for t in 0 ..< k {
            for w in 0 ..< v { beta.values[t * v + w] = Float(topics[t][w]) + 1e-6 / Float(v) }
            normalizeRow(&beta, t)
        }
        let alphaF = alpha.map { Float($0) }
        var gamma = [Float]()
        for pass in 0 ..< configuration.refinementPasses {
            let step = VariationalEStep(alpha: alphaF, beta: beta)
            let stats = step.run(documents, gamma: &gamma, maxIterations: 100, tolerance: 1e-3, collectStatistics: true)!
            let kp = step.paddedTopics
            for t in 0 ..< k {
                for w in 0 ..< v { beta.values[t * v + w] = stats[w * kp + t] + topicWordPrior }
                normalizeRow(&beta, t)
            }
            log("EM refinement pass \(pass + 1) of \(configuration.refinementPasses) done, \(String(format: "%.3f", Date().timeIntervalSince(start))) s")
        }
        return LDAModel(alpha: alphaF, beta: beta)
    }

    /// The body of the test metric log line: `#quality_metric: host=algo-1, test pwll <score>=<v>`.
    public static func testMetricLine(perWordLogLikelihood value: Double, host: String = "algo-1") -> String {
        "#quality_metric: host=\(host), test pwll <score>=\(value)"
    }

    private static func normalizeRow(_ m: inout Matrix, _ row: Int) {
        var s: Double = 0
        for w in 0 ..< m.columns { s += Double(m.values[row * m.columns + w]) }
        let inv = Float(1 / s)
        for w in 0 ..< m.columns { m.values[row * m.columns + w] *= inv }
    }
}
