import Foundation
import Linalg

/// The selected linear model, with the feature/label normalisation folded into its weights (it works on raw
/// features and predicts raw labels).
public struct LinearModel: Sendable, Codable, Equatable {
    public var predictorType: LinearLearnerConfiguration.PredictorType
    public var loss: LinearLearnerConfiguration.Loss
    public var featureDim: Int
    /// Number of outputs: `num_classes` for multiclass, else 1.
    public var outputs: Int
    /// `featureDim × outputs`, row-major.
    public var weights: [Float]
    /// `outputs` values.
    public var bias: [Float]
    /// Binary decision threshold on `score` (probability for logistic, margin for hinge).
    public var threshold: Float
    /// Parameters the metrics and the objective need.
    public var fBeta: Float
    public var accuracyTopK: Int
    public var margin: Float
    public var quantile: Float
    public var lossInsensitivity: Float
    public var huberDelta: Float
    /// The hyperparameters of the model that won the selection (for the logs).
    public var selectedLearningRate: Float
    public var selectedWd: Float
    public var selectedL1: Float

    /// Raw margins (`rows × outputs`).
    public func margins(_ rows: Matrix) -> [Float] {
        precondition(rows.columns == featureDim, "expected \(featureDim) features, got \(rows.columns)")
        let padded = outputs.paddedTo8
        var panel = [Float](repeating: 0, count: featureDim * padded)
        for j in 0 ..< featureDim {
            for k in 0 ..< outputs { panel[j * padded + k] = weights[j * outputs + k] }
        }
        var b = [Float](repeating: 0, count: padded)
        for k in 0 ..< outputs { b[k] = bias[k] }
        let wide = PanelScorer(weights: panel, bias: b, columns: padded).margins(rows)
        if padded == outputs { return wide }
        var out = [Float](repeating: 0, count: rows.rows * outputs)
        for i in 0 ..< rows.rows {
            for k in 0 ..< outputs { out[i * outputs + k] = wide[i * padded + k] }
        }
        return out
    }

    /// Scores of each row: binary logistic probability, hinge margin, regression value (one per row), or
    /// multiclass probabilities (`rows × outputs`).
    public func scores(_ rows: Matrix) -> [Float] {
        var z = margins(rows)
        switch (predictorType, loss) {
        case (.binaryClassifier, .logistic):
            for i in z.indices { z[i] = 1 / (1 + exp(-z[i])) }
        case (.multiclassClassifier, _):
            for i in 0 ..< rows.rows { Self.softmax(&z, offset: i * outputs, count: outputs) }
        default:
            break
        }
        return z
    }

    /// Predictions for each row of `rows` (`rows.columns` must equal `featureDim`).
    public func predict(_ rows: Matrix) -> [LinearPrediction] {
        let s = scores(rows)
        return (0 ..< rows.rows).map { i in
            switch predictorType {
            case .binaryClassifier:
                return LinearPrediction(score: [s[i]], predictedLabel: s[i] >= threshold ? 1 : 0)
            case .multiclassClassifier:
                let p = Array(s[i * outputs ..< (i + 1) * outputs])
                return LinearPrediction(score: p, predictedLabel: Float(Self.argmax(p[...])))
            case .regressor:
                return LinearPrediction(score: [s[i]], predictedLabel: nil)
            }
        }
    }

