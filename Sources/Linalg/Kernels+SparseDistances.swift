extension Kernels {
    /// `nearestCenters` for CSR rows: only the non-zeros of each row enter `x·c`, so sparse data
    /// (images, counts) costs in proportion to its non-zeros.
    ///
    /// `centersTransposed` is `d × stride` row-major (`stride` = `k` rounded up to 8, zero padded;
    /// see `transposedCenters`): for every non-zero `(j, v)` of a row, `v · centersTransposed[j, …]`
    /// is added to up to 32 centre dot products held in 4 SIMD8 registers; more centres are taken 32
    /// at a time. Rows are split in blocks over all cores.
    public static func nearestCenters(
        rowStarts: UnsafePointer<Int>, columnIndices: UnsafePointer<Int32>, values: UnsafePointer<Float>, rows: Int,
        rowNorms: UnsafePointer<Float>, centersTransposed ct: UnsafePointer<Float>, count k: Int,
        centerNorms: UnsafePointer<Float>, assignments: UnsafeMutablePointer<Int32>, squaredDistances: UnsafeMutablePointer<Float>
    ) {
        precondition(k > 0, "nearestCenters needs at least one centre")
        let stride = (k + 7) / 8 * 8
        let asg = SharedPointer(assignments), dist = SharedPointer(squaredDistances)
        parallelRowBlocks(rows, minimumBlock: 64) { block in
            let dots = UnsafeMutablePointer<Float>.allocate(capacity: stride)
            defer { dots.deallocate() }
            let rawDots = UnsafeMutableRawPointer(dots)
            for r in block {
                let lo = rowStarts[r], hi = rowStarts[r + 1]
                var g0 = 0
                while g0 < stride {
                    let width = min(32, stride - g0)  // 8, 16, 24 or 32 centres
                    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                    let base = UnsafeRawPointer(ct + g0)
                    let rowBytes = stride &* 4
                    switch width {
                    case 32:
                        for p in lo ..< hi {
                            let v = SIMD8<Float>(repeating: values[p])
                            let o = Int(columnIndices[p]) &* rowBytes
                            a0 += v * base.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                            a1 += v * base.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                            a2 += v * base.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                            a3 += v * base.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
                        }
                    case 24:
                        for p in lo ..< hi {
                            let v = SIMD8<Float>(repeating: values[p])
                            let o = Int(columnIndices[p]) &* rowBytes
                            a0 += v * base.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                            a1 += v * base.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                            a2 += v * base.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                        }
                    case 16:
                        for p in lo ..< hi {
                            let v = SIMD8<Float>(repeating: values[p])
                            let o = Int(columnIndices[p]) &* rowBytes
                            a0 += v * base.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                            a1 += v * base.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                        }
                    default:
                        for p in lo ..< hi {
                            let v = SIMD8<Float>(repeating: values[p])
                            a0 += v * base.loadUnaligned(fromByteOffset: Int(columnIndices[p]) &* rowBytes, as: SIMD8<Float>.self)
                        }
                    }
                    let o = g0 &* 4
                    rawDots.storeBytes(of: a0, toByteOffset: o, as: SIMD8<Float>.self)
                    if width > 8 { rawDots.storeBytes(of: a1, toByteOffset: o + 32, as: SIMD8<Float>.self) }
                    if width > 16 { rawDots.storeBytes(of: a2, toByteOffset: o + 64, as: SIMD8<Float>.self) }
                    if width > 24 { rawDots.storeBytes(of: a3, toByteOffset: o + 96, as: SIMD8<Float>.self) }
                    g0 += width
                }
                let norm = rowNorms[r]
                var best = Float.infinity, bestIndex = 0
                for j in 0 ..< k {
                    let v = norm - 2 * dots[j] + centerNorms[j]
                    if v < best { best = v; bestIndex = j }
                }
                asg.base[r] = Int32(bestIndex)
                dist.base[r] = max(0, best)
            }
        }
    }

    /// The `k × d` row-major centres as the `d × stride` layout the sparse `nearestCenters` reads
    /// (`stride` = `k` rounded up to 8, padding zero).
    public static func transposedCenters(_ centers: UnsafePointer<Float>, count k: Int, columns d: Int) -> [Float] {
        let stride = (k + 7) / 8 * 8
        var out = [Float](repeating: 0, count: d * stride)
        for j in 0 ..< k {
            for t in 0 ..< d { out[t * stride + j] = centers[j * d + t] }
        }
        return out
    }

    /// Matrix form of the sparse `nearestCenters`: closest centre index and squared distance per row.
    public static func nearestCenters(_ x: SparseMatrix, centers: Matrix) -> (assignments: [Int32], squaredDistances: [Float]) {
        precondition(x.columns == centers.columns, "nearestCenters: rows have \(x.columns) columns, centres \(centers.columns)")
        let n = x.rows, k = centers.rows, d = centers.columns
        if n == 0 { return ([], []) }
        var rowNorms = [Float](repeating: 0, count: n)
        for r in 0 ..< n {
            var s: Float = 0
            for p in x.rowStarts[r] ..< x.rowStarts[r + 1] { s += x.values[p] * x.values[p] }
            rowNorms[r] = s
        }
        let centerNorms = rowSquaredNorms(centers)
        let ct = centers.values.withUnsafeBufferPointer { transposedCenters($0.baseAddress!, count: k, columns: d) }
        var asg = [Int32](repeating: 0, count: n), dist = [Float](repeating: 0, count: n)
        // Empty CSR arrays have no base address; give the kernel a valid one.
        let idx = x.columnIndices.isEmpty ? [Int32(0)] : x.columnIndices, vals = x.values.isEmpty ? [Float(0)] : x.values
        x.rowStarts.withUnsafeBufferPointer { rs in
            idx.withUnsafeBufferPointer { ci in
                vals.withUnsafeBufferPointer { vs in
                    asg.withUnsafeMutableBufferPointer { pa in
                        dist.withUnsafeMutableBufferPointer { pd in
                            nearestCenters(
                                rowStarts: rs.baseAddress!, columnIndices: ci.baseAddress!, values: vs.baseAddress!, rows: n,
                                rowNorms: rowNorms, centersTransposed: ct, count: k, centerNorms: centerNorms,
                                assignments: pa.baseAddress!, squaredDistances: pd.baseAddress!)
                        }
                    }
                }
            }
        }
        return (asg, dist)
    }
}
