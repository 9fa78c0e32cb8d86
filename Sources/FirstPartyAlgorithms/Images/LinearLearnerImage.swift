import Foundation
import Linalg
import LinearLearner
import ModelServing
import TrainingRuntime
import TrainingWorker

/// SageMaker's `linear-learner:1`, natively: channels train (required), validation and test; the hyperparameters of
/// its `default-input.json`; `model_algo-1` holds Kiln's own JSON model (weights with the normalisation folded in,
/// bias, threshold, predictor type and loss) instead of AWS's MXNet checkpoint zip.
public struct LinearLearnerTraining: TrainingAlgorithm {
    public init() {}

    static let defaults = [
        "feature_dim": "auto", "num_classes": "1", "mini_batch_size": "1000", "epochs": "15", "loss": "auto", "optimizer": "auto",
        "learning_rate": "auto", "wd": "auto", "l1": "auto", "momentum": "auto", "beta_1": "auto", "beta_2": "auto",
        "bias_lr_mult": "auto", "bias_wd_mult": "auto", "use_bias": "true", "init_method": "uniform", "init_scale": "0.07",
        "init_sigma": "0.01", "init_bias": "0.0", "num_models": "auto", "num_calibration_samples": "10000000",
        "normalize_data": "true", "normalize_label": "auto", "unbias_data": "auto", "unbias_label": "auto",
        "num_point_for_scaler": "10000", "binary_classifier_model_selection_criteria": "accuracy", "target_recall": "0.8",
        "target_precision": "0.8", "positive_example_weight_mult": "1.0", "f_beta": "1.0", "accuracy_top_k": "3",
        "balance_multiclass_weights": "false", "use_lr_scheduler": "true", "lr_scheduler_step": "auto",
        "lr_scheduler_factor": "auto", "lr_scheduler_minimum_lr": "auto", "early_stopping_patience": "3",
        "early_stopping_tolerance": "0.001", "margin": "1.0", "quantile": "0.5", "loss_insensitivity": "0.01",
        "huber_delta": "1.0", "_kvstore": "auto", "_num_kv_servers": "auto", "_num_gpus": "auto", "_log_level": "info",
        "_enable_profiler": "false", "_tuning_objective_metric": "",
    ]
    static let known: Set<String> = ["predictor_type"]

    public func train(_ workspace: Workspace, log write: (String) -> Void) throws {
        try withFirstPartyLog(write) { log in
            let job = try FirstPartyJob(workspace: workspace, log: log, algorithm: "linear-learner", channels: ["train", "validation", "test"],
                                        defaults: Self.defaults, known: Self.known)
            var c = try Self.configuration(job.hyperparameters)
            let train = job.reader("train")!
            let featureDim = try job.featureDim(train: train, defaultLabelSize: 1, required: false)
            c.featureDim = featureDim
            do { c = try c.validated() } catch { throw AlgorithmError("ClientError: \(error)") }
            func labeled(_ channel: String, reader: ChannelReader? = nil) throws -> LabeledData? {
                guard let rows = try job.rows(channel, reader: reader, layout: .dense, width: featureDim, defaultLabelSize: 1) else { return nil }
                guard rows.hasLabels else {
                    throw AlgorithmError("ClientError: The \(channel) channel has records without a label; Linear Learner needs label[\"values\"] "
                        + "(RecordIO) or the label in the first CSV column")
                }
                return LabeledData(features: rows.denseMatrix(), labels: rows.labels)
            }
            let trainData = try labeled("train", reader: train)!
            let validation = try labeled("validation")
            let model = try job.training {
                try LinearLearnerTrainer.train(train: trainData, validation: validation, configuration: c, log: { log($0) })
            }
            if let test = try labeled("test") {
                model.logFinalMetrics(channel: "test", data: test, log: { log($0) })
            } else {
                log("Test data is not provided.")
            }
            try job.writeModel(Array(try JSONEncoder().encode(LinearLearnerArtifact(model: model))))
        }
    }

