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
        default:
            return nil
        }
    }

    /// SageMaker's XGBoost image: metrics `<channel>:<metric>` read from the per-round log lines.
    public static let xgboost = BuiltInAlgorithm(
        name: "xgboost",
        metricDefinitions: ["train", "validation"].flatMap { channel in
            ["mae", "rmse", "mse", "logloss", "error", "auc", "aucpr", "merror", "mlogloss", "accuracy", "f1", "ndcg", "map",
             "gamma-deviance", "gamma-nloglik", "poisson-nloglik", "tweedie-nloglik", "cox-nloglik", "rmsle", "mape", "r2"].map { metric in
                MetricPattern(name: "\(channel):\(metric)",
                                 regex: #".*\[[0-9]+\].*#011"# + "\(channel)-\(metric)" + #":([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"#)
            }
        },
        contentTypes: ["text/csv", "csv", "text/libsvm", "libsvm", "text/x-libsvm", "application/x-parquet",
                       "application/x-recordio-protobuf"])
}

/// A metric and the regular expression that reads it from a log line (capture group 1).
public struct MetricPattern: Sendable, Equatable, Codable {
    public var name: String
    public var regex: String
    public init(name: String, regex: String) { (self.name, self.regex) = (name, regex) }
}
