/// Every hyperparameter of SageMaker's `linear-learner:1`, typed. `nil` means the hyperparameter's `auto` value.
///
/// Build one with the defaults of AWS's `default-input.json` (`init(predictorType:)`), set what the user passed,
/// then call `validated()` before training.
public struct LinearLearnerConfiguration: Sendable, Codable, Equatable {
    public enum PredictorType: String, Sendable, Codable, CaseIterable {
        case binaryClassifier = "binary_classifier"
        case multiclassClassifier = "multiclass_classifier"
        case regressor
    }

    public enum Loss: String, Sendable, Codable, CaseIterable {
        case logistic
        case hingeLoss = "hinge_loss"
        case softmaxLoss = "softmax_loss"
        case squaredLoss = "squared_loss"
        case absoluteLoss = "absolute_loss"
        case epsInsensitiveSquaredLoss = "eps_insensitive_squared_loss"
        case epsInsensitiveAbsoluteLoss = "eps_insensitive_absolute_loss"
        case quantileLoss = "quantile_loss"
        case huberLoss = "huber_loss"

        /// The losses allowed for a predictor type, the `auto` choice first.
        public static func allowed(for type: PredictorType) -> [Loss] {
            switch type {
            case .binaryClassifier: [.logistic, .hingeLoss]
            case .multiclassClassifier: [.softmaxLoss]
            case .regressor:
                [.squaredLoss, .absoluteLoss, .epsInsensitiveSquaredLoss, .epsInsensitiveAbsoluteLoss, .quantileLoss,
                 .huberLoss]
            }
        }
    }

    public enum Optimizer: String, Sendable, Codable, CaseIterable {
        case sgd, adam, rmsprop
    }

    public enum InitMethod: String, Sendable, Codable, CaseIterable {
        case uniform, normal
    }

    /// `binary_classifier_model_selection_criteria` (the SDK's `f1` maps to `.fBeta`, `cross_entropy_loss` to
    /// `.lossFunction`).
    public enum SelectionCriterion: String, Sendable, Codable, CaseIterable {
        case accuracy
        case fBeta = "f_beta"
        case precisionAtTargetRecall = "precision_at_target_recall"
        case recallAtTargetPrecision = "recall_at_target_precision"
        case lossFunction = "loss_function"
    }

    /// `positive_example_weight_mult`.
    public enum PositiveExampleWeight: Sendable, Codable, Equatable {
        /// A fixed weight for positive examples (> 0).
        case value(Float)
        /// `n_negative / n_positive` of the training data.
        case balanced
        /// Half of the parallel models use 1, the other half `balanced`; model selection decides.
        case auto
    }

    public var predictorType: PredictorType
    /// `feature_dim`; nil = take it from the data.
    public var featureDim: Int?
    /// `num_classes` (multiclass only, 3…1,000,000).
    public var numClasses: Int = 1
    public var miniBatchSize: Int = 1000
    public var epochs: Int = 15
    public var loss: Loss?
    /// nil = adam.
    public var optimizer: Optimizer?
    /// nil = each parallel model gets its own learning rate from a grid suited to the optimizer.
    public var learningRate: Float?
    /// L2 regularisation; nil = 1/n (also 10/n when there is a validation channel).
    public var wd: Float?
    /// L1 regularisation (proximal step); nil = 0.
    public var l1: Float?
    /// SGD momentum; nil = 0.9.
    public var momentum: Float?
    /// Adam β₁; nil = 0.9.
    public var beta1: Float?
    /// Adam β₂ (and RMSProp's squared-gradient decay); nil = 0.999 (Adam) / 0.9 (RMSProp).
    public var beta2: Float?
    /// nil = 1.
    public var biasLrMult: Float?
    /// nil = 0 (no L2 on the bias).
    public var biasWdMult: Float?
    public var useBias: Bool = true
    public var initMethod: InitMethod = .uniform
    public var initScale: Float = 0.07
    public var initSigma: Float = 0.01
    public var initBias: Float = 0
    /// nil = one model per combination of the `auto` learning rates / wd values / positive weights (8 with all
    /// defaults; see `LinearLearnerTrainer`).
    public var numModels: Int?
    public var numCalibrationSamples: Int = 10_000_000
    /// nil = true.
    public var normalizeData: Bool? = true
    /// nil = true for regressors (ignored for classifiers).
    public var normalizeLabel: Bool?
    /// nil = `useBias`.
    public var unbiasData: Bool?
    /// nil = `useBias` for regressors.
    public var unbiasLabel: Bool?
    public var numPointForScaler: Int = 10_000
    public var binaryClassifierModelSelectionCriteria: SelectionCriterion = .accuracy
    public var targetRecall: Float = 0.8
    public var targetPrecision: Float = 0.8
    public var positiveExampleWeightMult: PositiveExampleWeight = .value(1)
    public var fBeta: Float = 1
    public var accuracyTopK: Int = 3
    public var balanceMulticlassWeights: Bool = false
    public var useLrScheduler: Bool = true
    /// nil = a tenth of the batches per epoch (100 for 1M rows in batches of 1000, LL4's value), at least 1.
    public var lrSchedulerStep: Int?
    /// nil = 0.99.
    public var lrSchedulerFactor: Float?
    /// nil = 1e-5.
    public var lrSchedulerMinimumLr: Float?
    public var earlyStoppingPatience: Int = 3
    public var earlyStoppingTolerance: Float = 0.001
    /// Hinge-loss margin.
    public var margin: Float = 1
    public var quantile: Float = 0.5
    /// ε of the eps-insensitive losses, in label units.
    public var lossInsensitivity: Float = 0.01
    /// In label units.
    public var huberDelta: Float = 1
    /// Seed of initialisation and batch order.
    public var seed: UInt64 = 0
    /// Kiln addition, not a SageMaker hyperparameter: after the SGD epochs, solve each smooth regularised
    /// objective (logistic, softmax, squared loss; no l1) to convergence with full-batch L-BFGS when the training
    /// set is small (rows × features × outputs ≤ 2·10⁶). nil = true.
    public var fullBatchPolish: Bool?

