/// Threshold selection and ranking metrics for binary scores.
///
/// A row is predicted positive when `score >= threshold`.
public enum BinaryCalibration {
    /// The threshold that maximises `criterion` on (score, label) pairs, and the criterion's value there.
    /// `.lossFunction` has no threshold to tune: it returns `defaultThreshold` and the accuracy there.
    /// For `precision_at_target_recall` the value is the best precision among thresholds with recall ≥ target
    /// (and vice versa); when no threshold reaches the target the value is 0.
    public static func bestThreshold(
        scores: [Float], labels: [Float], criterion: LinearLearnerConfiguration.SelectionCriterion,
        beta: Float = 1, targetRecall: Float = 0.8, targetPrecision: Float = 0.8, defaultThreshold: Float
    ) -> (threshold: Float, value: Double) {
        let n = scores.count
        guard n > 0 else { return (defaultThreshold, 0) }
        if criterion == .lossFunction {
            var correct = 0
            for i in 0 ..< n where (scores[i] >= defaultThreshold) == (labels[i] > 0.5) { correct += 1 }
            return (defaultThreshold, Double(correct) / Double(n))
        }
        let order = sortedIndices(scores).reversed()  // descending score
        let s = order.map { scores[$0] }, y = order.map { labels[$0] > 0.5 }
        let positives = Double(y.lazy.filter { $0 }.count), total = Double(n)
        let b2 = Double(beta * beta)
        var best = -Double.infinity, bestK = 0
        var tp = 0.0, fp = 0.0
        for k in 0 ... n {
            if k > 0 {
                if y[k - 1] { tp += 1 } else { fp += 1 }
            }
            // Only cut between distinct scores.
            if k > 0 && k < n && s[k - 1] == s[k] { continue }
            let value: Double
            switch criterion {
            case .accuracy:
                value = (tp + (total - positives - fp)) / total
            case .fBeta:
                let denominator = (1 + b2) * tp + b2 * (positives - tp) + fp
                value = denominator > 0 ? (1 + b2) * tp / denominator : 0
            case .precisionAtTargetRecall:
                guard positives > 0, tp / positives >= Double(targetRecall), k > 0 else { continue }
                value = tp / Double(k)
            case .recallAtTargetPrecision:
                guard k > 0, tp / Double(k) >= Double(targetPrecision), positives > 0 else { continue }
                value = tp / positives
            case .lossFunction:
                value = 0
            }
            if value > best { (best, bestK) = (value, k) }
        }
        if best == -.infinity { return (s[0], 0) }
        return (threshold(cuttingTop: bestK, of: s), best)
    }

    /// Area under the ROC curve (ties count one half); 0.5 when only one class is present.
    public static func rocAUC(scores: [Float], labels: [Float]) -> Double {
        let order = sortedIndices(scores)
        var rankSum = 0.0, positives = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let averageRank = Double(i + j) / 2 + 1
            for t in i ... j where labels[order[t]] > 0.5 {
                rankSum += averageRank
                positives += 1
            }
            i = j + 1
        }
        let negatives = Double(order.count) - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// A threshold that makes exactly the `k` highest of the descending scores `s` positive.
    static func threshold(cuttingTop k: Int, of s: [Float]) -> Float {
        if k == 0 { return s[0].nextUp }
        if k == s.count { return s[k - 1] }
        let a = s[k - 1], b = s[k]
        let t = a / 2 + b / 2
        return t > b && t <= a ? t : a
    }

    /// Indices ordering `scores` ascending: a stable LSD radix sort (4 passes of 8 bits) of order-preserving
    /// 32-bit keys.
    static func sortedIndices(_ scores: [Float]) -> [Int] {
        let n = scores.count
        var keys = scores.map { v -> UInt32 in
            let bits = (v == 0 ? 0 : v).bitPattern  // −0 sorts with +0
            return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        }
        var index = (0 ..< n).map { UInt32($0) }
        guard n > 64 else { return index.sorted { (keys[Int($0)], $0) < (keys[Int($1)], $1) }.map { Int($0) } }
        var keys2 = [UInt32](repeating: 0, count: n), index2 = [UInt32](repeating: 0, count: n)
        for pass in 0 ..< 4 {
            let shift = UInt32(pass * 8)
            var counts = [Int](repeating: 0, count: 257)
            for key in keys { counts[Int((key >> shift) & 0xFF) + 1] += 1 }
            if counts.contains(n) { continue }  // every key has the same byte: nothing to do
            for b in 0 ..< 256 { counts[b + 1] += counts[b] }
            for i in 0 ..< n {
                let b = Int((keys[i] >> shift) & 0xFF)
                let to = counts[b]
                counts[b] = to + 1
                keys2[to] = keys[i]
                index2[to] = index[i]
            }
            swap(&keys, &keys2)
            swap(&index, &index2)
        }
        return index.map { Int($0) }
    }
}
