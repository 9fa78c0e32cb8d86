import Linalg

/// SageMaker's PCA (`pca:1`) on an in-memory data set.
///
/// * `regular`: `C = XᵀX − n·m·mᵀ` (upper triangle only, zero-skipping Gram kernel, which also sums
///   the columns for the mean `m` in the same pass), constant
///   columns dropped, then the top `num_components` eigenpairs of `C`; `s = √λ`.
/// * `randomized`: sketch `B = H·X − (1/n)·(H·1)·sᵀ` with `H` random ±1 (`ℓ = num_components +
///   extra_components` rows), orthonormalise its rows into `Q`, then (Kiln's choice, one more pass)
///   the exact top eigenpairs of the centred data projected on `Q`.
public enum PCATrainer {
    /// Trains on `data` (rows × feature_dim), reporting progress through `log` (message bodies in
    /// SageMaker's formats, without the timestamp prefix).
    public static func train(_ data: Matrix, configuration c: PCAConfiguration, log: (String) -> Void) throws -> PCAModel {
        let n = data.rows, d = data.columns
        try c.validate(featureDim: d)
        guard n >= 1 else { throw PCAError("PCA needs at least one training row, got none") }
        let clock = ContinuousClock()
        let start = clock.now
        let model: PCAModel
        switch c.mode {
        case .regular: model = regular(data, configuration: c)
        case .randomized: model = randomized(data, mean: columnSums(data).map { $0 / Double(n) }, configuration: c)
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        log("#progress_metric: host=algo-1, completed 100.0 % of epochs")
        log("#throughput_metric: host=algo-1, train throughput=\(Double(n) / max(seconds, 1e-9)) records/second")
        return model
    }

    /// Column sums in Float64 (each parallel block sums in Float64 too).
    static func columnSums(_ data: Matrix) -> [Double] {
        let n = data.rows, d = data.columns
        let blocks = max(1, min(Kernels.workerCount * 2, n / 1024))
        var partial = [Double](repeating: 0, count: blocks * d)
        data.values.withUnsafeBufferPointer { px in
            partial.withUnsafeMutableBufferPointer { pp in
                let out = Kernels.SharedPointer(pp.baseAddress!), x = px.baseAddress!
                Kernels.parallelRowBlocks(blocks) { range in
                    for b in range {
                        let acc = out.base + b * d
                        let chunk = UnsafeMutablePointer<Float>.allocate(capacity: d)
                        defer { chunk.deallocate() }
                        var r = n * b / blocks
                        let end = n * (b + 1) / blocks
                        // Float partial sums over ≤ 256 rows, flushed to Float64.
                        while r < end {
                            chunk.initialize(repeating: 0, count: d)
                            let stop = min(end, r + 256)
                            while r < stop { Kernels.axpy(1, x + r * d, chunk, count: d); r += 1 }
                            for j in 0 ..< d { acc[j] += Double(chunk[j]) }
                        }
                    }
                }
            }
        }
        var sums = [Double](repeating: 0, count: d)
        for b in 0 ..< blocks { for j in 0 ..< d { sums[j] += partial[b * d + j] } }
        return sums
    }

    static func regular(_ data: Matrix, configuration c: PCAConfiguration) -> PCAModel {
        let n = data.rows, d = data.columns
        var s = [Double](repeating: 0, count: d * d)
        var sums = [Double](repeating: 0, count: d)
        data.values.withUnsafeBufferPointer { px in
            s.withUnsafeMutableBufferPointer { ps in
                sums.withUnsafeMutableBufferPointer { pm in
                    Kernels.accumulateGram(px.baseAddress!, rows: n, columns: d, into: ps.baseAddress!, columnSums: pm.baseAddress!)
                }
            }
        }
        let mean = sums.map { $0 / Double(n) }
        if c.subtractMean {
            for i in 0 ..< d { for j in i ..< d { s[i * d + j] -= Double(n) * mean[i] * mean[j] } }
        }
        // Columns without variance cannot carry a top component: solve on the others only.
        let active = (0 ..< d).filter { j in
            let raw = s[j * d + j] + (c.subtractMean ? Double(n) * mean[j] * mean[j] : 0)
            return s[j * d + j] > 1e-9 * raw && raw > 0
        }
        let a = active.count
        var compact = [Double](repeating: 0, count: a * a)
        for (p, i) in active.enumerated() {
            for (q, j) in active.enumerated() where q >= p { compact[p * a + q] = s[i * d + j] }
        }
        let m = min(c.numComponents, a)
        let eigen = Kernels.symmetricEigen(compact, n: a, largest: m)
        // Components beyond the active rank have zero variance: unit vectors on inactive columns.
        let nc = c.numComponents
        var values = [Float](repeating: 0, count: nc)
        var v = Matrix(rows: d, columns: nc)
        let padding = nc - m
        let activeSet = Set(active)
        let inactive = (0 ..< d).filter { !activeSet.contains($0) }
        for t in 0 ..< padding { v[inactive[t], t] = 1 }
        for j in 0 ..< m {
            values[padding + j] = Float(max(0, eigen.values[j]).squareRoot())
            for (p, i) in active.enumerated() { v[i, padding + j] = Float(eigen.vectors[j * a + p]) }
        }
        return PCAModel(singularValues: values, components: v, mean: mean.map(Float.init), subtractMean: c.subtractMean)
    }

    static func randomized(_ data: Matrix, mean: [Double], configuration c: PCAConfiguration) -> PCAModel {
        let n = data.rows, d = data.columns
        let l = max(c.numComponents, min(c.sketchSize, d, max(n, c.numComponents)))
        var rng = Kernels.SplitMix64(seed: c.seed)
        // Sketch B = H·X (ℓ × d) and h = H·1, one block of rows at a time.
        let blockRows = 4096
        var sketch = [Float](repeating: 0, count: l * d)
        var signSums = [Double](repeating: 0, count: l)
        var h = [Float](repeating: 0, count: l * blockRows)
        data.values.withUnsafeBufferPointer { px in
            sketch.withUnsafeMutableBufferPointer { pb in
                for r0 in stride(from: 0, to: n, by: blockRows) {
                    let b = min(blockRows, n - r0)
                    for i in 0 ..< l {
                        var sum: Float = 0
                        for t in 0 ..< b { let sign = rng.nextSign(); h[i * b + t] = sign; sum += sign }
                        signSums[i] += Double(sum)
                    }
                    h.withUnsafeBufferPointer { ph in
                        Kernels.sgemm(m: l, n: d, k: b, ph.baseAddress!, px.baseAddress! + r0 * d, pb.baseAddress!, accumulate: true)
                    }
                }
            }
        }
        // C = B − (1/n)·h·sᵀ = B − h·meanᵀ, in Float64, rows orthonormalised (modified Gram–Schmidt, twice).
        var q = [Double](repeating: 0, count: l * d)
        for i in 0 ..< l {
            for j in 0 ..< d { q[i * d + j] = Double(sketch[i * d + j]) - (c.subtractMean ? signSums[i] * mean[j] : 0) }
        }
        var basis = [Int]()
        for i in 0 ..< l {
            let norm0 = (0 ..< d).reduce(0.0) { $0 + q[i * d + $1] * q[i * d + $1] }.squareRoot()
            for _ in 0 ..< 2 {
                for p in basis {
                    var dot = 0.0
                    for j in 0 ..< d { dot += q[i * d + j] * q[p * d + j] }
                    for j in 0 ..< d { q[i * d + j] -= dot * q[p * d + j] }
                }
            }
            let norm = (0 ..< d).reduce(0.0) { $0 + q[i * d + $1] * q[i * d + $1] }.squareRoot()
            if norm > 1e-10 * max(norm0, .leastNormalMagnitude) && norm > 0 {
                for j in 0 ..< d { q[i * d + j] /= norm }
                basis.append(i)
            }
        }
        let r = basis.count
        // Y = (X − mean)·Qᵀ (n × r), then the exact eigenpairs of YᵀY.
        var qt = Matrix(rows: d, columns: r)
        for (p, i) in basis.enumerated() { for j in 0 ..< d { qt[j, p] = Float(q[i * d + j]) } }
        var y = Kernels.multiply(data, qt)
        if c.subtractMean {
            var shift = [Double](repeating: 0, count: r)
            for p in 0 ..< r { for j in 0 ..< d { shift[p] += mean[j] * Double(qt[j, p]) } }
            for i in 0 ..< n { for p in 0 ..< r { y.values[i * r + p] -= Float(shift[p]) } }
        }
        var g = [Double](repeating: 0, count: r * r)
        y.values.withUnsafeBufferPointer { py in
            g.withUnsafeMutableBufferPointer { Kernels.accumulateGram(py.baseAddress!, rows: n, columns: r, into: $0.baseAddress!) }
        }
        let m = min(c.numComponents, r)
        let eigen = Kernels.symmetricEigen(g, n: r, largest: m)
        let nc = c.numComponents
        var values = [Float](repeating: 0, count: nc)
        var v = Matrix(rows: d, columns: nc)
        let padding = nc - m
        for j in 0 ..< m {
            values[padding + j] = Float(max(0, eigen.values[j]).squareRoot())
            for row in 0 ..< d {
                var acc = 0.0
                for p in 0 ..< r { acc += Double(qt[row, p]) * eigen.vectors[j * r + p] }
                v[row, padding + j] = Float(acc)
            }
        }
        return PCAModel(singularValues: values, components: v, mean: mean.map(Float.init), subtractMean: c.subtractMean)
    }
}
