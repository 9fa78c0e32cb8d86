/// The metrics SageMaker's XGBoost container computes itself rather than through XGBoost: scikit-learn's
/// scores on the **raw margins**, unweighted. A class is `margin > 0` for one output and the arg-max
/// for several; the regression scores (`mse`, `r2`) take the margin as the prediction.
public enum ContainerMetric: String, Sendable, CaseIterable {
    case accuracy, balancedAccuracy = "balanced_accuracy", f1 = "f1", f1Binary = "f1_binary", f1Macro = "f1_macro"
    case precision, precisionMacro = "precision_macro", precisionMicro = "precision_micro"
    case recall, recallMacro = "recall_macro", recallMicro = "recall_micro"
    case mse, r2

    /// Scores of predicted classes (the rest are regression scores on the margin).
    public var isClassification: Bool { self != .mse && self != .r2 }

    /// Larger is better for every score but `mse`.
    public var maximize: Bool { self != .mse }

    /// `margins` holds `width` values per row.
    public func evaluate(margins: [Float], width: Int, labels: [Float]) -> Double {
        let n = labels.count
        guard n > 0 else { return 0 }
        if !isClassification {
            var squared = 0.0, mean = 0.0
            for i in 0 ..< n { let d = Double(labels[i]) - Double(margins[i * width]); squared += d * d; mean += Double(labels[i]) }
            if self == .mse { return squared / Double(n) }
            mean /= Double(n)
            var total = 0.0
            for i in 0 ..< n { let d = Double(labels[i]) - mean; total += d * d }
            // scikit-learn's r2_score on constant labels: 1 for a perfect fit, else 0.
            if total == 0 { return squared == 0 ? 1 : 0 }
            return 1 - squared / total
        }
        let counts = ClassCounts(predicted: Self.classes(margins: margins, width: width, rows: n), labels: labels)
        switch self {
        case .accuracy, .precisionMicro, .recallMicro: return counts.correct / Double(n)
        case .balancedAccuracy:
            // Mean recall over the classes that occur in the labels.
            let present = counts.classes.filter { counts.actual[$0, default: 0] > 0 }
            return present.map { counts.truePositives[$0, default: 0] / counts.actual[$0]! }.reduce(0, +) / Double(max(present.count, 1))
        case .f1Binary: return counts.f1(of: 1)
        case .precision: return counts.precision(of: 1)
        case .recall: return counts.recall(of: 1)
        case .f1, .f1Macro: return counts.macro(counts.f1)
        case .precisionMacro: return counts.macro(counts.precision)
        case .recallMacro: return counts.macro(counts.recall)
        case .mse, .r2: return 0
        }
    }

    static func classes(margins: [Float], width: Int, rows: Int) -> [Int] {
        (0 ..< rows).map { r in
            if width == 1 { return margins[r] > 0 ? 1 : 0 }
            var best = 0
            for k in 1 ..< width where margins[r * width + k] > margins[r * width + best] { best = k }
            return best
        }
    }

    /// Per-class tallies; a ratio with a zero denominator counts 0, as scikit-learn's `zero_division` default.
    struct ClassCounts {
        var truePositives: [Int: Double] = [:], predictedCount: [Int: Double] = [:], actual: [Int: Double] = [:]
        var correct = 0.0
        /// Every class seen in the labels or the predictions, ascending.
        var classes: [Int] = []

        init(predicted: [Int], labels: [Float]) {
            for (i, p) in predicted.enumerated() {
                let label = labels[i]
                let y = label.isFinite && abs(label) < 1e9 ? Int(label) : Int.min  // no class can match such a label
                predictedCount[p, default: 0] += 1
                actual[y, default: 0] += 1
                if p == y { truePositives[y, default: 0] += 1; correct += 1 }
            }
            classes = Set(predictedCount.keys).union(actual.keys).sorted()
        }

        func precision(of c: Int) -> Double { ratio(truePositives[c, default: 0], predictedCount[c, default: 0]) }
        func recall(of c: Int) -> Double { ratio(truePositives[c, default: 0], actual[c, default: 0]) }
        func f1(of c: Int) -> Double {
            let tp = truePositives[c, default: 0]
            return ratio(2 * tp, predictedCount[c, default: 0] + actual[c, default: 0])
        }
        func macro(_ score: (Int) -> Double) -> Double {
            classes.isEmpty ? 0 : classes.map(score).reduce(0, +) / Double(classes.count)
        }
        private func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }
    }
}
