import Linalg

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SageMaker's web-scale K-Means (`kmeans:1`) on an in-memory data set.
///
/// 1. Seed `K = k × extra_center_factor` centres from the first mini-batch (`init_method`).
/// 2. Stream the data in mini-batches for `epochs` passes: assign each row to its closest centre,
///    then move centre `j` towards the mean of its `m` new rows by `m / (n + m)` (`n` = its
///    accumulated, optionally half-life-decayed, count).
/// 3. Shrink the `K` centres to `k` with weighted Lloyd (`local_lloyd_*`), best of several trials.
/// 4. Kiln addition (`refineOnFullData`, on by default): Lloyd on all rows from the shrunk centres,
///    bounded by `local_lloyd_max_iter` and `local_lloyd_tol`.
public enum KMeansTrainer {
    /// Trains on `data` (rows × `featureDim`), reporting progress through `log` (message bodies in
    /// SageMaker's formats, without the timestamp prefix).
    public static func train(
        _ data: Matrix, configuration c: KMeansConfiguration, log: (String) -> Void
    ) throws -> KMeansModel {
        try c.validate()
        guard data.columns == c.featureDim else {
            throw KMeansError("The training data has \(data.columns) features per row but feature_dim is \(c.featureDim); set feature_dim to the number of features")
        }
        guard data.rows >= c.k else {
            throw KMeansError("k=\(c.k) clusters need at least \(c.k) training rows, got \(data.rows); lower k or add data")
        }
        let n = data.rows, d = data.columns, k = c.k
        var rng = Kernels.SplitMix64(seed: c.seed)
        let clock = ContinuousClock()
        let start = clock.now
        let norms = Kernels.rowSquaredNorms(data)
        // Sparse rows (≤ 40 % non-zero) take the sparse distance kernel, ~2–4× less work.
        let sparse = SparseRows(data, maxDensity: 0.4)

        let firstBatch = min(c.miniBatchSize, n)
        if firstBatch < c.miniBatchSize {
            log("Batch size \(c.miniBatchSize) is bigger than the first batch data. Effective batch size used to initialize is \(firstBatch)")
        }
        let bigK = max(k, min(k * c.resolvedExtraCenterFactor, firstBatch))
        var centers = data.values.withUnsafeBufferPointer { px in
            let picks = Seeding.choose(c.initMethod, count: bigK, from: px.baseAddress!, n: firstBatch, d: d, weights: nil, rng: &rng)
            return picks.flatMap { data.values[$0 * d ..< ($0 + 1) * d] }
        }

        // Streaming mini-batch pass.
        var counts = [Double](repeating: 0, count: bigK)
        var assignments = [Int32](repeating: 0, count: n), distances = [Float](repeating: 0, count: n)
        for epoch in 0 ..< c.epochs {
            var b0 = 0
            while b0 < n {
                let b1 = min(n, b0 + c.miniBatchSize)
                let stats = data.values.withUnsafeBufferPointer { px in
                    norms.withUnsafeBufferPointer { pn in
                        assignments.withUnsafeMutableBufferPointer { pa in
                            distances.withUnsafeMutableBufferPointer { pd in
                                Lloyd.assign(px.baseAddress! + b0 * d, norms: pn.baseAddress! + b0, rows: b1 - b0, d: d,
                                             centers: centers, k: bigK, assignments: pa.baseAddress! + b0, distances: pd.baseAddress! + b0,
                                             sparse: sparse, firstRow: b0)
                                return Lloyd.clusterSums(px.baseAddress! + b0 * d, rows: b1 - b0, d: d,
                                                         assignments: pa.baseAddress! + b0, k: bigK)
                            }
                        }
                    }
                }
                if c.halfLifeTimeSize > 0 {
                    let decay = pow(0.5, Double(b1 - b0) / Double(c.halfLifeTimeSize))
                    for j in 0 ..< bigK { counts[j] *= decay }
                }
                for j in 0 ..< bigK where stats.counts[j] > 0 {
                    let m = stats.counts[j]
                    let p = m / (counts[j] + m)
                    for t in 0 ..< d {
                        let mean = stats.sums[j * d + t] / m
                        centers[j * d + t] = Float((1 - p) * Double(centers[j * d + t]) + p * mean)
                    }
                    counts[j] += m
                }
                b0 = b1
            }
            log("#progress_metric: host=algo-1, completed \(Double(100 * (epoch + 1)) / Double(c.epochs)) % of epochs")
        }
        let streamSeconds = seconds(clock.now - start)
        log("#throughput_metric: host=algo-1, train throughput=\(Double(n * c.epochs) / max(streamSeconds, 1e-9)) records/second")

        // Shrink K centres into k.
        log("shrinking \(bigK) centers into \(k)")
        var best: (centers: [Float], loss: Double)? = nil
        for trial in 0 ..< c.resolvedLocalLloydTrials {
            let initial = centers.withUnsafeBufferPointer { pc in
                Seeding.choose(c.localLloydInitMethod, count: k, from: pc.baseAddress!, n: bigK, d: d, weights: counts, rng: &rng)
                    .flatMap { centers[$0 * d ..< ($0 + 1) * d] }
            }
            let run = Lloyd.weightedRun(points: centers, weights: counts, d: d, initial: initial, k: k,
                                        maxIterations: c.localLloydMaxIterations, tolerance: c.localLloydTolerance)
            log("local kmeans attempt #\(trial). Current mean square distance \(run.loss)")
            if best == nil || run.loss < best!.loss { best = run }
        }
        var final = best!.centers

        // Full-data Lloyd refinement (Kiln addition).
        var msd: Double
        if c.refineOnFullData {
            let refined = refine(data, sparse: sparse, norms: norms, centers: final, k: k, configuration: c,
                                 assignments: &assignments, distances: &distances)
            final = refined.centers
            msd = refined.msd
            log("Lloyd refinement on all \(n) rows: \(refined.iterations) iterations, mean square distance \(msd)")
        } else {
            msd = KMeansModel(centroids: Matrix(rows: k, columns: d, values: final)).score(data).msd
        }
        log("#quality_metric: host=algo-1, train msd <loss>=\(msd)")
        return KMeansModel(centroids: Matrix(rows: k, columns: d, values: final))
    }

