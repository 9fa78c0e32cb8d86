#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An evaluation metric, computed on transformed predictions as XGBoost does (the container's own
/// metrics on raw margins: the caller passes those when `readsMargins`).
public struct Metric: Sendable {
    public enum Kind: Sendable, Equatable {
        case rmse, rmsle, mae, mape, mphe, logloss, auc, aucpr, merror, mlogloss
        case error(threshold: Double)
        case poissonNLogLik, gammaNLogLik
        case tweedieNLogLik(rho: Double)
        /// Ranking metrics over query groups; `top` nil = whole list; `minus`: a group without any
        /// relevant document scores 0 instead of 1 (the `-` suffix).
        case ndcg(top: Int?, minus: Bool)
        case map(top: Int?, minus: Bool)
        /// Computed by the SageMaker container on raw margins, not by XGBoost (see `ContainerMetric`).
        case container(ContainerMetric)
    }
    public var kind: Kind
    /// The name printed in log lines (`error@0.7`, `tweedie-nloglik@1.5`).
    public var name: String

    public static let knownNames = ["rmse", "rmsle", "mae", "mape", "mphe", "logloss", "auc", "aucpr", "merror",
                                    "mlogloss", "error", "poisson-nloglik", "gamma-nloglik", "tweedie-nloglik", "ndcg", "map"]
        + ContainerMetric.allCases.map(\.rawValue)

    /// Parses an XGBoost metric name; nil if unknown.
    public init?(name: String) {
        self.name = name
        if let container = ContainerMetric(rawValue: name) {
            kind = .container(container)
            return
        }
        if let ranking = Metric.rankingKind(name) {
            kind = ranking
            return
        }
        let parts = name.split(separator: "@", maxSplits: 1).map(String.init)
        let base = parts[0]
        let arg = parts.count > 1 ? Double(parts[1]) : nil
        if parts.count > 1 && arg == nil { return nil }
        switch base {
        case "rmse": kind = .rmse
        case "rmsle": kind = .rmsle
        case "mae": kind = .mae
        case "mape": kind = .mape
        case "mphe": kind = .mphe
        case "logloss": kind = .logloss
        case "auc": kind = .auc
        case "aucpr": kind = .aucpr
        case "merror": kind = .merror
        case "mlogloss": kind = .mlogloss
        case "error": kind = .error(threshold: arg ?? 0.5)
        case "poisson-nloglik": kind = .poissonNLogLik
        case "gamma-nloglik": kind = .gammaNLogLik
        case "tweedie-nloglik": kind = .tweedieNLogLik(rho: arg ?? 1.5)
        default: return nil
        }
        if parts.count > 1 {
            switch kind { case .error, .tweedieNLogLik: break; default: return nil }
        }
    }

    /// Whether larger is better (for early stopping).
    public var maximize: Bool {
        switch kind {
        case .auc, .aucpr, .ndcg, .map: return true
        case .container(let c): return c.maximize
        default: return false
        }
    }

    /// Whether the metric reads raw margins (the container's own metrics) instead of transformed predictions.
    public var readsMargins: Bool {
        if case .container = kind { return true }
        return false
    }

    /// The metrics of one evaluation line in the container's order: XGBoost's own first (the objective's
    /// default when the list names none of them), then the container's, each group in the order given.
    public static func evaluationList(_ names: [String], defaultMetric: String) -> [Metric] {
        let metrics = names.compactMap { Metric(name: $0) }
        var core = metrics.filter { !$0.readsMargins }
        if core.isEmpty { core = [Metric(name: defaultMetric)].compactMap { $0 } }
        return core + metrics.filter(\.readsMargins)
    }

