import Linalg

/// Choosing initial centres among a set of (optionally weighted) points.
enum Seeding {
    /// `count` distinct row indices of the `n × d` points, by `method`. Points of weight 0 are never
    /// chosen unless there are not enough others.
    static func choose(
        _ method: KMeansConfiguration.InitMethod, count: Int, from x: UnsafePointer<Float>, n: Int, d: Int,
        weights: [Double]?, rng: inout Kernels.SplitMix64
    ) -> [Int] {
        switch method {
        case .random: return uniform(count: count, n: n, weights: weights, rng: &rng)
        case .kmeansPlusPlus: return plusPlus(count: count, from: x, n: n, d: d, weights: weights, rng: &rng)
        }
    }

    /// Distinct indices uniformly at random (partial Fisher–Yates), preferring points of positive weight.
    static func uniform(count: Int, n: Int, weights: [Double]?, rng: inout Kernels.SplitMix64) -> [Int] {
        var pool = Array(0 ..< n)
        if let w = weights {
            let positive = pool.filter { w[$0] > 0 }
            if positive.count >= count { pool = positive } else { pool = positive + pool.filter { w[$0] <= 0 } }
        }
        let eligible = pool.count
        for i in 0 ..< count {
            let j = i + Int(rng.next() % UInt64(eligible - i))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(count))
    }

    /// k-means++ (D² sampling, times the weight when weighted).
    static func plusPlus(
        count: Int, from x: UnsafePointer<Float>, n: Int, d: Int, weights: [Double]?, rng: inout Kernels.SplitMix64
    ) -> [Int] {
        var chosen = [Int](), taken = [Bool](repeating: false, count: n)
        var minDist = [Double](repeating: .infinity, count: n)
        let norms = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { norms.deallocate() }
        Kernels.rowSquaredNorms(x, rows: n, columns: d, into: norms)
        func weight(_ i: Int) -> Double { weights?[i] ?? 1 }
        while chosen.count < count {
            var total = 0.0
            for i in 0 ..< n where !taken[i] { total += weight(i) * (chosen.isEmpty ? 1 : minDist[i]) }
            var pick = -1
            if total > 0 && total.isFinite {
                var target = rng.nextUnit() * total
                for i in 0 ..< n where !taken[i] {
                    let p = weight(i) * (chosen.isEmpty ? 1 : minDist[i])
                    if p > 0 { pick = i }
                    target -= p
                    if target < 0 && p > 0 { break }
                }
            }
            if pick < 0 {
                // Every remaining point coincides with a chosen one (or has weight 0): take any.
                let rest = (0 ..< n).filter { !taken[$0] }
                pick = rest[Int(rng.next() % UInt64(rest.count))]
            }
            chosen.append(pick)
            taken[pick] = true
            let c = x + pick * d, cn = norms[pick]
            minDist.withUnsafeMutableBufferPointer { md in
                let out = Kernels.SharedPointer(md.baseAddress!)
                Kernels.parallelRowBlocks(n, minimumBlock: 256) { rows in
                    for i in rows {
                        let v = Double(max(0, norms[i] - 2 * Kernels.dot(x + i * d, c, count: d) + cn))
                        if v < out.base[i] { out.base[i] = v }
                    }
                }
            }
        }
        return chosen
    }
}
