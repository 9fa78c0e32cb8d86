import Dispatch
import Foundation
import Linalg

/// The per-document variational E-step of LDA under fixed (α, β): iterate
/// `γ ← α + exp(ψ(γ)) ∘ Σ_w c_w β_w / ⟨exp(ψ(γ)), β_w⟩` to a fixed point. Used for inference
/// (topic mixtures, per-word log-likelihood) and by the EM refinement (sufficient statistics).
///
/// β is stored word-major and padded to a multiple of 8 topics so each word's row is whole SIMD8s.
struct VariationalEStep: Sendable {
    let topics: Int
    let paddedTopics: Int
    let vocabulary: Int
    /// α, padded with zeros.
    let alpha: [Float]
    /// vocabulary × paddedTopics: βᵀ, padded with zeros.
    let betaT: [Float]

    init(alpha: [Float], beta: Matrix) {
        precondition(alpha.count == beta.rows)
        topics = beta.rows
        paddedTopics = (beta.rows + 7) / 8 * 8
        vocabulary = beta.columns
        self.alpha = alpha + [Float](repeating: 0, count: paddedTopics - topics)
        var t = [Float](repeating: 0, count: vocabulary * paddedTopics)
        for k in 0 ..< topics { for w in 0 ..< vocabulary { t[w * paddedTopics + k] = beta.values[k * vocabulary + w] } }
        betaT = t
    }

