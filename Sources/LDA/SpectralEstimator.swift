import Dispatch
import Linalg

/// The method of moments for LDA (Anandkumar et al. 2014, as SageMaker describes it): whiten the
/// α₀-corrected second moment, form the whitened third moment from the documents, decompose it by
/// tensor ALS and un-whiten the components into topics.
///
/// Nothing of size vocabulary × vocabulary is formed: M₂ is applied to thin panels through sparse
/// products (randomised range finder), and the k × k × k tensor is assembled from per-document and
/// per-word projections.
struct SpectralEstimator {
    struct Estimate {
        /// Dirichlet weights of each component (from the tensor weights), before any filtering.
        var alpha: [Double]
        /// Topic-word distributions (each sums to 1, entries ≥ 0), one per component.
        var topics: [[Double]]
    }

    let documents: SparseMatrix
    let alpha0: Double
    /// Word count n of each document.
    let lengths: [Double]
    /// Per-document weights of the unbiased estimators: 1/(n·D₁) for M₁, 1/(n(n−1)·D₂) for pairs,
    /// 1/(n(n−1)(n−2)·D₃) for triples (0 for documents too short to contribute).
    let w1: [Float], w2: [Float], w3: [Float]
    /// M₁ (length V), and Σ_d w2_d c_d, Σ_d w3_d c_d (the diagonal corrections).
    let m1: [Double], g2: [Double], g3: [Double]
    /// Documents with at least 2 and 3 words.
    let docs2: Int, docs3: Int

    init(documents: SparseMatrix, alpha0: Double) {
        self.documents = documents
        self.alpha0 = alpha0
        let lengths = (0 ..< documents.rows).map { i in
            var n = 0.0
            for q in documents.rowStarts[i] ..< documents.rowStarts[i + 1] { n += Double(documents.values[q]) }
            return n
        }
        self.lengths = lengths
        let docs1 = Double(lengths.filter { $0 >= 1 }.count)
        docs2 = lengths.filter { $0 >= 2 }.count
        docs3 = lengths.filter { $0 >= 3 }.count
        let (d2, d3) = (Double(docs2), Double(docs3))
        w1 = lengths.map { $0 >= 1 ? Float(1 / ($0 * docs1)) : 0 }
        w2 = lengths.map { n in n >= 2 ? Float(1 / (n * (n - 1) * d2)) : 0 }
        w3 = lengths.map { n in n >= 3 ? Float(1 / (n * (n - 1) * (n - 2) * d3)) : 0 }
        m1 = SparseKernels.transposeMultiply(documents, vector: w1)
        g2 = SparseKernels.transposeMultiply(documents, vector: w2)
        g3 = SparseKernels.transposeMultiply(documents, vector: w3)
    }

    /// `M₂ · X` for a V × p panel X, with `M₂ = E[x₁⊗x₂] − α₀/(α₀+1)·M₁⊗M₁`, through sparse products.
    func applyM2(_ x: Matrix) -> Matrix {
        let v = documents.columns
        let cx = SparseKernels.multiply(documents, x)
        var out = SparseKernels.transposeMultiply(documents, cx, rowWeights: w2)
        let cols = x.columns
        let a2 = alpha0 / (alpha0 + 1)
        var m1x = [Double](repeating: 0, count: cols)
        for i in 0 ..< v { for j in 0 ..< cols { m1x[j] += m1[i] * Double(x.values[i * cols + j]) } }
        for i in 0 ..< v {
            for j in 0 ..< cols {
                out.values[i * cols + j] -= Float(g2[i]) * x.values[i * cols + j] + Float(a2 * m1[i] * m1x[j])
            }
        }
        return out
    }

