import Testing
@testable import GradientBoosting

/// Naive histogram: one slot per (feature, bin), summed row by row.
func naiveHistogram(bins: [UInt8], features F: Int, rows: [UInt32], gpair: [SIMD2<Float>]) -> [HistEntry] {
    var h = [HistEntry](repeating: .zero, count: F * histStride)
    for r in rows {
        for f in 0..<F {
            let b = Int(bins[Int(r) * F + f])
            h[f * histStride + b] += HistEntry(Double(gpair[Int(r)].x), Double(gpair[Int(r)].y))
        }
    }
    return h
}

/// Naive split search: every (feature, threshold, missing side), straight from the formulas.
func naiveBestSplit(hist: [HistEntry], G: Double, H: Double, cuts: QuantileCuts, params: TreeParameters) -> (Double, Int, Int, Bool) {
    func score(_ g: Double, _ h: Double) -> Double {
        if h < params.minChildWeight || h <= 0 { return 0 }
        let t = g > params.alpha ? g - params.alpha : (g < -params.alpha ? g + params.alpha : 0)
        return t * t / (h + params.lambda)
    }
    var best = (-Double.infinity, -1, 0, true)
    for f in 0..<cuts.featureCount {
        let nb = cuts.binCount(f)
        if nb < 2 { continue }
        let miss = cuts.hasMissing[f] ? hist[f * histStride + 255] : HistEntry.zero
        for i in 0..<(nb - 1) {
            var lg = 0.0, lh = 0.0
            for j in 0...i { lg += hist[f * histStride + j].x; lh += hist[f * histStride + j].y }
            for dl in [false, true] {
                if !dl && miss.x == 0 && miss.y == 0 { continue }
                let gl = dl ? lg + miss.x : lg, hl = dl ? lh + miss.y : lh
                let gr = G - gl, hr = H - hl
                if hl < params.minChildWeight || hr < params.minChildWeight { continue }
                let chg = score(gl, hl) + score(gr, hr) - score(G, H)
                if chg > best.0 + 1e-9 { best = (chg, f, i, dl) }
            }
        }
    }
    return best
}

func randomData(rows: Int, cols: Int, missingRate: Double, seed: UInt64) -> DataMatrix {
    var rng = SplitMix64(seed: seed)
    var v = [Float](repeating: 0, count: rows * cols)
    for i in 0..<v.count {
        v[i] = rng.nextDouble() < missingRate ? .nan : Float((rng.nextDouble() * 10).rounded() / 2 + Double(i % cols))
    }
    return DataMatrix(rows: rows, cols: cols, values: v)
}

@Test func histogramMatchesNaive() {
    let x = randomData(rows: 3000, cols: 7, missingRate: 0.1, seed: 1)
    let cuts = QuantileCuts.build(matrix: x, maxBins: 16)
    let bm = BinnedMatrix(matrix: x, cuts: cuts)
    var rng = SplitMix64(seed: 2)
    let gpair = (0..<x.rows).map { _ in SIMD2<Float>(Float(rng.nextDouble() - 0.5), Float(rng.nextDouble())) }
    let rows = (0..<UInt32(x.rows)).filter { $0 % 3 != 0 }
    var fast = [HistEntry](repeating: .zero, count: x.cols * histStride)
    fast.withUnsafeMutableBufferPointer { h in
        bm.bins.withUnsafeBufferPointer { b in
            rows.withUnsafeBufferPointer { r in
                gpair.withUnsafeBufferPointer { g in
                    accumulateHistogram(hist: h.baseAddress!, bins: b.baseAddress!, features: x.cols, rows: r.baseAddress!,
                                        count: r.count, gpair: g.baseAddress!)
                }
            }
        }
    }
    let slow = naiveHistogram(bins: bm.bins, features: x.cols, rows: rows, gpair: gpair)
    var maxDiff = 0.0
    for i in 0..<slow.count { maxDiff = max(maxDiff, abs(slow[i].x - fast[i].x), abs(slow[i].y - fast[i].y)) }
    #expect(maxDiff < 1e-9)
}

@Test(arguments: [0.0, 0.5])
func splitSearchMatchesNaive(alpha: Double) {
    let x = randomData(rows: 2000, cols: 5, missingRate: 0.15, seed: 3)
    let cuts = QuantileCuts.build(matrix: x, maxBins: 12)
    let bm = BinnedMatrix(matrix: x, cuts: cuts)
    var rng = SplitMix64(seed: 4)
    let gpair = (0..<x.rows).map { r in
        SIMD2<Float>(Float(rng.nextDouble() - 0.5 + (x[r, 2].isNaN ? 0.3 : Double(x[r, 2]) * 0.05 - 0.3)), Float(0.2 + rng.nextDouble()))
    }
    let rows = Array(0..<UInt32(x.rows))
    let hist = naiveHistogram(bins: bm.bins, features: x.cols, rows: rows, gpair: gpair)
    let G = gpair.reduce(0.0) { $0 + Double($1.x) }, H = gpair.reduce(0.0) { $0 + Double($1.y) }
    var params = TreeParameters()
    params.alpha = alpha
    let fast = hist.withUnsafeBufferPointer { h in
        SplitEvaluator.best(hist: h.baseAddress!, sumG: G, sumH: H, cuts: cuts, features: Array(0..<x.cols), params: params)
    }
    let slow = naiveBestSplit(hist: hist, G: G, H: H, cuts: cuts, params: params)
    #expect(abs(fast.lossChange - slow.0) < 1e-6 * max(1, abs(slow.0)))
    #expect(fast.feature == slow.1)
    #expect(fast.bin == slow.2)
    #expect(fast.defaultLeft == slow.3)
}

@Test func cutsGiveOneBinPerDistinctValueWhenFew() {
    let x = DataMatrix(rows: 6, cols: 1, values: [1, 2, 2, 3, .nan, 5])
    let cuts = QuantileCuts.build(matrix: x, maxBins: 256)
    #expect(cuts.binCount(0) == 4)
    #expect(cuts.bin(feature: 0, value: 1) == 0)
    #expect(cuts.bin(feature: 0, value: 2) == 1)
    #expect(cuts.bin(feature: 0, value: 5) == 3)
    let bm = BinnedMatrix(matrix: x, cuts: cuts)
    #expect(bm.bins == [0, 1, 1, 2, 255, 3])
}
