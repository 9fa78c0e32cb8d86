extension Kernels {
    /// For each row of the row-major `rows × d` matrix `x`, the closest of the `k` row-major centres
    /// (`k × d`) by squared Euclidean distance, computed as `‖x‖² − 2·x·c + ‖c‖²` (clamped at 0).
    /// Ties go to the lower centre index.
    ///
    /// `rowNorms`/`centerNorms` are the squared norms (`rowSquaredNorms`). Rows are split in blocks
    /// over all cores; inside a block 2 rows × 4 centres are dotted at once (8 SIMD8 accumulators,
    /// 6 loads per 8 multiply-adds).
    public static func nearestCenters(
        _ x: UnsafePointer<Float>, rows: Int, columns d: Int, rowNorms: UnsafePointer<Float>,
        centers: UnsafePointer<Float>, count k: Int, centerNorms: UnsafePointer<Float>,
        assignments: UnsafeMutablePointer<Int32>, squaredDistances: UnsafeMutablePointer<Float>
    ) {
        precondition(k > 0, "nearestCenters needs at least one centre")
        let asg = SharedPointer(assignments), dist = SharedPointer(squaredDistances)
        parallelRowBlocks(rows, minimumBlock: max(2, 262_144 / max(1, d * k))) { block in
            let dots = UnsafeMutablePointer<Float>.allocate(capacity: 2 * k)
            defer { dots.deallocate() }
            var r = block.lowerBound
            while r < block.upperBound {
                let pair = r + 1 < block.upperBound
                let x0 = x + r * d, x1 = pair ? x0 + d : x0
                dotsAgainstCenters(x0, x1, d: d, centers: centers, k: k, into: dots)
                for q in 0 ..< (pair ? 2 : 1) {
                    let norm = rowNorms[r + q]
                    var best = Float.infinity, bestIndex = 0
                    for j in 0 ..< k {
                        let v = norm - 2 * dots[q * k + j] + centerNorms[j]
                        if v < best { best = v; bestIndex = j }
                    }
                    asg.base[r + q] = Int32(bestIndex)
                    dist.base[r + q] = max(0, best)
                }
                r += pair ? 2 : 1
            }
        }
    }

    /// `dots[j] = x0·c_j`, `dots[k + j] = x1·c_j` for the `k` centres.
    @inline(__always)
    static func dotsAgainstCenters(
        _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, d: Int,
        centers: UnsafePointer<Float>, k: Int, into dots: UnsafeMutablePointer<Float>
    ) {
        let r0 = UnsafeRawPointer(x0), r1 = UnsafeRawPointer(x1)
        let body = d & ~7
        var j = 0
        while j + 4 <= k {
            let c0 = UnsafeRawPointer(centers + j * d), c1 = UnsafeRawPointer(centers + (j + 1) * d)
            let c2 = UnsafeRawPointer(centers + (j + 2) * d), c3 = UnsafeRawPointer(centers + (j + 3) * d)
            var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>(), a03 = SIMD8<Float>()
            var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>(), a13 = SIMD8<Float>()
            var o = 0
            while o < body &* 4 {
                let v0 = r0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                let v1 = r1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                let w0 = c0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                let w1 = c1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                let w2 = c2.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                let w3 = c3.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                a00 += v0 * w0; a01 += v0 * w1; a02 += v0 * w2; a03 += v0 * w3
                a10 += v1 * w0; a11 += v1 * w1; a12 += v1 * w2; a13 += v1 * w3
                o &+= 32
            }
            var s = SIMD8<Float>(a00.sum(), a01.sum(), a02.sum(), a03.sum(), a10.sum(), a11.sum(), a12.sum(), a13.sum())
            for t in body ..< d {
                let u0 = x0[t], u1 = x1[t]
                for q in 0 ..< 4 {
                    let w = centers[(j + q) * d + t]
                    s[q] += u0 * w
                    s[4 + q] += u1 * w
                }
            }
            for q in 0 ..< 4 {
                dots[j + q] = s[q]
                dots[k + j + q] = s[4 + q]
            }
            j += 4
        }
        while j < k {
            let c = centers + j * d
            dots[j] = dot(x0, c, count: d)
            dots[k + j] = dot(x1, c, count: d)
            j += 1
        }
    }

    /// Matrix form of `nearestCenters`: closest centre index and squared distance for each row of `x`.
    public static func nearestCenters(_ x: Matrix, centers: Matrix) -> (assignments: [Int32], squaredDistances: [Float]) {
        precondition(x.columns == centers.columns, "nearestCenters: rows have \(x.columns) columns, centres \(centers.columns)")
        if x.rows == 0 { return ([], []) }
        let rowNorms = rowSquaredNorms(x), centerNorms = rowSquaredNorms(centers)
        var asg = [Int32](repeating: 0, count: x.rows)
        var dist = [Float](repeating: 0, count: x.rows)
        x.values.withUnsafeBufferPointer { px in
            centers.values.withUnsafeBufferPointer { pc in
                asg.withUnsafeMutableBufferPointer { pa in
                    dist.withUnsafeMutableBufferPointer { pd in
                        nearestCenters(
                            px.baseAddress!, rows: x.rows, columns: x.columns, rowNorms: rowNorms,
                            centers: pc.baseAddress!, count: centers.rows, centerNorms: centerNorms,
                            assignments: pa.baseAddress!, squaredDistances: pd.baseAddress!)
                    }
                }
            }
        }
        return (asg, dist)
    }
}