    static func configuration(_ h: HyperparameterReader) throws -> LinearLearnerConfiguration {
        let typeName = try h.required("predictor_type")
        guard let type = LinearLearnerConfiguration.PredictorType(rawValue: typeName) else {
            throw h.invalid("predictor_type", "expected one of binary_classifier, multiclass_classifier, regressor")
        }
        var c = LinearLearnerConfiguration(predictorType: type)
        func float(_ key: String, atLeast: Double? = nil, above: Double? = nil, below: Double? = nil) throws -> Float? {
            try h.float(key, atLeast: atLeast, above: above, below: below, allowAuto: true).map { Float($0) }
        }
        c.numClasses = try h.int("num_classes", in: 1 ... 1_000_000)!
        c.miniBatchSize = try h.int("mini_batch_size", in: 1 ... Int.max)!
        c.epochs = try h.int("epochs", in: 1 ... Int.max)!
        if let loss = h.raw("loss"), loss != "auto" {
            guard let l = LinearLearnerConfiguration.Loss(rawValue: loss) else {
                throw h.invalid("loss", "expected auto or one of \(LinearLearnerConfiguration.Loss.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            c.loss = l
        }
        if let o = try h.choice("optimizer", ["auto", "sgd", "adam", "rmsprop"]), o != "auto" { c.optimizer = LinearLearnerConfiguration.Optimizer(rawValue: o) }
        c.learningRate = try float("learning_rate", above: 0)
        c.wd = try float("wd", atLeast: 0)
        c.l1 = try float("l1", atLeast: 0)
        c.momentum = try float("momentum", atLeast: 0, below: 1)
        c.beta1 = try float("beta_1", atLeast: 0, below: 1)
        c.beta2 = try float("beta_2", atLeast: 0, below: 1)
        c.biasLrMult = try float("bias_lr_mult", above: 0)
        c.biasWdMult = try float("bias_wd_mult", atLeast: 0)
        c.useBias = try h.bool("use_bias")!
        c.initMethod = try h.choice("init_method", ["uniform", "normal"]).flatMap(LinearLearnerConfiguration.InitMethod.init(rawValue:)) ?? .uniform
        c.initScale = try float("init_scale", above: 0) ?? c.initScale
        c.initSigma = try float("init_sigma", above: 0) ?? c.initSigma
        c.initBias = try float("init_bias") ?? c.initBias
        c.numModels = try h.int("num_models", in: 1 ... 1024, allowAuto: true)
        // Under hyperparameter tuning each training job is one candidate: one model, as SageMaker does.
        if let objective = h.raw("_tuning_objective_metric"), !objective.isEmpty { c.numModels = 1 }
        c.numCalibrationSamples = try h.int("num_calibration_samples", in: 1 ... Int.max, allowAuto: true) ?? c.numCalibrationSamples
        c.normalizeData = try h.bool("normalize_data", allowAuto: true)
        c.normalizeLabel = try h.bool("normalize_label", allowAuto: true)
        c.unbiasData = try h.bool("unbias_data", allowAuto: true)
        c.unbiasLabel = try h.bool("unbias_label", allowAuto: true)
        c.numPointForScaler = try h.int("num_point_for_scaler", in: 1 ... Int.max)!
        let criteria = ["accuracy", "f_beta", "f1", "precision_at_target_recall", "recall_at_target_precision", "loss_function",
                        "cross_entropy_loss"]
        switch try h.choice("binary_classifier_model_selection_criteria", criteria) {
        case "f1", "f_beta": c.binaryClassifierModelSelectionCriteria = .fBeta
        case "cross_entropy_loss", "loss_function": c.binaryClassifierModelSelectionCriteria = .lossFunction
        case let name?: c.binaryClassifierModelSelectionCriteria = LinearLearnerConfiguration.SelectionCriterion(rawValue: name)!
        case nil: break
        }
        c.targetRecall = try float("target_recall", above: 0, below: 1) ?? c.targetRecall
        c.targetPrecision = try float("target_precision", above: 0, below: 1) ?? c.targetPrecision
        switch h.raw("positive_example_weight_mult")?.lowercased() {
        case "balanced": c.positiveExampleWeightMult = .balanced
        case "auto": c.positiveExampleWeightMult = .auto
        case nil: break
        default: c.positiveExampleWeightMult = .value(Float(try h.float("positive_example_weight_mult", above: 0)!))
        }
        c.fBeta = try float("f_beta", above: 0) ?? c.fBeta
        c.accuracyTopK = try h.int("accuracy_top_k", in: 1 ... Int.max)!
        c.balanceMulticlassWeights = try h.bool("balance_multiclass_weights")!
        c.useLrScheduler = try h.bool("use_lr_scheduler")!
        c.lrSchedulerStep = try h.int("lr_scheduler_step", in: 1 ... Int.max, allowAuto: true)
        c.lrSchedulerFactor = try float("lr_scheduler_factor", above: 0, below: 1)
        c.lrSchedulerMinimumLr = try float("lr_scheduler_minimum_lr", above: 0)
        c.earlyStoppingPatience = try h.int("early_stopping_patience", in: 1 ... Int.max)!
        c.earlyStoppingTolerance = try float("early_stopping_tolerance", above: 0) ?? c.earlyStoppingTolerance
        c.margin = try float("margin", atLeast: 0) ?? c.margin
        c.quantile = try float("quantile", above: 0, below: 1) ?? c.quantile
        c.lossInsensitivity = try float("loss_insensitivity", above: 0) ?? c.lossInsensitivity
        c.huberDelta = try float("huber_delta", atLeast: 0) ?? c.huberDelta
        return c
    }
}

/// What Kiln stores in `model_algo-1` for Linear Learner (versioned, so the format can evolve).
struct LinearLearnerArtifact: Codable {
    var format = "kiln-linear-learner"
    var version = 1
    var model: LinearModel
}

/// Serves Linear Learner models: `score` (and `predicted_label` for classifiers), per-class scores for multiclass.
public struct LinearLearnerModelLoader: ModelLoader {
    public init() {}

    public func serves(image: String) -> Bool { BuiltInAlgorithm.resolve(image: image)?.name == "linear-learner" }

    public func load(modelDirectory: URL, environment: [String: String]) throws -> any ServableModel {
        let artifact: LinearLearnerArtifact
        do { artifact = try JSONDecoder().decode(LinearLearnerArtifact.self, from: Data(try ModelArtifact.read(modelDirectory))) } catch {
            throw InvocationFailure(status: 500, "Unable to load the Linear Learner model (Kiln reads the models it trains, not "
                + "AWS's MXNet checkpoints): \(error)")
        }
        let model = artifact.model
        let multiclass = model.predictorType == .multiclassClassifier
        return FirstPartyServable(featureDim: model.featureDim, jsonKey: "predictions",
                                  fieldOrders: ["application/x-recordio-protobuf": ["predicted_label", "score"]]) { rows in
            model.predict(rows).map { p in
                var fields: [PredictionField] = [multiclass ? .vector("score", p.score) : .scalar("score", p.score[0])]
                if let label = p.predictedLabel { fields.append(.scalar("predicted_label", label, integer: true)) }
                return fields
            }
        }
    }
}