    public init(predictorType: PredictorType) {
        self.predictorType = predictorType
    }

    /// The resolved loss (valid after `validated()`).
    public var resolvedLoss: Loss { loss ?? Loss.allowed(for: predictorType)[0] }

    /// Checks every value and the cross-field rules, and fills in the `auto` values that do not depend on the
    /// data (loss, optimizer, optimizer constants, scheduler, normalisation switches). `learningRate`, `wd`,
    /// `l1` and `numModels` stay nil when auto: the trainer varies them across the parallel models.
    public func validated() throws -> LinearLearnerConfiguration {
        var c = self
        func fail(_ message: String) -> LinearLearnerError { LinearLearnerError(message) }
        let allowed = Loss.allowed(for: predictorType)
        if let loss, !allowed.contains(loss) {
            throw fail(
                "loss '\(loss.rawValue)' is not valid for predictor_type '\(predictorType.rawValue)'; allowed: "
                    + allowed.map(\.rawValue).joined(separator: ", ") + " or auto")
        }
        c.loss = resolvedLoss
        c.optimizer = optimizer ?? .adam
        if predictorType == .multiclassClassifier {
            guard (3 ... 1_000_000).contains(numClasses) else {
                throw fail(
                    "num_classes must be an integer between 3 and 1000000 for multiclass_classifier, got \(numClasses)")
            }
        }
        if let featureDim, featureDim <= 0 { throw fail("feature_dim must be a positive integer, got \(featureDim)") }
        func positive(_ name: String, _ v: Int) throws {
            if v <= 0 { throw fail("\(name) must be a positive integer, got \(v)") }
        }
        try positive("mini_batch_size", miniBatchSize)
        try positive("epochs", epochs)
        try positive("num_calibration_samples", numCalibrationSamples)
        try positive("num_point_for_scaler", numPointForScaler)
        try positive("accuracy_top_k", accuracyTopK)
        try positive("early_stopping_patience", earlyStoppingPatience)
        if let numModels { try positive("num_models", numModels) }
        if let lrSchedulerStep { try positive("lr_scheduler_step", lrSchedulerStep) }
        func check(_ name: String, _ v: Float?, _ rule: String, _ ok: (Float) -> Bool) throws {
            if let v, !(v.isFinite && ok(v)) { throw fail("\(name) must be \(rule), got \(v)") }
        }
        try check("learning_rate", learningRate, "> 0") { $0 > 0 }
        try check("wd", wd, ">= 0") { $0 >= 0 }
        try check("l1", l1, ">= 0") { $0 >= 0 }
        try check("momentum", momentum, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        try check("beta_1", beta1, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        try check("beta_2", beta2, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        try check("bias_lr_mult", biasLrMult, "> 0") { $0 > 0 }
        try check("bias_wd_mult", biasWdMult, ">= 0") { $0 >= 0 }
        try check("init_scale", initScale, "> 0") { $0 > 0 }
        try check("init_sigma", initSigma, "> 0") { $0 > 0 }
        try check("init_bias", initBias, "a finite number") { _ in true }
        try check("target_recall", targetRecall, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try check("target_precision", targetPrecision, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try check("f_beta", fBeta, "> 0") { $0 > 0 }
        try check("lr_scheduler_factor", lrSchedulerFactor, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try check("lr_scheduler_minimum_lr", lrSchedulerMinimumLr, "> 0") { $0 > 0 }
        try check("early_stopping_tolerance", earlyStoppingTolerance, "> 0") { $0 > 0 }
        try check("margin", margin, ">= 0") { $0 >= 0 }
        try check("quantile", quantile, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try check("loss_insensitivity", lossInsensitivity, ">= 0") { $0 >= 0 }
        try check("huber_delta", huberDelta, ">= 0") { $0 >= 0 }
        if case .value(let w) = positiveExampleWeightMult {
            try check("positive_example_weight_mult", w, "> 0, 'balanced' or 'auto'") { $0 > 0 }
        }
        c.momentum = momentum ?? 0.9
        c.beta1 = beta1 ?? 0.9
        c.beta2 = beta2 ?? (c.optimizer == .rmsprop ? 0.9 : 0.999)
        c.biasLrMult = biasLrMult ?? 1
        c.biasWdMult = biasWdMult ?? 0
        c.lrSchedulerFactor = lrSchedulerFactor ?? 0.99
        c.lrSchedulerMinimumLr = lrSchedulerMinimumLr ?? 1e-5
        c.normalizeData = normalizeData ?? true
        c.normalizeLabel = predictorType == .regressor ? (normalizeLabel ?? true) : false
        c.unbiasData = unbiasData ?? useBias
        c.unbiasLabel = predictorType == .regressor ? (unbiasLabel ?? useBias) : false
        return c
    }
}