    /// `preds` holds `width` values per row (class probabilities for multi-class); `groups` (XGBoost's
    /// group pointer) splits the rows into queries for the ranking metrics (nil: one query).
    public func evaluate(preds: [Float], width: Int, labels: [Float], weights: [Float]?, groups: [Int]? = nil,
                         threads: Int = 1) -> Double {
        let n = labels.count
        switch kind {
        case .container(let c):
            return c.evaluate(margins: preds, width: width, labels: labels)
        case .ndcg(let top, let minus):
            return Metric.rankingMean(preds: preds, labels: labels, weights: weights, groups: groups ?? [0, n]) {
                Metric.ndcg(preds: $0, labels: $1, top: top, minus: minus)
            }
        case .map(let top, let minus):
            return Metric.rankingMean(preds: preds, labels: labels, weights: weights, groups: groups ?? [0, n]) {
                Metric.averagePrecision(preds: $0, labels: $1, top: top, minus: minus)
            }
        default: break
        }
        @inline(__always) func w(_ i: Int) -> Double { weights.map { Double($0[i]) } ?? 1 }
        var sum = 0.0
        var wsum = 0.0
        switch kind {
        case .auc: return Metric.auc(preds: preds, width: width, labels: labels, weights: weights)
        case .aucpr: return Metric.aucpr(preds: preds, width: width, labels: labels, weights: weights)
        case .merror, .mlogloss:
            for i in 0..<n {
                let y = Int(labels[i])
                let row = i * width
                let v: Double
                if kind == .merror {
                    var best = 0
                    for k in 1..<max(width, 1) where preds[row + k] > preds[row + best] { best = k }
                    if width == 1 { best = preds[row] > 0.5 ? 1 : 0 }
                    v = best == y ? 0 : 1
                } else {
                    let p = width == 1 ? (y == 1 ? Double(preds[row]) : 1 - Double(preds[row])) : Double(preds[row + min(y, width - 1)])
                    v = -log(max(p, 1e-16))
                }
                sum += v * w(i); wsum += w(i)
            }
            return wsum == 0 ? 0 : sum / wsum
        default: break
        }
        let blocks = max(1, min(64, n / 16384))
        var partial = [SIMD2<Double>](repeating: .zero, count: blocks)
        let me = self
        partial.withUnsafeMutableBufferPointer { pb in
          let pp = SendablePointer(pb.baseAddress!)
          parallelFor(blocks, threads: threads) { blk in
            var sum = 0.0, wsum = 0.0
            let wp: UnsafePointer<Float>? = weights.map { $0.withUnsafeBufferPointer { $0.baseAddress! } }
            let yp = labels.withUnsafeBufferPointer { $0.baseAddress! }
            let pp0 = preds.withUnsafeBufferPointer { $0.baseAddress! }
            @inline(__always) func w(_ i: Int) -> Double { wp.map { Double($0[i]) } ?? 1 }
            for i in (n * blk / blocks)..<(n * (blk + 1) / blocks) {
            let y = Double(labels[i])
            let p = Double(preds[i * width])
            let v: Double
            switch me.kind {
            case .rmse: v = (y - p) * (y - p)
            case .rmsle: let d = log1p(p) - log1p(y); v = d * d
            case .mae: v = abs(y - p)
            case .mape: v = abs((y - p) / y)
            case .mphe: let z = y - p; v = sqrt(1 + z * z) - 1
            case .logloss:
                let eps = 1e-16
                let q = min(max(p, eps), 1 - eps)
                v = y == 1 ? -log(q) : (y == 0 ? -log(1 - q) : -(y * log(q) + (1 - y) * log(1 - q)))
            case .error(let t): v = p > t ? 1 - y : y
            case .poissonNLogLik:
                let q = max(p, 1e-16)
                v = lgamma(y + 1) + q - log(q) * y
            case .gammaNLogLik:
                let q = max(p, 1e-16)
                v = y / q + log(q)
            case .tweedieNLogLik(let rho):
                let q = max(p, 1e-16)
                let a = y * exp((1 - rho) * log(q)) / (1 - rho)
                let b = exp((2 - rho) * log(q)) / (2 - rho)
                v = -a + b
            default: v = 0
            }
            sum += v * w(i); wsum += w(i)
        }
            pp.p[blk] = SIMD2(sum, wsum)
          }
        }
        let tot = partial.reduce(SIMD2<Double>.zero, +)
        sum = tot.x
        wsum = tot.y
        if wsum == 0 { return 0 }
        switch kind {
        case .rmse, .rmsle: return sqrt(sum / wsum)
        default: return sum / wsum
        }
    }

