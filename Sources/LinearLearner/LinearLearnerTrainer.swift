import Dispatch
import Foundation
import Linalg

/// Trains SageMaker-style linear learners: a scaler pass, `num_models` models trained together on the same
/// mini-batches (one small GEMM per batch for all of them), per-epoch logs, early stopping, model selection and
/// binary threshold calibration, and normalisation folded into the returned model.
///
/// `auto` choices (ours; AWS does not document its grid): each `auto` hyperparameter contributes a small grid
/// and `num_models = auto` trains one model per combination — learning rate ×4 (adam/rmsprop: 0.1, 0.03, 0.01,
/// 0.003; sgd with momentum: 0.3, 0.1, 0.03, 0.01), wd = 1/n (×1 and ×10 when a validation channel can
/// judge them), positive_example_weight_mult=auto ×2
/// (1, balanced); l1 auto = 0. With every value explicit the models differ only in their initialisation.
///
/// Kiln addition: on small training sets the smooth objectives are then solved to convergence with full-batch
/// L-BFGS before model selection (see `TrainingState.polish`, `LinearLearnerConfiguration.fullBatchPolish`).
public enum LinearLearnerTrainer {
    /// Rows used to rank the models against each other (per epoch for early stopping, and at the end).
    static let rankingSampleLimit = 100_000

