import Foundation
import KMeans
import Linalg
import ModelServing
import TrainingRuntime
import TrainingWorker

/// SageMaker's `kmeans:1`, natively: the same hyperparameters, channels (train, test), log lines, model file
/// (`model_algo-1`, an MXNet NDArray list holding the `k × feature_dim` centroids) and inference formats.
public struct KMeansTraining: TrainingAlgorithm {
    public init() {}

    static let defaults = [
        "mini_batch_size": "5000", "epochs": "1", "init_method": "random", "extra_center_factor": "auto",
        "local_lloyd_max_iter": "300", "local_lloyd_tol": "0.0001", "local_lloyd_num_trials": "auto",
        "local_lloyd_init_method": "kmeans++", "half_life_time_size": "0", "eval_metrics": "[\"msd\"]", "force_dense": "true",
        "_kvstore": "auto", "_num_gpus": "auto", "_num_kv_servers": "1", "_num_slices": "1", "_log_level": "info",
        "_enable_profiler": "false", "_disable_wait_to_read": "false", "_tuning_objective_metric": "",
    ]
    static let known: Set<String> = ["feature_dim", "k"]

    public func train(_ workspace: Workspace, log write: (String) -> Void) throws {
        try withFirstPartyLog(write) { log in
            let job = try FirstPartyJob(workspace: workspace, log: log, algorithm: "kmeans", channels: ["train", "test"],
                                        defaults: Self.defaults, known: Self.known)
            let h = job.hyperparameters
            let k = try h.requiredInt("k", in: 2 ... 1_000_000)
            let train = job.reader("train")!
            let featureDim = try job.featureDim(train: train, defaultLabelSize: 0, required: true)
            let metrics = h.list("eval_metrics") ?? ["msd"]
            for m in metrics where m != "msd" && m != "ssd" {
                throw h.invalid("eval_metrics", "expected a list of msd and ssd, got '\(m)'")
            }
            let configuration = KMeansConfiguration(
                k: k, featureDim: featureDim,
                miniBatchSize: try h.int("mini_batch_size", in: 1 ... Int.max)!,
                epochs: try h.int("epochs", in: 1 ... Int.max)!,
                initMethod: try h.choice("init_method", ["random", "kmeans++"]) == "kmeans++" ? .kmeansPlusPlus : .random,
                extraCenterFactor: try h.int("extra_center_factor", in: 1 ... Int.max, allowAuto: true),
                localLloydMaxIterations: try h.int("local_lloyd_max_iter", in: 1 ... Int.max)!,
                localLloydTolerance: try h.float("local_lloyd_tol", atLeast: 0, atMost: 1)!,
                localLloydTrials: try h.int("local_lloyd_num_trials", in: 1 ... Int.max, allowAuto: true),
                localLloydInitMethod: try h.choice("local_lloyd_init_method", ["random", "kmeans++"]) == "random" ? .random : .kmeansPlusPlus,
                halfLifeTimeSize: try h.int("half_life_time_size", in: 0 ... Int.max)!,
                seed: 0)
            _ = try h.bool("force_dense")
            let data = try job.rows("train", reader: train, layout: .dense, width: featureDim, defaultLabelSize: 0)!
            let model = try job.training { try KMeansTrainer.train(data.denseMatrix(), configuration: configuration, log: { log($0) }) }
            if let test = try job.rows("test", layout: .dense, width: featureDim, defaultLabelSize: 0) {
                let score = model.score(test.denseMatrix())
                for m in metrics { job.reportScore(channel: "test", metric: m, value: m == "msd" ? score.msd : score.ssd, isLoss: true) }
            } else {
                log("Test data is not provided.")
            }
            try job.writeModel(NDArrayFile.encode([NDArrayFile.NamedArray(shape: [k, featureDim], values: model.centroids.values)]))
        }
    }
}

/// Serves K-Means models: per row `closest_cluster` and `distance_to_cluster` (Euclidean).
public struct KMeansModelLoader: ModelLoader {
    public init() {}

    public func serves(image: String) -> Bool { BuiltInAlgorithm.resolve(image: image)?.name == "kmeans" }

    public func load(modelDirectory: URL, environment: [String: String]) throws -> any ServableModel {
        let arrays: [NDArrayFile.NamedArray]
        do { arrays = try NDArrayFile.decode(try ModelArtifact.read(modelDirectory)) } catch {
            throw InvocationFailure(status: 500, "Unable to load the K-Means model: \(error)")
        }
        guard let centroids = arrays.first, centroids.shape.count == 2, centroids.shape[0] > 0 else {
            throw InvocationFailure(status: 500, "The K-Means model must hold one k × feature_dim array")
        }
        let model = KMeansModel(centroids: Matrix(rows: centroids.shape[0], columns: centroids.shape[1], values: centroids.values))
        return FirstPartyServable(featureDim: centroids.shape[1], jsonKey: "predictions",
                                  fieldOrders: ["text/csv": ["closest_cluster", "distance_to_cluster"]]) { rows in
            let (clusters, distances) = model.assign(rows)
            return zip(clusters, distances).map { [.scalar("distance_to_cluster", $1), .scalar("closest_cluster", Float($0))] }
        }
    }
}
