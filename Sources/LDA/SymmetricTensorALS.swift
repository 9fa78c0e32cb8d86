import Dispatch
import Foundation
import Linalg
import Synchronization

/// CP decomposition of a symmetric `n × n × n` tensor `T ≈ Σᵣ λᵣ vᵣ ⊗ vᵣ ⊗ vᵣ` by alternating
/// least squares with random restarts (SageMaker LDA's `max_restarts`, `max_iterations`, `tol`).
struct SymmetricTensorALS {
    struct Result {
        /// λᵣ ≥ 0 after sign normalisation.
        var weights: [Double]
        /// Unit vectors vᵣ (each of length n).
        var vectors: [[Double]]
        /// ‖T − T̂‖ / ‖T‖ of the kept run.
        var relativeResidual: Double
        /// Iterations of the kept run.
        var iterations: Int
        /// Restarts and iteration cap actually used (lower than requested above the work budget).
        var restarts: Int
        var iterationCap: Int
    }

    /// Multiply-adds allowed for all restarts together (about a minute of one core).
    static let defaultWorkBudget = 1e11

    /// Decomposes `tensor` (row-major, entry `(a, b, c)` at `a·n² + b·n + c`) into `rank` terms.
    /// The input is symmetrised first, so only its symmetric part matters.
    static func decompose(
        _ tensor: [Double], n: Int, rank: Int, maxRestarts: Int, maxIterations: Int, tolerance: Double,
        workBudget: Double = SymmetricTensorALS.defaultWorkBudget, rng: inout Kernels.SplitMix64
    ) -> Result {
        precondition(tensor.count == n * n * n && rank > 0 && n > 0)
        var t = tensor
        for a in 0 ..< n {
            for b in 0 ..< n {
                for c in 0 ..< n {
                    let s = (tensor[a * n * n + b * n + c] + tensor[a * n * n + c * n + b] + tensor[b * n * n + a * n + c]
                        + tensor[b * n * n + c * n + a] + tensor[c * n * n + a * n + b] + tensor[c * n * n + b * n + a]) / 6
                    t[a * n * n + b * n + c] = s
                }
            }
        }
        let normT = t.reduce(0) { $0 + $1 * $1 }.squareRoot()
        // Restarts run in parallel, each with its own generator seeded from `rng`, so the result
        // does not depend on scheduling.
        // Each iteration costs ~1.5·n⁴ multiply-adds; above `workBudget` in total (large topic
        // counts) fewer restarts/iterations run, so training time stays bounded.
        let perIteration = 1.5 * pow(Double(n), 4) + 1
        var restarts = maxRestarts, iterationCap = maxIterations
        if Double(restarts) * Double(iterationCap) * perIteration > workBudget {
            restarts = max(1, min(restarts, Int(workBudget / (100 * perIteration))))
            iterationCap = max(10, min(maxIterations, Int(workBudget / (Double(restarts) * perIteration))))
        }
        let maxRestarts = restarts, maxIterations = iterationCap
        let seeds = (0 ..< maxRestarts).map { _ in rng.next() }
        let runs = RunSlots(count: maxRestarts)
        let tensorCopy = t
        DispatchQueue.concurrentPerform(iterations: maxRestarts) { i in
            var local = Kernels.SplitMix64(seed: seeds[i])
            runs.store(i, singleRun(tensorCopy, n: n, rank: rank, normT: normT, maxIterations: maxIterations, tolerance: tolerance, rng: &local))
        }
        var kept = runs.value(0)
        for i in 1 ..< maxRestarts where runs.value(i).residual < kept.residual { kept = runs.value(i) }
        var weights = [Double](), vectors = [[Double]]()
        for r in 0 ..< rank {
            var a = (0 ..< n).map { kept.a[$0 * rank + r] }
            var b = (0 ..< n).map { kept.b[$0 * rank + r] }
            var c = (0 ..< n).map { kept.c[$0 * rank + r] }
            let lambda = normalize(&c)
            _ = normalize(&a)
            _ = normalize(&b)
            let sb: Double = dot(a, b) < 0 ? -1 : 1
            let sc: Double = dot(a, c) < 0 ? -1 : 1
            var v = (0 ..< n).map { a[$0] + sb * b[$0] + sc * c[$0] }
            _ = normalize(&v)
            var w = lambda * sb * sc
            if w < 0 { (w, v) = (-w, v.map { -$0 }) }
            weights.append(w)
            vectors.append(v)
        }
        return Result(
            weights: weights, vectors: vectors, relativeResidual: kept.residual, iterations: kept.iterations,
            restarts: maxRestarts, iterationCap: maxIterations)
    }

