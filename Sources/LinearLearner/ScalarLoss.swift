import Foundation

/// A per-row loss of one margin `z` against a label `y`, and its derivative in `z` (binary and regression
/// losses; softmax is handled by the trainer directly).
///
/// Regression losses run on normalised labels: `eps`/`delta` are given here already divided by the label
/// scale, and `reportScale` (σ² or σ) converts the normalised loss back to label units for logging.
struct ScalarLoss: Sendable {
    var kind: LinearLearnerConfiguration.Loss
    var margin: Float = 1
    var quantile: Float = 0.5
    var eps: Float = 0
    var delta: Float = 1
    var reportScale: Float = 1

    init(configuration c: LinearLearnerConfiguration, labelScale: Float) {
        kind = c.resolvedLoss
        margin = c.margin
        quantile = c.quantile
        eps = c.lossInsensitivity / labelScale
        delta = c.huberDelta / labelScale
        switch kind {
        case .squaredLoss, .epsInsensitiveSquaredLoss, .huberLoss: reportScale = labelScale * labelScale
        case .absoluteLoss, .epsInsensitiveAbsoluteLoss, .quantileLoss: reportScale = labelScale
        default: reportScale = 1
        }
    }

    /// Loss and d loss / d z.
    @inline(__always) func evaluate(_ z: Float, _ y: Float) -> (loss: Float, gradient: Float) {
        switch kind {
        case .logistic:
            // softplus(-z) for y = 1, softplus(z) for y = 0, computed stably.
            let t = y > 0.5 ? -z : z
            let loss = t > 0 ? t + log1p(exp(-t)) : log1p(exp(t))
            let p = 1 / (1 + exp(-z))
            return (loss, p - y)
        case .hingeLoss:
            let s: Float = y > 0.5 ? 1 : -1
            let m = margin - s * z
            return m > 0 ? (m, -s) : (0, 0)
        case .squaredLoss:
            let r = z - y
            return (r * r, 2 * r)
        case .absoluteLoss:
            let r = z - y
            return (abs(r), r > 0 ? 1 : (r < 0 ? -1 : 0))
        case .epsInsensitiveSquaredLoss:
            let r = z - y, e = max(abs(r) - eps, 0)
            return (e * e, r > 0 ? 2 * e : -2 * e)
        case .epsInsensitiveAbsoluteLoss:
            let r = z - y, e = abs(r) - eps
            return e > 0 ? (e, r > 0 ? 1 : -1) : (0, 0)
        case .quantileLoss:
            let u = y - z
            return u >= 0 ? (quantile * u, u > 0 ? -quantile : 0) : ((quantile - 1) * u, 1 - quantile)
        case .huberLoss:
            let r = z - y, a = abs(r)
            return a <= delta ? (0.5 * r * r, r) : (delta * (a - 0.5 * delta), r > 0 ? delta : -delta)
        case .softmaxLoss:
            preconditionFailure("softmax is not a scalar loss")
        }
    }
}

extension LinearLearnerConfiguration.Loss {
    /// The name of the per-epoch / final objective metric (`<name> <loss>=` lines).
    public var objectiveMetricName: String {
        switch self {
        case .logistic: "binary_classification_cross_entropy_objective"
        case .hingeLoss: "binary_classification_hinge_loss_objective"
        case .softmaxLoss: "multiclass_cross_entropy_objective"
        default: "\(rawValue)_objective"
        }
    }
}
