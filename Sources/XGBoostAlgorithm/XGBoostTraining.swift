import Foundation
import GradientBoosting
import TrainingRuntime
import TrainingWorker

/// SageMaker's XGBoost image (algorithm mode), natively: the same channels, hyperparameters, log lines and
/// model file (`xgboost-model`, in XGBoost's JSON format).
public struct XGBoostTraining: TrainingAlgorithm {
    public init() {}

    public func train(_ workspace: Workspace, log: (String) -> Void) throws {
        let channels = try workspace.channels()
        for name in channels.keys.sorted() where !["train", "validation", "code"].contains(name) {
            throw AlgorithmError("ClientError: Extraneous channel found: \(name)")
        }
        guard let trainChannel = channels["train"] else { throw AlgorithmError("ClientError: Channel 'train' is required") }
        let hyperparameters = try workspace.hyperparameters()
        var params: Hyperparameters
        do { params = try Hyperparameters.parse(hyperparameters) } catch {
            throw AlgorithmError("ClientError: \(error)")
        }
        params.nthread = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Train and validation share the train channel's content type, as the container does.
        let format = try XGBoostChannels.format(trainChannel.ContentType)
        var train = try XGBoostChannels.load(workspace, channel: "train", mode: trainChannel.TrainingInputMode, format: format, params: params)
        var validation: LabeledData? = nil
        if let v = channels["validation"] {
            validation = try XGBoostChannels.load(workspace, channel: "validation", mode: v.TrainingInputMode, format: format, params: params,
                                                  minColumns: train.features.cols)
            if validation!.features.cols > train.features.cols { train.features = train.features.resized(cols: validation!.features.cols) }
        }
        if let crossValidation = try XGBoostCrossValidation(hyperparameters: hyperparameters) {
            try crossValidation.run(params: params, data: XGBoostCrossValidation.pooled(train, validation), workspace: workspace, log: log)
            return
        }
        var continuing = Trainer.Continuation()
        if let folder = workspace.checkpointPath() {
            continuing = try XGBoostCheckpoints(folder: folder).continuation(params: params, log: log)
        }
        let modelPath = workspace.modelDir.appendingPathComponent("xgboost-model").path
        if params.saveModelOnTermination && params.booster != "gblinear" {
            // The model as it stands after every round, so that a stopped job leaves one (the container saves on SIGTERM).
            let checkpoint = continuing.afterRound
            let partial = workspace.root.appendingPathComponent("xgboost-model.partial").path
            continuing.afterRound = { round, booster in
                checkpoint?(round, booster)
                _ = XGBoostCheckpoints.write(booster, to: modelPath, via: partial)
            }
        }
        let result: Trainer.Result
        do {
            result = try Trainer.train(params: params, train: train, validation: validation, continuing: continuing, logLine: log)
        } catch let e as Trainer.TrainingError {
            throw AlgorithmError("ClientError: \(e.description)")
        }
        try result.booster.save(to: modelPath)
    }
}