    /// Runs the E-step on every document.
    ///
    /// - Parameters:
    ///   - gamma: documents × `topics` variational Dirichlet parameters; used as the starting
    ///     point when it has the right size (warm start), else started at α + n/k. Updated in place.
    ///   - collectStatistics: when true, returns the expected word-topic counts
    ///     (vocabulary × paddedTopics, `Σ_d c_dw φ_dwk`).
    func run(
        _ documents: SparseMatrix, gamma: inout [Float], maxIterations: Int, tolerance: Float, collectStatistics: Bool
    ) -> [Float]? {
        let rows = documents.rows, k = topics, kp = paddedTopics, v = vocabulary
        let warm = gamma.count == rows * k
        if !warm { gamma = [Float](repeating: 0, count: rows * k) }
        // Per-block statistics buffers are vocabulary × paddedTopics each: keep them to ~64 MB.
        let blocks = max(1, min(8, rows / 64, collectStatistics ? (64 << 20) / max(1, v * kp * 4) : 8))
        var stats = [Float](repeating: 0, count: collectStatistics ? blocks * v * kp : 0)
        let maxNonZeros = (0 ..< rows).reduce(0) { max($0, documents.rowStarts[$1 + 1] - documents.rowStarts[$1]) }
        documents.rowStarts.withUnsafeBufferPointer { starts in
            documents.columnIndices.withUnsafeBufferPointer { cols in
                documents.values.withUnsafeBufferPointer { vals in
                    betaT.withUnsafeBufferPointer { bt in
                        alpha.withUnsafeBufferPointer { al in
                            gamma.withUnsafeMutableBufferPointer { gm in
                                stats.withUnsafeMutableBufferPointer { st in
                                    let ctx = EStepPointers(
                                        starts: starts, cols: cols, vals: vals, betaT: bt, alpha: al, gamma: gm, stats: st)
                                    DispatchQueue.concurrentPerform(iterations: blocks) { blk in
                                        let lo = rows * blk / blocks, hi = rows * (blk + 1) / blocks
                                        let statBase = collectStatistics ? ctx.stats.baseAddress! + blk * v * kp : nil
                                        runBlock(
                                            ctx, lo ..< hi, warm: warm, maxIterations: maxIterations, tolerance: tolerance,
                                            maxNonZeros: maxNonZeros, stats: statBase)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard collectStatistics else { return nil }
        var total = [Float](repeating: 0, count: v * kp)
        for blk in 0 ..< blocks { for i in 0 ..< v * kp { total[i] += stats[blk * v * kp + i] } }
        return total
    }

    private func runBlock(
        _ ctx: EStepPointers, _ range: Range<Int>, warm: Bool, maxIterations: Int, tolerance: Float, maxNonZeros: Int,
        stats: UnsafeMutablePointer<Float>?
    ) {
        let k = topics, kp = paddedTopics, chunks = kp / 8
        // Scratch: the document's β rows gathered contiguously, its counts, γ and exp(ψ(γ)).
        let rowsBuffer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxNonZeros) * kp)
        let counts = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxNonZeros))
        let g = UnsafeMutablePointer<Float>.allocate(capacity: kp)
        let e = UnsafeMutablePointer<Float>.allocate(capacity: kp)
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: kp)
        let psi = UnsafeMutablePointer<Double>.allocate(capacity: kp)
        defer { rowsBuffer.deallocate(); counts.deallocate(); g.deallocate(); e.deallocate(); acc.deallocate(); psi.deallocate() }
        let alpha = ctx.alpha.baseAddress!
        for d in range {
            let lo = ctx.starts[d], hi = ctx.starts[d + 1], m = hi - lo
            var n: Float = 0
            for j in 0 ..< m {
                let w = Int(ctx.cols[lo + j])
                counts[j] = ctx.vals[lo + j]
                n += counts[j]
                (rowsBuffer + j * kp).update(from: ctx.betaT.baseAddress! + w * kp, count: kp)
            }
            let gd = ctx.gamma.baseAddress! + d * k
            for t in 0 ..< kp { g[t] = t < k ? (warm ? gd[t] : alpha[t] + n / Float(k)) : 0 }
            if m > 0 {
                for _ in 0 ..< maxIterations {
                    expDigamma(g, e, psi)
                    for t in 0 ..< kp { acc[t] = 0 }
                    accumulate(rowsBuffer, counts, m, chunks, e, acc, stats: nil, words: nil)
                    var change: Float = 0
                    for t in 0 ..< k {
                        let updated = alpha[t] + e[t] * acc[t]
                        change += abs(updated - g[t])
                        g[t] = updated
                    }
                    if change / Float(k) < tolerance { break }
                }
            }
            for t in 0 ..< k { gd[t] = g[t] }
            if let stats, m > 0 {
                expDigamma(g, e, psi)
                accumulate(rowsBuffer, counts, m, chunks, e, acc, stats: stats, words: ctx.cols.baseAddress! + lo)
            }
        }
    }

    /// e = exp(ψ(γ) − max ψ(γ)) on the real topics, 0 on the padding (the scale cancels).
    @inline(__always)
    private func expDigamma(_ g: UnsafeMutablePointer<Float>, _ e: UnsafeMutablePointer<Float>, _ psi: UnsafeMutablePointer<Double>) {
        var top = -Double.infinity
        for t in 0 ..< topics {
            psi[t] = digamma(Double(g[t]))
            top = max(top, psi[t])
        }
        for t in 0 ..< paddedTopics { e[t] = t < topics ? Float(exp(psi[t] - top)) : 0 }
    }

    /// acc += Σ_j (c_j / ⟨e, β_j⟩) β_j; with `stats`, instead adds (c_j / ⟨e, β_j⟩) e ∘ β_j to
    /// the word's row of `stats`.
    @inline(__always)
    private func accumulate(
        _ rowsBuffer: UnsafeMutablePointer<Float>, _ counts: UnsafeMutablePointer<Float>, _ m: Int, _ chunks: Int,
        _ e: UnsafeMutablePointer<Float>, _ acc: UnsafeMutablePointer<Float>, stats: UnsafeMutablePointer<Float>?,
        words: UnsafePointer<Int32>?
    ) {
        let raw = UnsafeMutableRawPointer(rowsBuffer)
        let eRaw = UnsafeRawPointer(e), accRaw = UnsafeMutableRawPointer(acc)
        let stride = chunks * 32
        if stats == nil && chunks <= 4 {
            accumulateInRegisters(raw, counts, m, chunks, eRaw, accRaw)
            return
        }
        for j in 0 ..< m {
            let row = raw + j * stride
            var dotv = SIMD8<Float>()
            for c in 0 ..< chunks {
                dotv += row.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
                    * eRaw.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
            }
            let s = SIMD8(repeating: counts[j] / max(dotv.sum(), 1e-30))
            if let stats, let words {
                let dst = UnsafeMutableRawPointer(stats + Int(words[j]) * chunks * 8)
                for c in 0 ..< chunks {
                    let b = row.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
                    let ev = eRaw.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
                    let cur = dst.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
                    dst.storeBytes(of: cur + s * b * ev, toByteOffset: c * 32, as: SIMD8<Float>.self)
                }
            } else {
                for c in 0 ..< chunks {
                    let b = row.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
                    let cur = accRaw.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
                    accRaw.storeBytes(of: cur + s * b, toByteOffset: c * 32, as: SIMD8<Float>.self)
                }
            }
        }
    }
}

extension VariationalEStep {
    /// The γ-update sum for up to 32 topics with the accumulator held in four SIMD8 registers
    /// (a memory accumulator makes every word wait for the previous word's store).
    @inline(__always)
    fileprivate func accumulateInRegisters(
        _ raw: UnsafeMutableRawPointer, _ counts: UnsafeMutablePointer<Float>, _ m: Int, _ chunks: Int,
        _ eRaw: UnsafeRawPointer, _ accRaw: UnsafeMutableRawPointer
    ) {
        let zero = SIMD8<Float>()
        let e0 = eRaw.loadUnaligned(as: SIMD8<Float>.self)
        let e1 = chunks > 1 ? eRaw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) : zero
        let e2 = chunks > 2 ? eRaw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) : zero
        let e3 = chunks > 3 ? eRaw.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self) : zero
        var a0 = zero, a1 = zero, a2 = zero, a3 = zero
        let stride = chunks * 32
        for j in 0 ..< m {
            let row = raw + j * stride
            let b0 = row.loadUnaligned(as: SIMD8<Float>.self)
            var b1 = zero, b2 = zero, b3 = zero
            var dot = b0 * e0
            if chunks > 1 { b1 = row.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self); dot += b1 * e1 }
            if chunks > 2 { b2 = row.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self); dot += b2 * e2 }
            if chunks > 3 { b3 = row.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self); dot += b3 * e3 }
            let s = SIMD8(repeating: counts[j] / max(dot.sum(), 1e-30))
            a0 += s * b0
            a1 += s * b1
            a2 += s * b2
            a3 += s * b3
        }
        accRaw.storeBytes(of: a0, as: SIMD8<Float>.self)
        if chunks > 1 { accRaw.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self) }
        if chunks > 2 { accRaw.storeBytes(of: a2, toByteOffset: 64, as: SIMD8<Float>.self) }
        if chunks > 3 { accRaw.storeBytes(of: a3, toByteOffset: 96, as: SIMD8<Float>.self) }
    }
}

/// ψ(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series.
func digamma(_ x: Double) -> Double {
    var x = x, result = 0.0
    if x <= 0 { return -Double.infinity }
    while x < 6 {
        result -= 1 / x
        x += 1
    }
    let inv = 1 / x, inv2 = inv * inv
    return result + log(x) - 0.5 * inv - inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))))
}

private struct EStepPointers: @unchecked Sendable {
    let starts: UnsafeBufferPointer<Int>
    let cols: UnsafeBufferPointer<Int32>
    let vals: UnsafeBufferPointer<Float>
    let betaT: UnsafeBufferPointer<Float>
    let alpha: UnsafeBufferPointer<Float>
    let gamma: UnsafeMutableBufferPointer<Float>
    let stats: UnsafeMutableBufferPointer<Float>
}
