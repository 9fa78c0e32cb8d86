#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ranking metrics (`ndcg`, `map`, `@n`, `-`), with the definitions of XGBoost ≥ 2.0 (what pip
/// xgboost 3.x reports):
/// - documents of a query are ordered by prediction, descending; ties keep the input order (stable sort);
/// - NDCG: gain `2^rel − 1` (rel truncated to an integer, capped at 31), discount `1 / log2(position + 2)`,
///   DCG over the first n positions divided by the ideal DCG over the first n; a query whose ideal DCG is 0
///   scores 1 (0 with `-`);
/// - MAP: a document is relevant when its label is > 0; precision at each relevant position within the
///   first n, summed and divided by min(n, relevant documents in the query); a query without relevant
///   documents scores 1 (0 with `-`). (XGBoost 1.7 divided by all relevant documents; ≥ 2.0 by min(n, ·).)
/// - the result is the mean over queries, weighted by query weights when given.
extension Metric {
    /// Parses `ndcg`, `ndcg-`, `ndcg@n`, `ndcg@n-` (and the same for `map`); nil for other names.
    static func rankingKind(_ name: String) -> Kind? {
        var rest: Substring
        let isNDCG: Bool
        if name.hasPrefix("ndcg") { isNDCG = true; rest = name.dropFirst(4) }
        else if name.hasPrefix("map") { isNDCG = false; rest = name.dropFirst(3) }
        else { return nil }
        var minus = false
        if rest.hasSuffix("-") { minus = true; rest = rest.dropLast() }
        var top: Int? = nil
        if rest.hasPrefix("@") {
            guard let n = Int(rest.dropFirst()), n > 0 else { return nil }
            top = n
        } else if !rest.isEmpty {
            return nil
        }
        return isNDCG ? .ndcg(top: top, minus: minus) : .map(top: top, minus: minus)
    }

    /// Weighted mean of a per-query score. Weights: one per query, or one per row (the query's first row
    /// counts), or none.
    static func rankingMean(preds: [Float], labels: [Float], weights: [Float]?, groups: [Int],
                            score: (ArraySlice<Float>, ArraySlice<Float>) -> Double) -> Double {
        let nGroups = groups.count - 1
        if nGroups <= 0 { return 0 }
        var sum = 0.0, wsum = 0.0
        for g in 0..<nGroups {
            let r = groups[g]..<groups[g + 1]
            var w = 1.0
            if let weights {
                if weights.count == nGroups { w = Double(weights[g]) } else if !r.isEmpty { w = Double(weights[r.lowerBound]) }
            }
            sum += score(preds[r], labels[r]) * w
            wsum += w
        }
        return wsum == 0 ? 0 : sum / wsum
    }

    /// Positions of a query's documents by prediction, descending, ties in input order.
    static func rankOrder(_ preds: ArraySlice<Float>) -> [Int] {
        let base = preds.startIndex
        var order = Array(0..<preds.count)
        // insertion-stable: sort by (prediction desc, index asc)
        order.sort { a, b in
            let pa = preds[base + a], pb = preds[base + b]
            return pa != pb ? pa > pb : a < b
        }
        return order
    }

    /// `2^rel − 1` with rel truncated to an integer in [0, 31] (XGBoost's exponential NDCG gain).
    @inline(__always) static func ndcgGain(_ label: Float) -> Double {
        let rel = min(max(Int(label), 0), 31)
        return Double((UInt64(1) << UInt64(rel)) - 1)
    }

    @inline(__always) static func ndcgDiscount(_ position: Int) -> Double { 1 / log2(Double(position) + 2) }

    /// NDCG@top of one query.
    static func ndcg(preds: ArraySlice<Float>, labels: ArraySlice<Float>, top: Int?, minus: Bool) -> Double {
        let n = labels.count
        let k = min(top ?? n, n)
        let base = labels.startIndex
        let order = rankOrder(preds)
        var dcg = 0.0
        for i in 0..<k { dcg += ndcgGain(labels[base + order[i]]) * ndcgDiscount(i) }
        let ideal = labels.map { ndcgGain($0) }.sorted(by: >)
        var idcg = 0.0
        for i in 0..<k { idcg += ideal[i] * ndcgDiscount(i) }
        if idcg == 0 { return minus ? 0 : 1 }
        return dcg / idcg
    }

    /// Average precision@top of one query.
    static func averagePrecision(preds: ArraySlice<Float>, labels: ArraySlice<Float>, top: Int?, minus: Bool) -> Double {
        let n = labels.count
        let k = min(top ?? n, n)
        let base = labels.startIndex
        let relevant = labels.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        if relevant == 0 { return minus ? 0 : 1 }
        let order = rankOrder(preds)
        var hits = 0
        var sum = 0.0
        for i in 0..<k where labels[base + order[i]] > 0 {
            hits += 1
            sum += Double(hits) / Double(i + 1)
        }
        return sum / Double(min(k, relevant))
    }
}
