#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LambdaMART parameters of the rank:* objectives. Defaults are XGBoost ≥ 2.0's (pip xgboost 3.x), which
/// the parity tests compare with; XGBoost 1.7 (the SageMaker 1.7-1 core) differs — see the README.
public struct RankingParameters: Sendable, Equatable {
    public enum PairMethod: String, Sendable { case topk, mean }
    /// `lambdarank_pair_method`: `topk` pairs each of the first k documents (by current score) with every
    /// document below it; `mean` samples `numPair` partners with another label for every document.
    public var pairMethod = PairMethod.topk
    /// `lambdarank_num_pair_per_sample`; nil = 32 for topk, 1 for mean.
    public var numPairPerSample: Int? = nil
    /// `ndcg_exp_gain`: gain `2^rel − 1` (true) or `rel`.
    public var expGain = true
    /// `lambdarank_normalization`: scale a query's gradients (topk: log2(1 + Σλ)/Σλ; mean: 1/numPair).
    public var normalization = true
    /// `lambdarank_score_normalization`: divide |Δmetric| by |s_i − s_j| + 0.01.
    public var scoreNormalization = true
    /// Seeds the `mean` pair sampling.
    public var seed: UInt64 = 0

    public init() {}

    public var numPair: Int { numPairPerSample ?? (pairMethod == .topk ? 32 : 1) }

}

extension Objective {
    /// LambdaMART gradients per query, as XGBoost ≥ 2.0 computes them on the CPU: documents ordered by
    /// score; for each pair with different labels λ = (σ(s_hi − s_lo) − 1)·|Δ|, h = 2·σ(1 − σ)·|Δ|, where Δ is
    /// 1 (pairwise), ΔNDCG (ndcg) or ΔAP (map) of swapping the two, optionally divided by |s_hi − s_lo| + 0.01;
    /// then the query's normalisation and weight (times #queries / Σ weights).
    func rankingGradients(margins: UnsafePointer<Float>, labels: UnsafePointer<Float>, weights: UnsafePointer<Float>?,
                          weightCount: Int, rows n: Int, groups: [Int], iteration: Int,
                          out gpair: UnsafeMutablePointer<SIMD2<Float>>, threads: Int) {
        let nGroups = groups.count - 1
        guard nGroups > 0 else { return }
        var groupWeight = [Float](repeating: 1, count: nGroups)
        if let weights {
            for g in 0..<nGroups {
                if weightCount == nGroups { groupWeight[g] = weights[g] } else if groups[g] < groups[g + 1] { groupWeight[g] = weights[groups[g]] }
            }
            let total = groupWeight.reduce(0.0) { $0 + Double($1) }
            let norm = total > 0 ? Float(Double(nGroups) / total) : 1
            for g in 0..<nGroups { groupWeight[g] *= norm }
        }
        let out = SendablePointer(gpair)
        let me = self
        let blocks = min(nGroups, max(1, threads * 4))
        parallelFor(blocks, threads: threads) { b in
            for g in (nGroups * b / blocks)..<(nGroups * (b + 1) / blocks) {
                me.rankingGroup(margins: margins + groups[g], labels: labels + groups[g], count: groups[g + 1] - groups[g],
                                weight: groupWeight[g], group: g, iteration: iteration, out: out.p + groups[g])
            }
        }
    }

