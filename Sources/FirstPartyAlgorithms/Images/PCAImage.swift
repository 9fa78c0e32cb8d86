import Foundation
import Linalg
import ModelServing
import PCA
import TrainingRuntime
import TrainingWorker

/// SageMaker's `pca:1`, natively: `model_algo-1` is an MXNet NDArray file with the named arrays `s`
/// (singular values, ascending), `v` (`feature_dim × num_components`, same order) and `mean` (`1 × feature_dim`).
public struct PCATraining: TrainingAlgorithm {
    public init() {}

    static let defaults = [
        "algorithm_mode": "regular", "subtract_mean": "true", "extra_components": "-1", "force_dense": "true", "epochs": "1",
        "_kvstore": "dist_sync", "_num_kv_servers": "auto", "_num_gpus": "auto", "_log_level": "info",
    ]
    static let known: Set<String> = ["feature_dim", "num_components", "mini_batch_size"]

    public func train(_ workspace: Workspace, log write: (String) -> Void) throws {
        try withFirstPartyLog(write) { log in
            let job = try FirstPartyJob(workspace: workspace, log: log, algorithm: "pca", channels: ["train", "test"],
                                        defaults: Self.defaults, known: Self.known)
            let h = job.hyperparameters
            let train = job.reader("train")!
            let featureDim = try job.featureDim(train: train, defaultLabelSize: 0, required: true)
            let components = try h.requiredInt("num_components", in: 1 ... featureDim)
            _ = try h.requiredInt("mini_batch_size", in: 1 ... Int.max)
            _ = try h.int("epochs", in: 1 ... Int.max)
            _ = try h.bool("force_dense")
            // Spark's validator also allows `stable`; Kiln computes it as regular (the exact covariance method).
            let mode = try h.choice("algorithm_mode", ["regular", "randomized", "stable"])
            let extra = try h.int("extra_components", in: -1 ... Int(Int32.max))!
            let configuration = PCAConfiguration(numComponents: components, mode: mode == "randomized" ? .randomized : .regular,
                                                 subtractMean: try h.bool("subtract_mean")!, extraComponents: extra, seed: 0)
            let data = try job.rows("train", reader: train, layout: .dense, width: featureDim, defaultLabelSize: 0)!
            let model = try job.training { try PCATrainer.train(data.denseMatrix(), configuration: configuration, log: { log($0) }) }
            if job.channels["test"] == nil { log("Test data is not provided.") }
            try job.writeModel(NDArrayFile.encode([
                NDArrayFile.NamedArray(name: "s", shape: [components], values: model.singularValues),
                NDArrayFile.NamedArray(name: "v", shape: [featureDim, components], values: model.components.values),
                // A model that does not subtract the mean stores zeros, so every reader projects the same way.
                NDArrayFile.NamedArray(name: "mean", shape: [1, featureDim],
                                       values: configuration.subtractMean ? model.mean : [Float](repeating: 0, count: featureDim)),
            ]))
        }
    }
}

/// Serves PCA models: per row `projection` (length num_components), JSON under `projections`.
public struct PCAModelLoader: ModelLoader {
    public init() {}

    public func serves(image: String) -> Bool { BuiltInAlgorithm.resolve(image: image)?.name == "pca" }

    public func load(modelDirectory: URL, environment: [String: String]) throws -> any ServableModel {
        let arrays: [NDArrayFile.NamedArray]
        do { arrays = try NDArrayFile.decode(try ModelArtifact.read(modelDirectory)) } catch {
            throw InvocationFailure(status: 500, "Unable to load the PCA model: \(error)")
        }
        let named = Dictionary(arrays.compactMap { a in a.name.map { ($0, a) } }, uniquingKeysWith: { a, _ in a })
        guard let s = named["s"], let v = named["v"], v.shape.count == 2, v.shape[1] == s.values.count else {
            throw InvocationFailure(status: 500, "The PCA model must hold arrays s and v (feature_dim × num_components)")
        }
        let d = v.shape[0]
        let mean = named["mean"].map(\.values) ?? [Float](repeating: 0, count: d)
        guard mean.count == d else { throw InvocationFailure(status: 500, "The PCA model's mean has \(mean.count) values, expected \(d)") }
        // A model trained without mean subtraction stores zeros; projecting with them is the same computation.
        let model = PCAModel(singularValues: s.values, components: Matrix(rows: d, columns: v.shape[1], values: v.values),
                             mean: mean, subtractMean: true)
        return FirstPartyServable(featureDim: d, jsonKey: "projections") { rows in
            let p = model.project(rows)
            return (0 ..< p.rows).map { [.vector("projection", p.row($0))] }
        }
    }
}
