import Foundation
import Linalg

/// A trained LDA model: Dirichlet topic weights α and topic-word distributions β.
///
/// Saved by the glue as SageMaker's `[alpha, beta]` NDArray list, with β shaped
/// `[numTopics, vocabulary]` (one topic per row).
public struct LDAModel: Sendable, Equatable {
    /// Dirichlet prior weights of the topics (length `numTopics`, all > 0).
    public var alpha: [Float]
    /// `numTopics × vocabulary`; each row is a topic's word distribution (≥ 0, sums to 1).
    public var beta: Matrix

    public init(alpha: [Float], beta: Matrix) {
        precondition(alpha.count == beta.rows, "alpha has \(alpha.count) topics, beta \(beta.rows)")
        self.alpha = alpha
        self.beta = beta
    }

    public var numTopics: Int { beta.rows }
    public var vocabularySize: Int { beta.columns }

    /// Per-document topic mixtures: documents × `numTopics`, each row ≥ 0 and summing to 1.
    ///
    /// The variational E-step under (α, β) run to a fixed point (deterministic; at most 100
    /// iterations, until the mean change of γ per topic is below 1e-3); a document without words
    /// gets the prior mean α / Σα.
    public func topicMixtures(_ documents: SparseMatrix) throws -> Matrix {
        try checkVocabulary(documents)
        let gamma = inferGamma(documents)
        let k = numTopics
        var out = Matrix(rows: documents.rows, columns: k)
        for d in 0 ..< documents.rows {
            var total: Float = 0
            for t in 0 ..< k { total += gamma[d * k + t] }
            for t in 0 ..< k { out.values[d * k + t] = gamma[d * k + t] / total }
        }
        return out
    }

    /// Per-word log-likelihood of `documents`: `Σ_d Σ_w c_dw log(Σ_k θ_dk β_kw) / Σ_d n_d`, with θ
    /// the inferred topic mixtures (the `test pwll` metric; higher is better). 0 for no words.
    public func perWordLogLikelihood(_ documents: SparseMatrix) throws -> Double {
        let theta = try topicMixtures(documents)
        let k = numTopics, v = vocabularySize
        var total = 0.0, words = 0.0
        for d in 0 ..< documents.rows {
            for q in documents.rowStarts[d] ..< documents.rowStarts[d + 1] {
                let w = Int(documents.columnIndices[q]), c = Double(documents.values[q])
                var p = 0.0
                for t in 0 ..< k { p += Double(theta.values[d * k + t]) * Double(beta.values[t * v + w]) }
                total += c * log(max(p, 1e-300))
                words += c
            }
        }
        return words > 0 ? total / words : 0
    }

    func inferGamma(_ documents: SparseMatrix) -> [Float] {
        var gamma = [Float]()
        _ = VariationalEStep(alpha: alpha, beta: beta).run(
            documents, gamma: &gamma, maxIterations: 100, tolerance: 1e-3, collectStatistics: false)
        return gamma
    }

    private func checkVocabulary(_ documents: SparseMatrix) throws {
        if documents.columns != vocabularySize {
            throw LDAError("documents have \(documents.columns) features but the model's vocabulary (feature_dim) is \(vocabularySize)")
        }
    }
}