    private static func singleRun(
        _ t: [Double], n: Int, rank: Int, normT: Double, maxIterations: Int, tolerance: Double, rng: inout Kernels.SplitMix64
    ) -> (a: [Double], b: [Double], c: [Double], residual: Double, iterations: Int) {
        var a = [Double](repeating: 0, count: n * rank)
        var b = initialFactors(t, n: n, rank: rank, rng: &rng)
        var c = b
        normalizeColumns(&b, n: n, rank: rank)
        normalizeColumns(&c, n: n, rank: rank)
        var previousFit = -Double.infinity
        var residual = 1.0
        var iterations = 0
        var gb = gram(b, n: n, rank: rank), gc = gram(c, n: n, rank: rank)
        for iteration in 1 ... maxIterations {
            iterations = iteration
            a = solveNormal(mttkrp(t, n: n, rank: rank, b, c), gram: hadamard(gb, gc), n: n, rank: rank)
            normalizeColumns(&a, n: n, rank: rank)
            let ga = gram(a, n: n, rank: rank)
            b = solveNormal(mttkrp(t, n: n, rank: rank, a, c), gram: hadamard(ga, gc), n: n, rank: rank)
            normalizeColumns(&b, n: n, rank: rank)
            gb = gram(b, n: n, rank: rank)
            // The last factor keeps the weights; the fit follows from its MTTKRP.
            let m = mttkrp(t, n: n, rank: rank, a, b)
            c = solveNormal(m, gram: hadamard(ga, gb), n: n, rank: rank)
            gc = gram(c, n: n, rank: rank)
            var inner = 0.0
            for i in 0 ..< n * rank { inner += c[i] * m[i] }
            var normModel = 0.0
            for i in 0 ..< rank * rank { normModel += ga[i] * gb[i] * gc[i] }
            let squared = max(0, normT * normT - 2 * inner + normModel)
            residual = normT > 0 ? squared.squareRoot() / normT : 0
            let fit = 1 - residual
            if abs(fit - previousFit) < tolerance { break }
            previousFit = fit
        }
        return (a, b, c, residual, iterations)
    }

    /// Starting factors from a random contraction: the eigenvectors of `T(I, I, θ)` for a Gaussian θ
    /// (for an orthogonally decomposable tensor they are exactly its components, so ALS then only
    /// polishes; plain random starts often stall with weak components left out). Eigenvectors
    /// are taken by decreasing |eigenvalue|; Gaussian columns fill any rank beyond n.
    private static func initialFactors(_ t: [Double], n: Int, rank: Int, rng: inout Kernels.SplitMix64) -> [Double] {
        let theta = (0 ..< n).map { _ in rng.nextGaussian() }
        var m = [Double](repeating: 0, count: n * n)
        for a in 0 ..< n {
            for b in 0 ..< n {
                var s = 0.0
                for c in 0 ..< n { s += t[a * n * n + b * n + c] * theta[c] }
                m[a * n + b] = s
            }
        }
        let eig = SmallDense.symmetricEigen(m, n: n)
        let order = (0 ..< n).sorted { abs(eig.values[$0]) > abs(eig.values[$1]) }
        var f = [Double](repeating: 0, count: n * rank)
        for r in 0 ..< rank {
            for i in 0 ..< n { f[i * rank + r] = r < n ? eig.vectors[i * n + order[r]] : rng.nextGaussian() }
        }
        return f
    }