    /// Binary ROC AUC with ties counted as half (trapezoid), weighted.
    static func auc(preds: [Float], width: Int, labels: [Float], weights: [Float]?) -> Double {
        let n = labels.count
        if width > 1 {
            // multi-class: one-vs-rest, weighted by class prevalence (XGBoost's multi-class AUC)
            var total = 0.0, tw = 0.0
            for k in 0..<width {
                let p = (0..<n).map { preds[$0 * width + k] }
                let y = labels.map { Int($0) == k ? Float(1) : 0 }
                var prevalence = 0.0
                for i in 0..<n {
                    let wi: Double = weights.map { Double($0[i]) } ?? 1
                    prevalence += Double(y[i]) * wi
                }
                let a = auc(preds: p, width: 1, labels: y, weights: weights)
                total += a * prevalence; tw += prevalence
            }
            return tw == 0 ? 0.5 : total / tw
        }
        var idx = Array(0..<n)
        idx.sort { preds[$0] > preds[$1] }
        var tp = 0.0, fp = 0.0, area = 0.0
        var i = 0
        while i < n {
            var j = i
            var gtp = 0.0, gfp = 0.0
            let v = preds[idx[i]]
            while j < n && preds[idx[j]] == v {
                let wt = weights.map { Double($0[idx[j]]) } ?? 1
                let y = Double(labels[idx[j]])
                gtp += y * wt; gfp += (1 - y) * wt
                j += 1
            }
            area += gfp * (tp + gtp / 2)
            tp += gtp; fp += gfp
            i = j
        }
        if tp == 0 || fp == 0 { return 0.5 }
        return area / (tp * fp)
    }

    /// Area under the precision-recall curve (trapezoid over distinct thresholds, as XGBoost's
    /// binary aucpr with linear interpolation between points).
    static func aucpr(preds: [Float], width: Int, labels: [Float], weights: [Float]?) -> Double {
        let n = labels.count
        var idx = Array(0..<n)
        idx.sort { preds[$0 * width] > preds[$1 * width] }
        var totalPos = 0.0
        for i in 0..<n { totalPos += Double(labels[i]) * (weights.map { Double($0[i]) } ?? 1) }
        if totalPos == 0 { return 0 }
        var tp = 0.0, fp = 0.0, prevTP = 0.0, prevFP = 0.0, area = 0.0
        var i = 0
        while i < n {
            let v = preds[idx[i] * width]
            while i < n && preds[idx[i] * width] == v {
                let wt = weights.map { Double($0[idx[i]]) } ?? 1
                let y = Double(labels[idx[i]])
                tp += y * wt; fp += (1 - y) * wt
                i += 1
            }
            // interpolate precision between (prevTP, prevFP) and (tp, fp) as Davis & Goadrich
            let dtp = tp - prevTP
            if dtp > 0 {
                let h = (fp - prevFP) / dtp
                let a = prevTP
                let b = prevFP
                // integral over x in [0, dtp] of (a+x)/(a+x+b+h x) dx / totalPos
                var s = 0.0
                let steps = 16
                for k in 0..<steps {
                    let x0 = dtp * Double(k) / Double(steps), x1 = dtp * Double(k + 1) / Double(steps)
                    let f0 = (a + x0) / max(a + x0 + b + h * x0, 1e-300)
                    let f1 = (a + x1) / max(a + x1 + b + h * x1, 1e-300)
                    s += (f0 + f1) / 2 * (x1 - x0)
                }
                area += s / totalPos
            }
            prevTP = tp; prevFP = fp
        }
        return area
    }
}