    /// Estimates `components` topics (fewer when M₂ has fewer positive eigenvalues).
    func estimate(
        components requested: Int, maxRestarts: Int, maxIterations: Int, tolerance: Double, rng: inout Kernels.SplitMix64,
        log: (String) -> Void
    ) throws -> Estimate {
        let v = documents.columns
        guard docs3 > 0 else {
            throw LDAError("LDA needs at least one document with 3 or more words to estimate topics; got \(documents.rows) documents, none that long")
        }
        let k = min(requested, v)
        let p = min(v, k + 10)
        // Randomised range finder (p = k + 10 columns) with three power iterations.
        var q = Matrix(rows: v, columns: p, values: (0 ..< v * p).map { _ in Float(rng.nextGaussian()) })
        SmallDense.orthonormalizeColumns(&q)
        for _ in 0 ..< 3 {
            q = applyM2(q)
            SmallDense.orthonormalizeColumns(&q)
        }
        let m2q = applyM2(q)
        var small = [Double](repeating: 0, count: p * p)
        for i in 0 ..< v {
            for r in 0 ..< p {
                let qir = Double(q.values[i * p + r])
                if qir == 0 { continue }
                for s in 0 ..< p { small[r * p + s] += qir * Double(m2q.values[i * p + s]) }
            }
        }
        for r in 0 ..< p { for s in 0 ..< r { let m = (small[r * p + s] + small[s * p + r]) / 2; small[r * p + s] = m; small[s * p + r] = m } }
        let eig = SmallDense.symmetricEigen(small, n: p)
        let top = eig.values[0]
        var kept = 0
        while kept < k && eig.values[kept] > 1e-7 * top && top > 0 { kept += 1 }
        guard kept > 0 else {
            throw LDAError("the documents' second moment has no positive eigenvalue (documents too short or identical); cannot estimate topics")
        }
        if kept < k { log("Second moment has only \(kept) significant eigenvalues; estimating \(kept) of \(k) topics spectrally") }

        // Whitening W = Q U Λ^{-1/2} and un-whitening P = Q U Λ^{1/2} (V × kept each; Wᵀ P = I).
        var whiten = Matrix(rows: v, columns: kept), unwhiten = Matrix(rows: v, columns: kept)
        for i in 0 ..< v {
            for j in 0 ..< kept {
                var s = 0.0
                for r in 0 ..< p { s += Double(q.values[i * p + r]) * eig.vectors[r * p + j] }
                whiten.values[i * kept + j] = Float(s / eig.values[j].squareRoot())
                unwhiten.values[i * kept + j] = Float(s * eig.values[j].squareRoot())
            }
        }
        let tensor = whitenedThirdMoment(whiten: whiten)
        let als = SymmetricTensorALS.decompose(
            tensor, n: kept, rank: kept, maxRestarts: maxRestarts, maxIterations: maxIterations, tolerance: tolerance,
            rng: &rng)
        if als.restarts < maxRestarts || als.iterationCap < maxIterations {
            log("Tensor ALS of rank \(kept) is large: limited to \(als.restarts) restarts of at most \(als.iterationCap) iterations")
        }
        log("Tensor ALS: rank \(kept), relative residual \(als.relativeResidual), \(als.iterations) iterations in the best of \(als.restarts) restarts")

        var alpha = [Double](), topics = [[Double]]()
        let scale = 4 * alpha0 * (alpha0 + 1) / ((alpha0 + 2) * (alpha0 + 2))
        for (lambda, vec) in zip(als.weights, als.vectors) {
            var topic = [Double](repeating: 0, count: v)
            for i in 0 ..< v {
                var s = 0.0
                for j in 0 ..< kept { s += Double(unwhiten.values[i * kept + j]) * vec[j] }
                topic[i] = s
            }
            if topic.reduce(0, +) < 0 { topic = topic.map { -$0 } }
            topic = topic.map { max(0, $0) }
            let total = topic.reduce(0, +)
            if total <= 0 || lambda <= 0 { continue }
            topics.append(topic.map { $0 / total })
            alpha.append(scale / (lambda * lambda))
        }
        return Estimate(alpha: alpha, topics: topics)
    }

