import Foundation
import LDA
import Linalg
import ModelServing
import TrainingRuntime
import TrainingWorker

/// SageMaker's `lda:1`, natively: documents are rows of word counts (RecordIO dense or sparse, or CSV in File
/// mode); `model_algo-1` is an MXNet NDArray list `[alpha (num_topics), beta (num_topics × feature_dim)]`.
public struct LDATraining: TrainingAlgorithm {
    public init() {}

    static let defaults = ["alpha0": "1.0", "max_restarts": "10", "max_iterations": "1000", "tol": "1e-8"]
    static let known: Set<String> = ["num_topics", "feature_dim", "mini_batch_size"]

    public func train(_ workspace: Workspace, log write: (String) -> Void) throws {
        try withFirstPartyLog(write) { log in
            let job = try FirstPartyJob(workspace: workspace, log: log, algorithm: "lda", channels: ["train", "test"],
                                        defaults: Self.defaults, known: Self.known)
            let h = job.hyperparameters
            for (name, c) in job.channels where c.TrainingInputMode == "Pipe" && (c.ContentType ?? "").lowercased().hasPrefix("text/csv") {
                throw AlgorithmError("ClientError: The \(name) channel: LDA reads text/csv in File mode only; use File mode or RecordIO-protobuf")
            }
            let train = job.reader("train")!
            let featureDim = try job.featureDim(train: train, defaultLabelSize: 0, required: true)
            let configuration = LDAConfiguration(
                numTopics: try h.requiredInt("num_topics", in: 1 ... 100_000),
                featureDim: featureDim,
                alpha0: try h.float("alpha0", above: 0)!,
                maxRestarts: try h.int("max_restarts", in: 1 ... Int.max)!,
                maxIterations: try h.int("max_iterations", in: 1 ... Int.max)!,
                tolerance: try h.float("tol", above: 0)!,
                seed: 0)
            _ = try h.requiredInt("mini_batch_size", in: 1 ... Int.max)
            let documents = try job.rows("train", reader: train, layout: .sparse, width: featureDim, defaultLabelSize: 0)!
            let model = try job.training { try LDATrainer.train(documents.sparseMatrix(), configuration: configuration, log: { log($0) }) }
            if let test = try job.rows("test", layout: .sparse, width: featureDim, defaultLabelSize: 0) {
                job.reportScore(channel: "test", metric: "pwll", value: try model.perWordLogLikelihood(test.sparseMatrix()), isLoss: false)
            } else {
                log("Test data is not provided.")
            }
            try job.writeModel(NDArrayFile.encode([
                NDArrayFile.NamedArray(shape: [model.alpha.count], values: model.alpha),
                NDArrayFile.NamedArray(shape: [model.beta.rows, model.beta.columns], values: model.beta.values),
            ]))
        }
    }
}

/// Serves LDA models: per document `topic_mixture` (num_topics values summing to 1).
public struct LDAModelLoader: ModelLoader {
    public init() {}

    public func serves(image: String) -> Bool { BuiltInAlgorithm.resolve(image: image)?.name == "lda" }

    public func load(modelDirectory: URL, environment: [String: String]) throws -> any ServableModel {
        let arrays: [NDArrayFile.NamedArray]
        do { arrays = try NDArrayFile.decode(try ModelArtifact.read(modelDirectory)) } catch {
            throw InvocationFailure(status: 500, "Unable to load the LDA model: \(error)")
        }
        guard arrays.count == 2, arrays[1].shape.count == 2, arrays[1].shape[0] == arrays[0].values.count else {
            throw InvocationFailure(status: 500, "The LDA model must hold [alpha (num_topics), beta (num_topics × feature_dim)]")
        }
        let beta = Matrix(rows: arrays[1].shape[0], columns: arrays[1].shape[1], values: arrays[1].values)
        let model = LDAModel(alpha: arrays[0].values, beta: beta)
        return FirstPartyServable(featureDim: beta.columns, jsonKey: "predictions") { rows in
            let mixtures: Matrix
            do { mixtures = try model.topicMixtures(TrainingRows.sparse(rows)) } catch {
                throw InvocationFailure("\(error)")
            }
            return (0 ..< mixtures.rows).map { [.vector("topic_mixture", mixtures.row($0))] }
        }
    }
}
