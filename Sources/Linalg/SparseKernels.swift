import Dispatch

/// Kernels on `SparseMatrix` (CSR) times small dense panels, used by LDA's moment computations.
///
/// Dense panels are row-major `Matrix` values with few columns (tens); loops run over the
/// sparse entries and add whole panel rows, parallel over row blocks.
public enum SparseKernels {
    /// `A · B` for sparse `A` (m × n) and dense `B` (n × p): an m × p dense matrix.
    public static func multiply(_ a: SparseMatrix, _ b: Matrix) -> Matrix {
        precondition(a.columns == b.rows, "multiply: \(a.rows)×\(a.columns) · \(b.rows)×\(b.columns)")
        let m = a.rows, p = b.columns
        var out = Matrix(rows: m, columns: p)
        if m == 0 || p == 0 { return out }
        a.rowStarts.withUnsafeBufferPointer { starts in
            a.columnIndices.withUnsafeBufferPointer { cols in
                a.values.withUnsafeBufferPointer { vals in
                    b.values.withUnsafeBufferPointer { bv in
                        out.values.withUnsafeMutableBufferPointer { ov in
                            let ctx = SendablePointers(starts: starts, cols: cols, vals: vals, dense: bv, out: ov, weights: .init(start: nil, count: 0))
                            let blocks = blockCount(m)
                            DispatchQueue.concurrentPerform(iterations: blocks) { blk in
                                let lo = m * blk / blocks, hi = m * (blk + 1) / blocks
                                for i in lo ..< hi {
                                    let dst = ctx.out.baseAddress! + i * p
                                    for q in ctx.starts[i] ..< ctx.starts[i + 1] {
                                        axpy(ctx.vals[q], ctx.dense.baseAddress! + Int(ctx.cols[q]) * p, dst, p)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `Aᵀ · diag(rowWeights) · D` for sparse `A` (m × n) and dense `D` (m × p): an n × p dense
    /// matrix. `rowWeights` (length m) scales each row of `D`; pass `nil` for no scaling.
    public static func transposeMultiply(_ a: SparseMatrix, _ d: Matrix, rowWeights: [Float]? = nil) -> Matrix {
        precondition(a.rows == d.rows, "transposeMultiply: (\(a.rows)×\(a.columns))ᵀ · \(d.rows)×\(d.columns)")
        precondition(rowWeights == nil || rowWeights!.count == a.rows)
        let m = a.rows, n = a.columns, p = d.columns
        if n == 0 || p == 0 || m == 0 { return Matrix(rows: n, columns: p) }
        // One private accumulator per block (n × p each), summed at the end; at most ~64 MB of them.
        let blocks = max(1, min(blockCount(m), (64 << 20) / max(1, n * p * 4)))
        var partial = [Float](repeating: 0, count: blocks * n * p)
        let weights = rowWeights ?? []
        a.rowStarts.withUnsafeBufferPointer { starts in
            a.columnIndices.withUnsafeBufferPointer { cols in
                a.values.withUnsafeBufferPointer { vals in
                    d.values.withUnsafeBufferPointer { dv in
                        weights.withUnsafeBufferPointer { wv in
                            partial.withUnsafeMutableBufferPointer { pv in
                                let ctx = SendablePointers(starts: starts, cols: cols, vals: vals, dense: dv, out: pv, weights: wv)
                                let hasWeights = !wv.isEmpty
                                DispatchQueue.concurrentPerform(iterations: blocks) { blk in
                                    let lo = m * blk / blocks, hi = m * (blk + 1) / blocks
                                    let acc = ctx.out.baseAddress! + blk * n * p
                                    for i in lo ..< hi {
                                        let w: Float = hasWeights ? ctx.weights[i] : 1
                                        let src = ctx.dense.baseAddress! + i * p
                                        for q in ctx.starts[i] ..< ctx.starts[i + 1] {
                                            axpy(w * ctx.vals[q], src, acc + Int(ctx.cols[q]) * p, p)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var out = Matrix(rows: n, columns: p)
        for blk in 0 ..< blocks {
            let base = blk * n * p
            for t in 0 ..< n * p { out.values[t] += partial[base + t] }
        }
        return out
    }

    /// `Aᵀ · w` for sparse `A` (m × n) and a vector `w` of length m: column sums weighted per row.
    public static func transposeMultiply(_ a: SparseMatrix, vector w: [Float]) -> [Double] {
        precondition(a.rows == w.count)
        var out = [Double](repeating: 0, count: a.columns)
        for i in 0 ..< a.rows {
            let wi = Double(w[i])
            for q in a.rowStarts[i] ..< a.rowStarts[i + 1] { out[Int(a.columnIndices[q])] += wi * Double(a.values[q]) }
        }
        return out
    }

    /// `y[0..<count] += alpha * x[0..<count]`, eight lanes at a time.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        var j = 0
        let a8 = SIMD8<Float>(repeating: alpha)
        while j + 8 <= count {
            let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
            let yv = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + j).storeBytes(of: yv + a8 * xv, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            y[j] += alpha * x[j]
            j += 1
        }
    }

    /// Row blocks: a few per core so a shared core does not stall the whole product.
    static func blockCount(_ rows: Int) -> Int { max(1, min(8, rows / 256)) }
}

/// Raw buffers captured by `concurrentPerform` closures; each block writes a disjoint region.
private struct SendablePointers: @unchecked Sendable {
    let starts: UnsafeBufferPointer<Int>
    let cols: UnsafeBufferPointer<Int32>
    let vals: UnsafeBufferPointer<Float>
    let dense: UnsafeBufferPointer<Float>
    let out: UnsafeMutableBufferPointer<Float>
    let weights: UnsafeBufferPointer<Float>
}
