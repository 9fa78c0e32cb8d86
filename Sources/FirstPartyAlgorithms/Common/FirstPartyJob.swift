import Foundation
import TrainingRuntime
import TrainingWorker

/// What every first-party training job shares: its channels (train required, the others optional, anything else
/// refused), the merged hyperparameters, `feature_dim` (or `auto`, read from the data), the prefixed log and
/// the `model_algo-1` artifact.
struct FirstPartyJob {
    let workspace: Workspace
    let log: FirstPartyLog
    let channels: [String: Workspace.ChannelConfig]
    let hyperparameters: HyperparameterReader

    init(workspace: Workspace, log: FirstPartyLog, algorithm: String, channels allowed: [String],
         defaults: [String: String], known: Set<String>) throws {
        let channels = try workspace.channels()
        for name in channels.keys.sorted() where !allowed.contains(name) {
            throw AlgorithmError("ClientError: Unable to initialize the algorithm. The \(name) channel is not supported by \(algorithm); "
                + "supported channels: \(allowed.joined(separator: ", "))")
        }
        guard channels["train"] != nil else { throw AlgorithmError("ClientError: Unable to initialize the algorithm. The train channel is required") }
        self.workspace = workspace
        self.log = log
        self.channels = channels
        hyperparameters = try HyperparameterReader(provided: try workspace.hyperparameters(), defaults: defaults, known: known,
                                                   algorithm: algorithm, log: log)
    }

    func reader(_ channel: String) -> ChannelReader? {
        channels[channel].map { ChannelReader(workspace: workspace, channel: channel, config: $0) }
    }

    /// `feature_dim` from the hyperparameters, or from the train channel's first row when absent or `auto`.
    func featureDim(train: ChannelReader, defaultLabelSize: Int, required: Bool) throws -> Int {
        if let d = try hyperparameters.int("feature_dim", in: 1 ... Int(Int32.max), allowAuto: true) { return d }
        if required, hyperparameters.raw("feature_dim") == nil { _ = try hyperparameters.required("feature_dim") }
        guard let d = try train.inferWidth(defaultLabelSize: defaultLabelSize), d > 0 else {
            throw AlgorithmError("ClientError: feature_dim is auto and the train channel's first row has no features")
        }
        return d
    }

    /// Reads a channel's rows (nil when the channel was not given).
    func rows(_ channel: String, reader: ChannelReader? = nil, layout: TrainingRows.Layout, width: Int, defaultLabelSize: Int) throws -> TrainingRows? {
        guard let reader = reader ?? self.reader(channel) else { return nil }
        let started = Date()
        let rows = try reader.read(layout: layout, width: width, defaultLabelSize: defaultLabelSize)
        reader.releaseSources()
        log("\(width) feature(s) found in 'data'.")
        log("Read \(rows.count) records from the \(channel) channel in \(String(format: "%.3f", Date().timeIntervalSince(started))) s")
        return rows
    }

    /// Runs the training itself and logs its duration (`Trained in <s> s`), apart from reading the data.
    func training<T>(_ body: () throws -> T) throws -> T {
        let started = DispatchTime.now().uptimeNanoseconds
        let result: T
        do { result = try body() } catch let e as AlgorithmError { throw e } catch {
            throw AlgorithmError("ClientError: \(error)")
        }
        log("Trained in \(String(format: "%.3f", Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)) s")
        return result
    }

    func writeModel(_ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(at: workspace.modelDir, withIntermediateDirectories: true)
        try Data(bytes).write(to: workspace.modelDir.appendingPathComponent(ModelArtifact.fileName))
    }

    /// The final-metric lines the HPO regexes read: `#test_score` and `#quality_metric` (`<loss>` or `<score>`).
    func reportScore(channel: String, metric: String, value: Double, isLoss: Bool) {
        log("#\(channel)_score (algo-1) : ('\(metric)', \(value))")
        log("#quality_metric: host=algo-1, \(channel) \(metric) <\(isLoss ? "loss" : "score")>=\(value)")
    }
}

/// Runs a first-party training body with the prefixed log (the worker's `log` closure does not escape).
func withFirstPartyLog(_ write: (String) -> Void, _ body: (FirstPartyLog) throws -> Void) throws {
    try withoutActuallyEscaping(write) { escaping in try body(FirstPartyLog(escaping)) }
}