    public static func train(
        train: LabeledData, validation: LabeledData?, configuration: LinearLearnerConfiguration,
        log: (String) -> Void
    ) throws -> LinearModel {
        let c = try configuration.validated()
        let d = train.features.columns, n = train.rowCount
        try check(train, channel: "train", configuration: c, features: d)
        if let validation { try check(validation, channel: "validation", configuration: c, features: d) }
        if let featureDim = c.featureDim, featureDim != d {
            throw LinearLearnerError("feature_dim is \(featureDim) but the train data has \(d) features")
        }
        let state = TrainingState(configuration: c, train: train, hasValidation: validation != nil, log: log)
        let start = DispatchTime.now().uptimeNanoseconds
        var earlyStopping = EarlyStopping(patience: c.earlyStoppingPatience, tolerance: c.earlyStoppingTolerance)
        let objective = c.resolvedLoss.objectiveMetricName
        let validationRanking = validation.map { sample($0, limit: rankingSampleLimit) }
        var lastTrainLoss: [Double] = []
        for epoch in 0 ..< c.epochs {
            let epochStart = DispatchTime.now().uptimeNanoseconds
            lastTrainLoss = state.runEpoch(train)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            for (m, value) in lastTrainLoss.enumerated() {
                log(metricsLine(name: "train_\(objective)", value: value, epoch: epoch, model: m))
            }
            let bestTrain = lastTrainLoss.min() ?? .nan
            log(
                "#quality_metric: host=algo-1, epoch=\(epoch), train \(objective) <loss>=\(formatMetric(bestTrain))")
            var criterion = (name: objective, value: bestTrain, higherIsBetter: false)
            if let validation {
                let losses = state.losses(on: validation)
                let best = losses.min() ?? .nan
                log(
                    "#quality_metric: host=algo-1, epoch=\(epoch), validation \(objective) <loss>="
                        + formatMetric(best))
                criterion = (objective, best, false)
                if c.predictorType == .binaryClassifier, c.binaryClassifierModelSelectionCriteria != .lossFunction,
                    let ranking = validationRanking
                {
                    let values = state.thresholdCriteria(on: ranking).map(\.value)
                    let name = "sampled_\(c.binaryClassifierModelSelectionCriteria.rawValue)"
                    criterion = (name, values.max() ?? 0, true)
                }
            }
            log(
                "#early_stopping_criteria_metric: host=algo-1, epoch=\(epoch), criteria=\(criterion.name), "
                    + "value=\(formatMetric(criterion.value))")
            let percent = formatMetric(Double(epoch + 1) * 100 / Double(c.epochs))
            let throughput = formatMetric(Double(n) / max(seconds, 1e-9))
            log("#progress_metric: host=algo-1, completed \(percent) % of epochs")
            log("#throughput_metric: host=algo-1, train throughput=\(throughput) records/second")
            let stop = earlyStopping.shouldStop(criterion.value, higherIsBetter: criterion.higherIsBetter)
            if stop, epoch + 1 < c.epochs {
                log("Early stop condition met. Stopping training.")
                break
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        log("Training of \(state.modelCount) model(s) took \(formatMetric(seconds)) seconds")
        let model = state.selectModel(train: train, validation: validation, log: log)
        let selected = state.selectedIndex
        if selected < lastTrainLoss.count {
            log("#quality_metric: host=algo-1, train \(objective) <loss>=\(formatMetric(lastTrainLoss[selected]))")
        }
        if let validation { model.logFinalMetrics(channel: "validation", data: validation, log: log) }
        return model
    }

    static func check(_ data: LabeledData, channel: String, configuration c: LinearLearnerConfiguration, features: Int)
        throws
    {
        guard data.rowCount > 0 else { throw LinearLearnerError("the \(channel) channel has no rows") }
        guard data.labels.count == data.rowCount else {
            throw LinearLearnerError(
                "the \(channel) channel has \(data.rowCount) feature rows but \(data.labels.count) labels")
        }
        guard data.features.columns == features else {
            throw LinearLearnerError(
                "the \(channel) channel has \(data.features.columns) features, the train channel \(features)")
        }
        for (i, y) in data.labels.enumerated() {
            switch c.predictorType {
            case .binaryClassifier:
                if y != 0 && y != 1 {
                    throw LinearLearnerError(
                        "\(channel) row \(i): label \(y) is not valid for binary_classifier; labels must be 0 or 1")
                }
            case .multiclassClassifier:
                if !(y >= 0 && y < Float(c.numClasses) && y == y.rounded()) {
                    throw LinearLearnerError(
                        "\(channel) row \(i): label \(y) is not valid for multiclass_classifier with num_classes="
                            + "\(c.numClasses); labels must be integers 0…\(c.numClasses - 1)")
                }
            case .regressor:
                if !y.isFinite { throw LinearLearnerError("\(channel) row \(i): label \(y) is not a finite number") }
            }
        }
    }

    /// At most `limit` rows, evenly strided.
    static func sample(_ data: LabeledData, limit: Int) -> LabeledData {
        let n = data.rowCount
        guard n > limit else { return data }
        let d = data.features.columns
        var x = [Float](), y = [Float]()
        x.reserveCapacity(limit * d)
        y.reserveCapacity(limit)
        for s in 0 ..< limit {
            let i = Int(Double(s) * Double(n) / Double(limit))
            x.append(contentsOf: data.features.values[i * d ..< (i + 1) * d])
            y.append(data.labels[i])
        }
        return LabeledData(features: Matrix(rows: limit, columns: d, values: x), labels: y)
    }

    static func metricsLine(name: String, value: Double, epoch: Int, model: Int) -> String {
        let now = Date().timeIntervalSince1970
        return "#metrics {\"Metrics\": {\"\(name)\": {\"count\": 1, \"max\": \(value), \"sum\": \(value), "
            + "\"min\": \(value)}}, \"EndTime\": \(now), \"Dimensions\": {\"model\": \(model), \"Host\": \"algo-1\", "
            + "\"Operation\": \"training\", \"Algorithm\": \"Linear Learner\", \"epoch\": \(epoch)}, "
            + "\"StartTime\": \(now)}"
    }
}

/// Stops when the criterion has not improved by a relative `tolerance` for `patience` epochs in a row.
struct EarlyStopping {
    var patience: Int
    var tolerance: Float
    var best: Double?
    var stale = 0

    init(patience: Int, tolerance: Float) {
        self.patience = patience
        self.tolerance = tolerance
    }

    mutating func shouldStop(_ value: Double, higherIsBetter: Bool) -> Bool {
        guard value.isFinite else { return false }
        guard let best else {
            self.best = value
            return false
        }
        let gain = higherIsBetter ? value - best : best - value
        if gain > 0 { self.best = value }
        if gain >= Double(tolerance) * max(abs(best), 1e-12) {
            stale = 0
        } else {
            stale += 1
        }
        return stale >= patience
    }
}
