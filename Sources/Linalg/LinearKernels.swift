/// Kernels for training many linear models at once on the same mini-batch.
///
/// Layouts: a batch `x` is `rows × features` row-major; the weights of all models are one `features × outputs`
/// row-major panel (one column per model output), so a batch's margins are one small GEMM and every model is
/// updated in the same pass over `x`. `outputs` must be a multiple of 8 (callers pad with unused columns).
public enum LinearKernels {
    /// `out[i, k] = bias[k] + Σ_j x[i, j] · weights[j, k]` for `rows × outputs` margins.
    public static func margins(
        x: UnsafePointer<Float>, rows: Int, features d: Int,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, outputs c: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        precondition(c % 8 == 0, "outputs must be a multiple of 8")
        for cb in stride(from: 0, to: c, by: 8) {
            let b = load8(bias + cb)
            var i = 0
            // Four rows share each weight load.
            while i + 4 <= rows {
                var a0 = b, a1 = b, a2 = b, a3 = b
                let x0 = x + i * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
                var wp = weights + cb
                for j in 0 ..< d {
                    let w = load8(wp)
                    a0 += w * x0[j]
                    a1 += w * x1[j]
                    a2 += w * x2[j]
                    a3 += w * x3[j]
                    wp += c
                }
                let o = out + i * c + cb
                store8(a0, o)
                store8(a1, o + c)
                store8(a2, o + 2 * c)
                store8(a3, o + 3 * c)
                i += 4
            }
            while i < rows {
                var a = b
                let xr = x + i * d
                for j in 0 ..< d { a += load8(weights + j * c + cb) * xr[j] }
                store8(a, out + i * c + cb)
                i += 1
            }
        }
    }

    /// `grad[j, k] = Σ_i x[i, j] · coefficients[i, k]` (overwrites `grad`, `features × outputs`): the gradient of
    /// every model's weights given each row's derivative of the loss with respect to its margins.
    public static func gradient(
        x: UnsafePointer<Float>, rows: Int, features d: Int,
        coefficients g: UnsafePointer<Float>, outputs c: Int,
        into grad: UnsafeMutablePointer<Float>
    ) {
        precondition(c % 8 == 0, "outputs must be a multiple of 8")
        grad.update(repeating: 0, count: d * c)
        for cb in stride(from: 0, to: c, by: 8) {
            var i = 0
            // Four rows per read-modify-write of each gradient row.
            while i + 4 <= rows {
                let gp = g + i * c + cb
                let g0 = load8(gp), g1 = load8(gp + c), g2 = load8(gp + 2 * c), g3 = load8(gp + 3 * c)
                let x0 = x + i * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
                var op = grad + cb
                for j in 0 ..< d {
                    var acc = load8(op)
                    acc += g0 * x0[j]
                    acc += g1 * x1[j]
                    acc += g2 * x2[j]
                    acc += g3 * x3[j]
                    store8(acc, op)
                    op += c
                }
                i += 4
            }
            while i < rows {
                let gi = load8(g + i * c + cb)
                let xr = x + i * d
                for j in 0 ..< d {
                    let op = grad + j * c + cb
                    store8(load8(op) + gi * xr[j], op)
                }
                i += 1
            }
        }
    }