    /// Lloyd iterations on every row until the relative loss decrease falls below the tolerance or
    /// the iteration cap is hit. The returned `msd` belongs to the returned centres.
    static func refine(
        _ data: Matrix, sparse: SparseRows?, norms: [Float], centers initial: [Float], k: Int, configuration c: KMeansConfiguration,
        assignments: inout [Int32], distances: inout [Float]
    ) -> (centers: [Float], msd: Double, iterations: Int) {
        let n = data.rows, d = data.columns
        var centers = initial
        var previous = Double.infinity
        var iteration = 0
        while true {
            let sums: (sums: [Double], counts: [Double])? = data.values.withUnsafeBufferPointer { px in
                norms.withUnsafeBufferPointer { pn in
                    assignments.withUnsafeMutableBufferPointer { pa in
                        distances.withUnsafeMutableBufferPointer { pd in
                            Lloyd.assign(px.baseAddress!, norms: pn.baseAddress!, rows: n, d: d, centers: centers, k: k,
                                         assignments: pa.baseAddress!, distances: pd.baseAddress!, sparse: sparse)
                            let loss = pd.reduce(0.0) { $0 + Double($1) } / Double(n)
                            if iteration >= c.localLloydMaxIterations
                                || (previous.isFinite && previous - loss <= c.localLloydTolerance * previous)
                            {
                                previous = loss
                                return nil
                            }
                            previous = loss
                            return Lloyd.clusterSums(px.baseAddress!, rows: n, d: d, assignments: pa.baseAddress!, k: k)
                        }
                    }
                }
            }
            guard let stats = sums else { break }
            for j in 0 ..< k where stats.counts[j] > 0 {
                for t in 0 ..< d { centers[j * d + t] = Float(stats.sums[j * d + t] / stats.counts[j]) }
            }
            iteration += 1
        }
        return (centers, previous, iteration)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) * 1e-18
    }
}
