/// The histogram kernel: for each row in `rows[0..<count]`, add its gradient pair to the
/// slot of each feature's bin. `hist` must hold `features * histStride` entries (zeroed by caller).
@inlinable
public func accumulateHistogram(hist: UnsafeMutablePointer<HistEntry>, bins: UnsafePointer<UInt8>, features F: Int,
                                rows: UnsafePointer<UInt32>, count: Int, gpair: UnsafePointer<SIMD2<Float>>) {
    var k = 0
    // two rows at a time for a little more memory-level parallelism
    while k + 1 < count {
        let r0 = Int(rows[k]), r1 = Int(rows[k + 1])
        let g0f = gpair[r0], g1f = gpair[r1]
        let g0 = HistEntry(Double(g0f.x), Double(g0f.y))
        let g1 = HistEntry(Double(g1f.x), Double(g1f.y))
        let b0 = bins + r0 * F
        let b1 = bins + r1 * F
        var f = 0
        var base = 0
        while f + 1 < F {
            hist[base + Int(b0[f])] += g0
            hist[base + histStride + Int(b0[f + 1])] += g0
            hist[base + Int(b1[f])] += g1
            hist[base + histStride + Int(b1[f + 1])] += g1
            f += 2
            base += 2 * histStride
        }
        if f < F {
            hist[base + Int(b0[f])] += g0
            hist[base + Int(b1[f])] += g1
        }
        k += 2
    }
    if k < count {
        let r = Int(rows[k])
        let gf = gpair[r]
        let g = HistEntry(Double(gf.x), Double(gf.y))
        let b = bins + r * F
        for f in 0..<F { hist[f * histStride + Int(b[f])] += g }
    }
}
