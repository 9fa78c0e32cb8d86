#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A learning objective: gradients of the loss on the margin, the margin → prediction transform,
/// and how `base_score` maps to a margin — with XGBoost's formulas.
public struct Objective: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case squaredError = "reg:squarederror"
        case linear = "reg:linear"
        case squaredLogError = "reg:squaredlogerror"
        case logistic = "reg:logistic"
        case pseudoHuber = "reg:pseudohubererror"
        case absoluteError = "reg:absoluteerror"
        case binaryLogistic = "binary:logistic"
        case binaryLogitRaw = "binary:logitraw"
        case binaryHinge = "binary:hinge"
        case poisson = "count:poisson"
        case gamma = "reg:gamma"
        case tweedie = "reg:tweedie"
        case softmax = "multi:softmax"
        case softprob = "multi:softprob"
        case rankPairwise = "rank:pairwise"
        case rankNDCG = "rank:ndcg"
        case rankMAP = "rank:map"
    }

    public var kind: Kind
    public var numClass: Int = 1
    public var scalePosWeight: Float = 1
    public var tweedieVariancePower: Double = 1.5
    public var huberSlope: Double = 1
    /// count:poisson's own max_delta_step (XGBoost default 0.7) used in its hessian.
    public var poissonMaxDeltaStep: Double = 0.7
    /// rank:* — pair construction and normalisation (XGBoost ≥ 2.0's LambdaMART parameters).
    public var ranking = RankingParameters()

    public init(kind: Kind, numClass: Int = 1) {
        self.kind = kind
        self.numClass = kind.isMulticlass ? numClass : 1
    }

    /// Outputs per row (number of trees per round).
    public var outputGroups: Int { kind.isMulticlass ? numClass : 1 }

    public var defaultMetric: String {
        switch kind {
        case .squaredError, .linear, .logistic: return "rmse"
        case .binaryLogistic, .binaryLogitRaw: return "logloss"
        case .binaryHinge: return "error"
        case .softmax, .softprob: return "mlogloss"
        case .poisson: return "poisson-nloglik"
        case .gamma: return "gamma-nloglik"
        case .tweedie: return "tweedie-nloglik@\(formatG(tweedieVariancePower))"
        case .absoluteError: return "mae"
        case .pseudoHuber: return "mphe"
        case .squaredLogError: return "rmsle"
        // XGBoost 1.7 (the SageMaker container's log lines): map for every rank:* objective;
        // XGBoost >= 2.0 would say ndcg@32 (pairwise, ndcg) and map@32 (map)
        case .rankPairwise, .rankNDCG, .rankMAP: return "map"
        }
    }

    /// `base_score` (prediction space) → initial margin.
    public func margin(fromBaseScore b: Double) -> Double {
        switch kind {
        case .logistic, .binaryLogistic: return -log(1 / b - 1)
        case .poisson, .gamma, .tweedie: return log(b)
        default: return b
        }
    }

    /// Label checks with the messages XGBoost gives.
    public func validate(labels: [Float]) -> String? {
        for y in labels {
            switch kind {
            case .logistic, .binaryLogistic, .binaryLogitRaw, .binaryHinge:
                if !(y >= 0 && y <= 1) { return "label must be in [0,1] for logistic regression (found \(y))" }
            case .softmax, .softprob:
                if !(y >= 0 && y < Float(numClass) && y == y.rounded()) {
                    return "label must be an integer in [0, num_class) = [0, \(numClass)) (found \(y))"
                }
            case .poisson:
                if !(y >= 0) { return "PoissonRegression: label must be nonnegative (found \(y))" }
            case .gamma, .tweedie:
                if !(y >= 0) { return "\(kind.rawValue): label must be nonnegative (found \(y))" }
            case .rankNDCG:
                if !(y >= 0 && y == y.rounded() && y <= 31) {
                    return "rank:ndcg: relevance degrees must be integers in [0, 31] for the exponential NDCG gain (found \(y))"
                }
            case .rankMAP:
                if !(y == 0 || y == 1) { return "rank:map: labels must be binary, 0 or 1 (found \(y))" }
            case .squaredLogError:
                if !(y > -1) { return "label must be greater than -1 for rmsle so that log(label + 1) can be valid (found \(y))" }
            default:
                if !y.isFinite { return "label must be finite (found \(y))" }
            }
        }
        return nil
    }

    /// Gradient pairs for all rows; multi-class output is class-major: `gpair[k * n + row]`.
    /// Ranking objectives use `groups` (XGBoost's group pointer; nil = one query) and `iteration`
    /// (seeds the pair sampling of `lambdarank_pair_method = mean`); `weights` then holds one per query
    /// or one per row (the query's first row counts).
    public func gradients(margins: UnsafePointer<Float>, labels: UnsafePointer<Float>, weights: UnsafePointer<Float>?,
                          rows n: Int, out gpair: UnsafeMutablePointer<SIMD2<Float>>, threads: Int,
                          groups: [Int]? = nil, weightCount: Int = 0, iteration: Int = 0) {
        if kind.isRanking {
            rankingGradients(margins: margins, labels: labels, weights: weights, weightCount: weightCount, rows: n,
                             groups: groups ?? [0, n], iteration: iteration, out: gpair, threads: threads)
            return
        }
        let blocks = max(1, min(64, n / 8192))
        let gp = SendablePointer(gpair)
        let me = self
        parallelFor(blocks, threads: threads) { b in
            me.gradientBlock(margins: margins, labels: labels, weights: weights, n: n,
                             from: n * b / blocks, to: n * (b + 1) / blocks, out: gp.p)
        }
    }

    @inline(__always)
    func gradientBlock(margins: UnsafePointer<Float>, labels: UnsafePointer<Float>, weights: UnsafePointer<Float>?, n: Int,
                       from: Int, to: Int, out: UnsafeMutablePointer<SIMD2<Float>>) {
        switch kind {
        case .softmax, .softprob:
            let K = numClass
            var p = [Float](repeating: 0, count: K)
            for i in from..<to {
                let w = weights?[i] ?? 1
                var mx = -Float.infinity
                for k in 0..<K { mx = max(mx, margins[i * K + k]) }
                var s: Float = 0
                for k in 0..<K { let e = expf(margins[i * K + k] - mx); p[k] = e; s += e }
                let y = Int(labels[i])
                for k in 0..<K {
                    let pk = p[k] / s
                    let g = (k == y ? pk - 1 : pk) * w
                    let h = max(2 * pk * (1 - pk) * w, 1e-16)
                    out[k * n + i] = SIMD2(g, h)
                }
            }
        case .logistic, .binaryLogistic, .binaryLogitRaw:
            let spw = scalePosWeight
            for i in from..<to {
                var w = weights?[i] ?? 1
                let y = labels[i]
                if y == 1 { w *= spw }
                let p = 1 / (1 + expf(-margins[i]))
                out[i] = SIMD2((p - y) * w, max(p * (1 - p), 1e-16) * w)
            }
        case .squaredError, .linear:
            if let weights {
                for i in from..<to { let w = weights[i]; out[i] = SIMD2((margins[i] - labels[i]) * w, w) }
            } else {
                for i in from..<to { out[i] = SIMD2(margins[i] - labels[i], 1) }
            }
        case .squaredLogError:
            for i in from..<to {
                let w = weights?[i] ?? 1
                let p = max(margins[i], -1 + 1e-6)
                let y = labels[i]
                let g = (log1pf(p) - log1pf(y)) / (p + 1)
                let h = max((-log1pf(p) + log1pf(y) + 1) / ((p + 1) * (p + 1)), 1e-6)
                out[i] = SIMD2(g * w, h * w)
            }
        case .pseudoHuber:
            let d = Float(huberSlope)
            for i in from..<to {
                let w = weights?[i] ?? 1
                let z = margins[i] - labels[i]
                let s = sqrtf(1 + (z / d) * (z / d))
                out[i] = SIMD2(z / s * w, d * d / ((d * d + z * z) * s) * w)
            }
        case .absoluteError:
            for i in from..<to {
                let w = weights?[i] ?? 1
                let z = margins[i] - labels[i]
                out[i] = SIMD2((z > 0 ? 1 : (z < 0 ? -1 : 0)) * w, w)
            }
        case .binaryHinge:
            for i in from..<to {
                let w = weights?[i] ?? 1
                let y: Float = labels[i] * 2 - 1
                if margins[i] * y < 1 { out[i] = SIMD2(-y * w, w) } else { out[i] = SIMD2(0, Float.leastNormalMagnitude) }
            }
        case .poisson:
            let mds = Float(poissonMaxDeltaStep)
            for i in from..<to {
                let w = weights?[i] ?? 1
                let p = expf(margins[i])
                out[i] = SIMD2((p - labels[i]) * w, expf(margins[i] + mds) * w)
            }
        case .gamma:
            for i in from..<to {
                let w = weights?[i] ?? 1
                let y = labels[i]
                let e = expf(-margins[i])
                out[i] = SIMD2((1 - y * e) * w, y * e * w)
            }
        case .rankPairwise, .rankNDCG, .rankMAP:
            break  // computed per query in `rankingGradients`
        case .tweedie:
            let rho = Float(tweedieVariancePower)
            for i in from..<to {
                let w = weights?[i] ?? 1
                let y = labels[i]
                let m = margins[i]
                let a = expf((1 - rho) * m), b = expf((2 - rho) * m)
                out[i] = SIMD2((-y * a + b) * w, (-y * (1 - rho) * a + (2 - rho) * b) * w)
            }
        }
    }

    /// Margin row → prediction row (probabilities for softmax/softprob when `forEval`).
    public func transform(_ m: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, forEval: Bool = false) {
        switch kind {
        case .logistic, .binaryLogistic: out[0] = 1 / (1 + expf(-m[0]))
        case .poisson, .gamma, .tweedie: out[0] = expf(m[0])
        case .binaryHinge: out[0] = m[0] > 0 ? 1 : 0
        case .softprob, .softmax:
            if kind == .softmax && !forEval {
                var best = 0
                for k in 1..<numClass where m[k] > m[best] { best = k }
                out[0] = Float(best)
            } else {
                var mx = -Float.infinity
                for k in 0..<numClass { mx = max(mx, m[k]) }
                var s: Float = 0
                for k in 0..<numClass { out[k] = expf(m[k] - mx); s += out[k] }
                for k in 0..<numClass { out[k] /= s }
            }
        default: out[0] = m[0]
        }
    }

    /// Values per row that `transform` writes.
    public func predictionWidth(forEval: Bool) -> Int {
        switch kind {
        case .softprob: return numClass
        case .softmax: return forEval ? numClass : 1
        default: return 1
        }
    }
}

extension Objective.Kind {
    public var isMulticlass: Bool { self == .softmax || self == .softprob }
    public var isBinary: Bool { self == .binaryLogistic || self == .binaryLogitRaw || self == .binaryHinge }
    public var isRanking: Bool { self == .rankPairwise || self == .rankNDCG || self == .rankMAP }
}

/// `%g`-like formatting used in names such as `tweedie-nloglik@1.5`.
func formatG(_ x: Double) -> String {
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
}
