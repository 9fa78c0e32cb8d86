/// A built-in algorithm image Kiln can run natively, found by the image URI's repository name and tag.
public struct BuiltInAlgorithm: Sendable, Equatable {
    /// Kiln's name for the algorithm (the worker's `--algorithm`).
    public var name: String
    public var metricDefinitions: [MetricPattern]
    /// Content types the training channels accept.
    public var contentTypes: [String]

    /// Maps `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` (account and region ignored) to an algorithm.
    public static func resolve(image: String) -> BuiltInAlgorithm? {
        let path = image.split(separator: "/").dropFirst().joined(separator: "/")
        let nameAndTag = path.isEmpty ? image : path
        let parts = nameAndTag.split(separator: ":", maxSplits: 1)
        let repository = String(parts[0])
        let tag = parts.count > 1 ? String(parts[1]) : "latest"
        switch repository {
        case "sagemaker-xgboost" where tag.first?.isNumber == true:
            return xgboost
        case "xgboost" where tag == "1" || tag == "latest":
            return xgboost
        case "kmeans" where tag == "1" || tag == "latest":
            return kmeans
        case "pca" where tag == "1" || tag == "latest":
            return pca
        case "linear-learner" where tag == "1" || tag == "latest":
            return linearLearner
        case "lda" where tag == "1" || tag == "latest":
            return lda
        default:
            return nil
        }
    }

    /// SageMaker's XGBoost image: metrics `<channel>:<metric>` read from the per-round log lines.
    public static let xgboost = BuiltInAlgorithm(
        name: "xgboost",
        metricDefinitions: ["train", "validation"].flatMap { channel in
            ["mae", "rmse", "mse", "logloss", "error", "auc", "aucpr", "merror", "mlogloss", "accuracy", "f1", "ndcg", "map",
             "gamma-deviance", "gamma-nloglik", "poisson-nloglik", "tweedie-nloglik", "cox-nloglik", "rmsle", "mape", "r2",
             "balanced_accuracy", "f1_binary", "f1_macro", "precision", "precision_macro", "precision_micro", "recall",
             "recall_macro", "recall_micro"].map { metric in
                MetricPattern(name: "\(channel):\(metric)",
                                 regex: #".*\[[0-9]+\].*#011"# + "\(channel)-\(metric)" + #":([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"#)
            }
        },
        contentTypes: ["text/csv", "csv", "text/libsvm", "libsvm", "text/x-libsvm", "application/x-parquet",
                       "application/x-recordio-protobuf"])
}

extension BuiltInAlgorithm {
    static let firstPartyContentTypes = ["application/x-recordio-protobuf", "text/csv"]
    static let progress = [
        MetricPattern(name: "train:progress", regex: #"#progress_metric: host=\S+, completed (\S+) %"#),
        MetricPattern(name: "train:throughput", regex: #"#throughput_metric: host=\S+, train throughput=(\S+) records/second"#),
    ]

    /// `#quality_metric: host=…, <channel> <metric> <loss|score>=<value>`, the first-party final-metric line.
    static func quality(_ channel: String, _ metric: String, _ kind: String, name: String? = nil, nameRegex: String? = nil) -> MetricPattern {
        MetricPattern(name: name ?? "\(channel):\(metric)",
                      regex: #"#quality_metric: host=\S+, "# + channel + " " + (nameRegex ?? metric) + " <" + kind + #">=(\S+)"#)
    }

    /// SageMaker's `kmeans:1`.
    public static let kmeans = BuiltInAlgorithm(
        name: "kmeans",
        metricDefinitions: [quality("test", "msd", "loss"), quality("test", "ssd", "loss")] + progress,
        contentTypes: firstPartyContentTypes)

    /// SageMaker's `pca:1` (no tunable metrics).
    public static let pca = BuiltInAlgorithm(name: "pca", metricDefinitions: progress, contentTypes: firstPartyContentTypes)

    /// SageMaker's `lda:1`.
    public static let lda = BuiltInAlgorithm(name: "lda", metricDefinitions: [quality("test", "pwll", "score")], contentTypes: firstPartyContentTypes)

    /// SageMaker's `linear-learner:1`, with the metric definitions AWS publishes for it.
    public static let linearLearner: BuiltInAlgorithm = {
        var m: [MetricPattern] = []
        for c in ["train", "validation"] {
            m.append(MetricPattern(name: "\(c):objective_loss", regex: #"#quality_metric: host=\S+, epoch=\S+, "# + c + #" \S+_objective <loss>=(\S+)"#))
        }
        m.append(quality("train", "objective_loss", "loss", name: "train:objective_loss:final", nameRegex: #"\S+_objective"#))
        m.append(quality("validation", "objective_loss", "loss", name: "validation:objective_loss:final", nameRegex: #"\S+_objective"#))
        m.append(quality("test", "objective_loss", "loss", nameRegex: #"\S+_objective"#))
        for c in ["train", "validation", "test"] {
            m.append(quality(c, "binary_f_beta", "score", nameRegex: #"binary_f_\S+"#))
            m.append(quality(c, "macro_f_beta", "score", nameRegex: #"macro_f_\S+"#))
            m.append(quality(c, "multiclass_top_k_accuracy", "score", nameRegex: #"multiclass_top_k_accuracy_\S+"#))
            for s in ["binary_classification_accuracy", "precision", "recall", "multiclass_accuracy", "macro_precision",
                      "macro_recall", "dcg", "roc_auc_score"] {
                m.append(quality(c, s, "score"))
            }
            for l in ["mse", "absolute_loss", "rmse"] { m.append(quality(c, l, "loss")) }
        }
        return BuiltInAlgorithm(name: "linear-learner", metricDefinitions: m + progress, contentTypes: firstPartyContentTypes)
    }()
}

/// A metric and the regular expression that reads it from a log line (capture group 1).
public struct MetricPattern: Sendable, Equatable, Codable {
    public var name: String
    public var regex: String
    public init(name: String, regex: String) { (self.name, self.regex) = (name, regex) }
}