    /// `M[a, r] = Σ_{b,c} T[a, b, c] · x[b, r] · y[c, r]` (matricised tensor times Khatri–Rao product).
    /// Uses the symmetry T[a, b, :] = T[b, a, :] (half the work) and SIMD4 lanes over r.
    static func mttkrp(_ t: [Double], n: Int, rank: Int, _ x: [Double], _ y: [Double]) -> [Double] {
        let lanes = (rank + 3) / 4
        var xv = [SIMD4<Double>](repeating: .zero, count: n * lanes)
        var yv = [SIMD4<Double>](repeating: .zero, count: n * lanes)
        for i in 0 ..< n {
            for r in 0 ..< rank {
                xv[i * lanes + r / 4][r % 4] = x[i * rank + r]
                yv[i * lanes + r / 4][r % 4] = y[i * rank + r]
            }
        }
        var mv = [SIMD4<Double>](repeating: .zero, count: n * lanes)
        t.withUnsafeBufferPointer { tb in
            xv.withUnsafeBufferPointer { xb in
                yv.withUnsafeBufferPointer { yb in
                    mv.withUnsafeMutableBufferPointer { mb in
                        let tp = tb.baseAddress!, xp = xb.baseAddress!, yp = yb.baseAddress!, mp = mb.baseAddress!
                        let ty = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: lanes)
                        defer { ty.deallocate() }
                        for a in 0 ..< n {
                            for b in 0 ... a {
                                // ty = T[a, b, :] · Y (one row of a small GEMM); it is also T[b, a, :] · Y.
                                ty.initialize(repeating: .zero, count: lanes)
                                let row = tp + a * n * n + b * n
                                for c in 0 ..< n {
                                    let v = SIMD4(repeating: row[c])
                                    let yr = yp + c * lanes
                                    for l in 0 ..< lanes { ty[l] += v * yr[l] }
                                }
                                let xb = xp + b * lanes, ma = mp + a * lanes
                                for l in 0 ..< lanes { ma[l] += xb[l] * ty[l] }
                                if b != a {
                                    let xa = xp + a * lanes, mbRow = mp + b * lanes
                                    for l in 0 ..< lanes { mbRow[l] += xa[l] * ty[l] }
                                }
                            }
                        }
                    }
                }
            }
        }
        var m = [Double](repeating: 0, count: n * rank)
        for i in 0 ..< n { for r in 0 ..< rank { m[i * rank + r] = mv[i * lanes + r / 4][r % 4] } }
        return m
    }

    /// `M · G⁻¹` for the symmetric rank × rank `G`, with a small ridge when `G` is singular.
    private static func solveNormal(_ m: [Double], gram g: [Double], n: Int, rank: Int) -> [Double] {
        var mt = [Double](repeating: 0, count: rank * n)
        for a in 0 ..< n { for r in 0 ..< rank { mt[r * n + a] = m[a * rank + r] } }
        var g2 = g
        var solution = SmallDense.solve(g2, mt, n: rank, nrhs: n)
        var ridge = 1e-10
        while solution == nil && ridge < 1 {
            let trace = (0 ..< rank).reduce(0.0) { $0 + g[$1 * rank + $1] }
            g2 = g
            for r in 0 ..< rank { g2[r * rank + r] += ridge * max(trace, 1e-300) }
            solution = SmallDense.solve(g2, mt, n: rank, nrhs: n)
            ridge *= 100
        }
        let xt = solution ?? mt
        var out = [Double](repeating: 0, count: n * rank)
        for a in 0 ..< n { for r in 0 ..< rank { out[a * rank + r] = xt[r * n + a] } }
        return out
    }

    private static func gram(_ x: [Double], n: Int, rank: Int) -> [Double] {
        var g = [Double](repeating: 0, count: rank * rank)
        x.withUnsafeBufferPointer { xb in
            g.withUnsafeMutableBufferPointer { gb in
                let xp = xb.baseAddress!, gp = gb.baseAddress!
                for a in 0 ..< n {
                    let row = xp + a * rank
                    for r in 0 ..< rank {
                        let xr = row[r], out = gp + r * rank
                        for s in 0 ..< rank { out[s] += xr * row[s] }
                    }
                }
            }
        }
        return g
    }

    private static func hadamard(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map { $0 * $1 } }

    private static func normalizeColumns(_ x: inout [Double], n: Int, rank: Int) {
        for r in 0 ..< rank {
            var s = 0.0
            for a in 0 ..< n { s += x[a * rank + r] * x[a * rank + r] }
            let inv = s > 0 ? 1 / s.squareRoot() : 0
            for a in 0 ..< n { x[a * rank + r] *= inv }
        }
    }

    @discardableResult
    private static func normalize(_ v: inout [Double]) -> Double {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for i in v.indices { v[i] /= norm } }
        return norm
    }

    private static func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
}

/// One result slot per ALS restart, filled from concurrent workers.
private final class RunSlots: Sendable {
    typealias Run = (a: [Double], b: [Double], c: [Double], residual: Double, iterations: Int)
    private let slots: Mutex<[Run?]>
    init(count: Int) { slots = Mutex([Run?](repeating: nil, count: count)) }
    func store(_ i: Int, _ run: Run) { slots.withLock { $0[i] = run } }
    func value(_ i: Int) -> Run { slots.withLock { $0[i]! } }
}