    private func rankingGroup(margins s: UnsafePointer<Float>, labels y: UnsafePointer<Float>, count cnt: Int, weight: Float,
                              group: Int, iteration: Int, out: UnsafeMutablePointer<SIMD2<Float>>) {
        for i in 0..<cnt { out[i] = .zero }
        if cnt < 2 { return }
        let p = ranking
        // rank list: positions by score, descending, ties in input order
        var order = Array(0..<cnt)
        order.sort { a, b in s[a] != s[b] ? s[a] > s[b] : a < b }
        let best = s[order[0]], worst = s[order[cnt - 1]]
        let gain: (Float) -> Double = { v in p.expGain ? Metric.ndcgGain(v) : Double(v) }

        var invIDCG = 0.0
        var discount: [Double] = []
        var nRel: [Double] = [], acc: [Double] = []
        switch kind {
        case .rankNDCG:
            discount = (0..<cnt).map { Metric.ndcgDiscount($0) }
            let ideal = (0..<cnt).map { gain(y[$0]) }.sorted(by: >)
            let k = p.pairMethod == .topk ? min(p.numPair, cnt) : cnt
            var idcg = 0.0
            for i in 0..<k { idcg += ideal[i] * discount[i] }
            invIDCG = idcg > 0 ? 1 / idcg : 0
        case .rankMAP:
            nRel = [Double](repeating: 0, count: cnt)
            acc = [Double](repeating: 0, count: cnt)
            var r = 0.0, a = 0.0
            for k in 0..<cnt {
                let l = Double(y[order[k]])
                r += l; a += l / Double(k + 1)
                nRel[k] = r; acc[k] = a
            }
        default: break
        }

        func delta(_ yHigh: Float, _ yLow: Float, _ rankHigh: Int, _ rankLow: Int) -> Double {
            switch kind {
            case .rankNDCG:
                let gh = gain(yHigh), gl = gain(yLow)
                let dh = discount[rankHigh], dl = discount[rankLow]
                return ((gh * dh + gl * dl) - (gl * dh + gh * dl)) * invIDCG
            case .rankMAP:
                var (rh, rl, yh, yl) = (rankHigh, rankLow, yHigh, yLow)
                if rh > rl { swap(&rh, &rl); swap(&yh, &yl) }
                let total = nRel[cnt - 1]
                let m = nRel[rl], nn = nRel[rh]
                let posH = Double(rh + 1), posL = Double(rl + 1)
                let b = acc[rl - 1] - acc[rh]
                return yh < yl ? (m / posL - (nn + 1) / posH - b) / total : (nn / posH - m / posL + b) / total
            default:
                return 1
            }
        }

        var sumLambda = 0.0
        func pair(_ i: Int, _ j: Int) {
            var rankHigh = i, rankLow = j
            let yi = y[order[i]], yj = y[order[j]]
            if yi == yj { return }
            if yi < yj { swap(&rankHigh, &rankLow) }
            let hi = order[rankHigh], lo = order[rankLow]
            var d = abs(delta(y[hi], y[lo], rankHigh, rankLow))
            if p.scoreNormalization && best != worst { d /= Double(abs(s[hi] - s[lo])) + 0.01 }
            let sig = Double(sigmoid(s[hi] - s[lo]))
            let lambda = Float((sig - 1) * d)
            let hess = Float(max(sig * (1 - sig), 1e-16) * d * 2)
            out[hi] += SIMD2(lambda, hess)
            out[lo] += SIMD2(-lambda, hess)
            sumLambda += -2 * Double(lambda)
        }

        switch p.pairMethod {
        case .topk:
            for i in 0..<min(cnt, p.numPair) {
                for j in (i + 1)..<cnt { pair(i, j) }
            }
        case .mean:
            var rng = SplitMix64(seed: p.seed &+ UInt64(iteration) &* 0x9E37_79B9 &+ UInt64(group) &* 0x632B_E5AB)
            // rank positions ordered by label, descending (stable)
            var bySorted = Array(0..<cnt)
            bySorted.sort { a, b in y[order[a]] != y[order[b]] ? y[order[a]] > y[order[b]] : a < b }
            var i = 0
            while i < cnt {
                var j = i + 1
                while j < cnt && y[order[bySorted[i]]] == y[order[bySorted[j]]] { j += 1 }
                let lefts = i, rights = cnt - j
                if lefts + rights > 0 {
                    for _ in 0..<p.numPair {
                        for k in i..<j {
                            var r = Int(rng.next() % UInt64(lefts + rights))
                            if r >= lefts { r += j - i }
                            pair(bySorted[k], bySorted[r])
                        }
                    }
                }
                i = j
            }
        }

        var norm = 1.0
        if p.normalization {
            if p.pairMethod == .mean {
                norm = 1 / Double(p.numPair)
            } else if sumLambda > 0 {
                norm = log2(1 + sumLambda) / sumLambda
            }
        }
        let scale = Float(norm) * weight
        if scale != 1 { for i in 0..<cnt { out[i] *= scale } }
    }

    @inline(__always) private func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(min(-x, 88.7))) }
}