    /// The final metrics SageMaker's linear-learner reports for a channel, in its order:
    /// binary: objective, `binary_classification_accuracy`, `binary_f_<β>`, `precision`, `recall`, `roc_auc_score`;
    /// multiclass: objective, `multiclass_accuracy`, `multiclass_top_k_accuracy_<k>`, `dcg`, `macro_precision`,
    /// `macro_recall`, `macro_f_<β>`; regressor: objective, `mse`, `rmse`, `absolute_loss`.
    public func evaluate(_ data: LabeledData) -> [LinearMetric] {
        let n = data.rowCount
        guard n > 0 else { return [] }
        let z = margins(data.features)
        let y = data.labels
        let objective = loss.objectiveMetricName
        let betaName = String(format: "%.3f", Double(fBeta))
        switch predictorType {
        case .binaryClassifier:
            let scalar = scalarLoss
            var lossSum = 0.0
            for i in 0 ..< n { lossSum += Double(scalar.evaluate(z[i], y[i]).loss) }
            let s = loss == .logistic ? z.map { 1 / (1 + exp(-$0)) } : z
            var tp = 0.0, fp = 0.0, fn = 0.0, tn = 0.0
            for i in 0 ..< n {
                let predicted = s[i] >= threshold, actual = y[i] > 0.5
                switch (predicted, actual) {
                case (true, true): tp += 1
                case (true, false): fp += 1
                case (false, true): fn += 1
                case (false, false): tn += 1
                }
            }
            let b2 = Double(fBeta * fBeta)
            let fDenominator = (1 + b2) * tp + b2 * fn + fp
            return [
                LinearMetric(name: objective, value: lossSum / Double(n), isLoss: true),
                LinearMetric(name: "binary_classification_accuracy", value: (tp + tn) / Double(n), isLoss: false),
                LinearMetric(
                    name: "binary_f_\(betaName)", value: fDenominator > 0 ? (1 + b2) * tp / fDenominator : 0,
                    isLoss: false),
                LinearMetric(name: "precision", value: tp + fp > 0 ? tp / (tp + fp) : 0, isLoss: false),
                LinearMetric(name: "recall", value: tp + fn > 0 ? tp / (tp + fn) : 0, isLoss: false),
                LinearMetric(
                    name: "roc_auc_score", value: BinaryCalibration.rocAUC(scores: s, labels: y), isLoss: false),
            ]
        case .multiclassClassifier:
            let k = outputs
            var p = z
            var crossEntropy = 0.0, correct = 0.0, topK = 0.0, dcg = 0.0
            var truePositive = [Double](repeating: 0, count: k)
            var predictedCount = [Double](repeating: 0, count: k)
            var actualCount = [Double](repeating: 0, count: k)
            for i in 0 ..< n {
                Self.softmax(&p, offset: i * k, count: k)
                let row = p[i * k ..< (i + 1) * k]
                let label = min(max(Int(y[i]), 0), k - 1)
                let pl = row[row.startIndex + label]
                crossEntropy -= Double(log(max(pl, 1e-12)))
                // Rank of the true class: 1 + number of classes scored higher.
                var rank = 1
                for v in row where v > pl { rank += 1 }
                if rank <= accuracyTopK { topK += 1 }
                dcg += 1 / log2(Double(rank) + 1)
                let predicted = Self.argmax(row)
                predictedCount[predicted] += 1
                actualCount[label] += 1
                if predicted == label {
                    correct += 1
                    truePositive[label] += 1
                }
            }
            var precisionSum = 0.0, recallSum = 0.0, fSum = 0.0
            let b2 = Double(fBeta * fBeta)
            for c in 0 ..< k {
                let precision = predictedCount[c] > 0 ? truePositive[c] / predictedCount[c] : 0
                let recall = actualCount[c] > 0 ? truePositive[c] / actualCount[c] : 0
                precisionSum += precision
                recallSum += recall
                let d = b2 * precision + recall
                fSum += d > 0 ? (1 + b2) * precision * recall / d : 0
            }
            let nd = Double(n), kd = Double(k)
            return [
                LinearMetric(name: objective, value: crossEntropy / nd, isLoss: true),
                LinearMetric(name: "multiclass_accuracy", value: correct / nd, isLoss: false),
                LinearMetric(name: "multiclass_top_k_accuracy_\(accuracyTopK)", value: topK / nd, isLoss: false),
                LinearMetric(name: "dcg", value: dcg / nd, isLoss: false),
                LinearMetric(name: "macro_precision", value: precisionSum / kd, isLoss: false),
                LinearMetric(name: "macro_recall", value: recallSum / kd, isLoss: false),
                LinearMetric(name: "macro_f_\(betaName)", value: fSum / kd, isLoss: false),
            ]
        case .regressor:
            let scalar = scalarLoss
            var lossSum = 0.0, squared = 0.0, absolute = 0.0
            for i in 0 ..< n {
                lossSum += Double(scalar.evaluate(z[i], y[i]).loss)
                let r = Double(z[i]) - Double(y[i])
                squared += r * r
                absolute += abs(r)
            }
            let nd = Double(n)
            return [
                LinearMetric(name: objective, value: lossSum / nd, isLoss: true),
                LinearMetric(name: "mse", value: squared / nd, isLoss: true),
                LinearMetric(name: "rmse", value: (squared / nd).squareRoot(), isLoss: true),
                LinearMetric(name: "absolute_loss", value: absolute / nd, isLoss: true),
            ]
        }
    }

    /// Evaluates `data` and logs each metric as SageMaker does, e.g. for `channel` "test":
    /// `#test_score (algo-1) : ('roc_auc_score', 0.6841)` and
    /// `#quality_metric: host=algo-1, test roc_auc_score <score>=0.684100000000`.
    public func logFinalMetrics(channel: String, data: LabeledData, log: (String) -> Void) {
        for metric in evaluate(data) {
            log("#\(channel)_score (algo-1) : ('\(metric.name)', \(metric.value))")
            log(
                "#quality_metric: host=algo-1, \(channel) \(metric.name) \(metric.isLoss ? "<loss>" : "<score>")="
                    + formatMetric(metric.value))
        }
    }

    var scalarLoss: ScalarLoss {
        var c = LinearLearnerConfiguration(predictorType: predictorType)
        c.loss = loss
        c.margin = margin
        c.quantile = quantile
        c.lossInsensitivity = lossInsensitivity
        c.huberDelta = huberDelta
        return ScalarLoss(configuration: c, labelScale: 1)
    }

    static func softmax(_ z: inout [Float], offset: Int, count: Int) {
        var m = -Float.infinity
        for k in 0 ..< count { m = max(m, z[offset + k]) }
        var sum: Float = 0
        for k in 0 ..< count {
            let e = exp(z[offset + k] - m)
            z[offset + k] = e
            sum += e
        }
        for k in 0 ..< count { z[offset + k] /= sum }
    }

    static func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }
}

/// Python-2-style `%.12g`, the number format of SageMaker's metric lines.
func formatMetric(_ v: Double) -> String { String(format: "%.12g", v) }