    /// `T = M₃(W, W, W)` assembled from the documents, with α₀'s corrections:
    /// `E₃(W,W,W) − α₀/(α₀+2)·(E₂(W,W) ⊗ m + 2 perms) + 2α₀²/((α₀+1)(α₀+2))·m⊗m⊗m`, `m = Wᵀ M₁`.
    func whitenedThirdMoment(whiten: Matrix) -> [Double] {
        let v = documents.columns, k = whiten.columns
        let kk = k * k, kkk = k * k * k
        let y = SparseKernels.multiply(documents, whiten)  // docs × k: Wᵀc per document
        let z = SparseKernels.transposeMultiply(documents, y, rowWeights: w3)  // V × k: Σ_d w3_d c_di y_d
        // Σ_d w3_d y_d⊗y_d⊗y_d, parallel over document blocks.
        let rows = documents.rows
        let blocks = max(1, min(8, rows / 512, (64 << 20) / max(1, kkk * 8)))
        var partial = [Double](repeating: 0, count: blocks * kkk)
        y.values.withUnsafeBufferPointer { yp in
            w3.withUnsafeBufferPointer { wp in
                partial.withUnsafeMutableBufferPointer { pp in
                    let ctx = TensorPointers(y: yp, w: wp, out: pp)
                    DispatchQueue.concurrentPerform(iterations: blocks) { blk in
                        let lo = rows * blk / blocks, hi = rows * (blk + 1) / blocks
                        let acc = ctx.out.baseAddress! + blk * kkk
                        var outer = [Double](repeating: 0, count: kk)
                        for d in lo ..< hi {
                            let w = Double(ctx.w[d])
                            if w == 0 { continue }
                            let yd = ctx.y.baseAddress! + d * k
                            // Only a ≤ b ≤ c: the tensor is symmetric (filled in below).
                            for a in 0 ..< k {
                                let ya = w * Double(yd[a])
                                for b in a ..< k { outer[a * k + b] = ya * Double(yd[b]) }
                            }
                            for a in 0 ..< k {
                                for b in a ..< k {
                                    let o = outer[a * k + b]
                                    let row = acc + a * kk + b * k
                                    for c in b ..< k { row[c] += o * Double(yd[c]) }
                                }
                            }
                        }
                    }
                }
            }
        }
        var t = [Double](repeating: 0, count: kkk)
        for blk in 0 ..< blocks { for i in 0 ..< kkk { t[i] += partial[blk * kkk + i] } }
        // − Σ_i w_i⊗w_i⊗z_i over the three placements, + 2 Σ_i g3_i w_i⊗w_i⊗w_i.
        var pTerm = [Double](repeating: 0, count: kkk)
        var wi = [Double](repeating: 0, count: k), zi = [Double](repeating: 0, count: k)
        for i in 0 ..< v {
            for a in 0 ..< k { wi[a] = Double(whiten.values[i * k + a]); zi[a] = Double(z.values[i * k + a]) }
            let g = 2 * g3[i]
            for a in 0 ..< k {
                for b in a ..< k {
                    let wab = wi[a] * wi[b]
                    if wab == 0 { continue }
                    let base = a * kk + b * k
                    for c in 0 ..< k { pTerm[base + c] += wab * zi[c] }
                    let gab = g * wab
                    for c in b ..< k { t[base + c] += gab * wi[c] }
                }
            }
        }
        // pTerm[a, b, c] is symmetric in (a, b) and only stored for a ≤ b.
        for a in 0 ..< k {
            for b in a ..< k {
                for c in b ..< k { t[a * kk + b * k + c] -= pTerm[a * kk + b * k + c] + pTerm[a * kk + c * k + b] + pTerm[b * kk + c * k + a] }
            }
        }
        // E₂(W, W) = Wᵀ M₂ W + α₀/(α₀+1)·m mᵀ.
        let m2w = applyM2(whiten)
        var m = [Double](repeating: 0, count: k)
        var e2 = [Double](repeating: 0, count: kk)
        let a2 = alpha0 / (alpha0 + 1)
        for i in 0 ..< v {
            for a in 0 ..< k {
                let wa = Double(whiten.values[i * k + a])
                m[a] += wa * m1[i]
                for b in 0 ..< k { e2[a * k + b] += wa * Double(m2w.values[i * k + b]) }
            }
        }
        for a in 0 ..< k { for b in 0 ..< k { e2[a * k + b] += a2 * m[a] * m[b] } }
        let a3 = alpha0 / (alpha0 + 2), b3 = 2 * alpha0 * alpha0 / ((alpha0 + 1) * (alpha0 + 2))
        for a in 0 ..< k {
            for b in a ..< k {
                for c in b ..< k {
                    t[a * kk + b * k + c] += -a3 * (e2[a * k + b] * m[c] + e2[a * k + c] * m[b] + e2[b * k + c] * m[a])
                        + b3 * m[a] * m[b] * m[c]
                }
            }
        }
        // Fill every entry from its sorted-index copy.
        for a in 0 ..< k {
            for b in 0 ..< k {
                for c in 0 ..< k {
                    let lo = min(a, b, c), hi = max(a, b, c), mid = a + b + c - lo - hi
                    t[a * kk + b * k + c] = t[lo * kk + mid * k + hi]
                }
            }
        }
        return t
    }
}

private struct TensorPointers: @unchecked Sendable {
    let y: UnsafeBufferPointer<Float>
    let w: UnsafeBufferPointer<Float>
    let out: UnsafeMutableBufferPointer<Double>
}