    /// `out[i, j] = (x[i, j] − mean[j]) · inverseScale[j]`: standardises a block of rows into a scratch buffer.
    public static func standardize(
        x: UnsafePointer<Float>, rows: Int, features d: Int,
        mean: UnsafePointer<Float>, inverseScale: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>
    ) {
        var first = 0
        if d % 8 != 0 && rows >= 8 && d <= 512 {
            // Eight rows are 8·d contiguous values, a whole number of SIMD8 vectors: run over them with the
            // mean/scale pattern repeated eight times, so no row needs a scalar tail.
            let span = 8 * d
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * span) { pattern in
                let m = pattern.baseAddress!, s = m + span
                for q in 0 ..< span {
                    m[q] = mean[q % d]
                    s[q] = inverseScale[q % d]
                }
                let blocks = rows / 8
                for b in 0 ..< blocks {
                    let xb = x + b * span, ob = out + b * span
                    var q = 0
                    while q < span {
                        store8((load8(xb + q) - load8(m + q)) * load8(s + q), ob + q)
                        q += 8
                    }
                }
                first = blocks * 8
            }
        }
        for i in first ..< rows {
            let xr = x + i * d, orow = out + i * d
            var j = 0
            while j + 8 <= d {
                store8((load8(xr + j) - load8(mean + j)) * load8(inverseScale + j), orow + j)
                j += 8
            }
            while j < d {
                orow[j] = (xr[j] - mean[j]) * inverseScale[j]
                j += 1
            }
        }
    }

    /// Logistic loss of `rows × outputs` margins against 0/1 `labels` (one per row): overwrites each margin with
    /// `weight · (σ(z) − y)` (the derivative of the loss) and adds `weight · log(1 + e^{−(2y−1)z})` to
    /// `lossSums[k]`, where `weight = positiveWeights[k]` for positive rows and 1 otherwise.
    public static func logisticGradient(
        margins z: UnsafeMutablePointer<Float>, rows: Int, outputs c: Int, labels: UnsafePointer<Float>,
        positiveWeights: UnsafePointer<Float>, lossSums: UnsafeMutablePointer<Float>
    ) {
        precondition(c % 8 == 0, "outputs must be a multiple of 8")
        for cb in stride(from: 0, to: c, by: 8) {
            let positiveWeight = load8(positiveWeights + cb)
            var total = SIMD8<Float>()
            for i in 0 ..< rows {
                let p = z + i * c + cb
                let v = load8(p)
                // −|v| by setting the sign bit.
                let negativeAbs = unsafeBitCast(v, to: SIMD8<UInt32>.self) | 0x8000_0000
                let e = expNonPositive(unsafeBitCast(negativeAbs, to: SIMD8<Float>.self))
                // One division for both 1/(1+e) (the sigmoid) and 1/(2+e) (the log1p series).
                let onePlus = e + 1, twoPlus = e + 2
                let r = SIMD8<Float>(repeating: 1) / (onePlus * twoPlus)
                let inverse = twoPlus * r
                let sigma = (e * inverse).replacing(with: inverse, where: v .>= 0)
                let positive = labels[i] > 0.5
                let t: SIMD8<Float> = positive ? -v : v
                let loss: SIMD8<Float> = t.replacing(with: 0, where: t .< 0) + log1pSeries(e * onePlus * r)
                let weight: SIMD8<Float> = positive ? positiveWeight : SIMD8<Float>(repeating: 1)
                let y: Float = positive ? 1 : 0
                store8((sigma - y) * weight, p)
                total += loss * weight
            }
            store8(load8(lossSums + cb) + total, lossSums + cb)
        }
    }

    /// e^x for x ≤ 0 (Cephes-style range reduction and polynomial; relative error ~1e-7; x < −87 gives ~0).
    @inline(__always) public static func expNonPositive(_ x0: SIMD8<Float>) -> SIMD8<Float> {
        let x = x0.replacing(with: -87, where: x0 .< -87)
        // Round x·log2(e) to an integer n with the 1.5·2^23 trick; its low bits then hold n.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        p = p * (r * r) + r + 1
        let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scaled = unsafeBitCast(p, to: SIMD8<Int32>.self) &+ (nBits &<< 23)
        return unsafeBitCast(scaled, to: SIMD8<Float>.self)
    }

    /// log(1 + e) for e in [0, 1] via 2·atanh(e / (2 + e)) (relative error ~1e-7).
    @inline(__always) public static func log1pUnit(_ e: SIMD8<Float>) -> SIMD8<Float> {
        log1pSeries(e / (2 + e))
    }

    /// 2·atanh(s) = log((1 + s) / (1 − s)) for s in [0, 1/3].
    @inline(__always) static func log1pSeries(_ s: SIMD8<Float>) -> SIMD8<Float> {
        let s2 = s * s
        var q = SIMD8<Float>(repeating: 1 / 13)
        q = q * s2 + 1 / 11
        q = q * s2 + 1 / 9
        q = q * s2 + 1 / 7
        q = q * s2 + 1 / 5
        q = q * s2 + 1 / 3
        q = q * s2 + 1
        return 2 * s * q
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
