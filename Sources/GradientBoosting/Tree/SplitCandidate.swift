/// The best split found for a node so far.
public struct SplitCandidate: Sendable {
    public var lossChange: Double = -.infinity
    public var feature: Int = -1
    public var bin: Int = 0
    public var condition: Float = 0
    public var defaultLeft = true
    public var leftG = 0.0, leftH = 0.0, rightG = 0.0, rightH = 0.0
    public var leftWeight = 0.0, rightWeight = 0.0
    public init() {}
    public var isValid: Bool { feature >= 0 }
}

/// Histogram entry layout: feature `f` owns slots `f * 256 ..< f * 256 + 256`; slot 255 collects
/// rows whose value is missing. Each slot is (sum of gradients, sum of hessians).
public typealias HistEntry = SIMD2<Double>
public let histStride = 256

/// Split search over one node's histogram (the fast path the tests compare with a naive scan).
public enum SplitEvaluator {
    /// Scans every allowed feature; `bounds` are the node's monotone bounds on weights.
    @inlinable
    public static func best(hist: UnsafePointer<HistEntry>, sumG: Double, sumH: Double, cuts: QuantileCuts,
                            features: [Int], params: TreeParameters, lower: Double = -.infinity,
                            upper: Double = .infinity) -> SplitCandidate {
        var best = SplitCandidate()
        let constrained = !params.monotoneConstraints.isEmpty
        let bounded = lower > -.infinity || upper < .infinity
        @inline(__always) func w(_ g: Double, _ h: Double) -> Double {
            let x = params.weight(g, h)
            return min(max(x, lower), upper)
        }
        @inline(__always) func score(_ g: Double, _ h: Double) -> Double {
            (constrained || bounded) ? params.gain(givenWeight: w(g, h), g, h) : params.gain(g, h)
        }
        let parentGain = score(sumG, sumH)
        let mcw = params.minChildWeight
        for f in features {
            let nb = cuts.binCount(f)
            if nb < 2 { continue }
            let h = hist + f * histStride
            let miss = cuts.hasMissing[f] ? h[255] : HistEntry.zero
            let hasMissing = miss.x != 0 || miss.y != 0
            let mono = constrained && f < params.monotoneConstraints.count ? params.monotoneConstraints[f] : 0
            var lg = 0.0
            var lh = 0.0
            for i in 0..<(nb - 1) {
                lg += h[i].x
                lh += h[i].y
                // missing right (default_left = false), then, if the node has missing values, missing left
                for side in 0..<(hasMissing ? 2 : 1) {
                    let dl = side == 1
                    let gl = dl ? lg + miss.x : lg, hl = dl ? lh + miss.y : lh
                    let gr = sumG - gl, hr = sumH - hl
                    if !(hl >= mcw && hr >= mcw) { continue }
                    var chg: Double
                    var wl = 0.0, wr = 0.0
                    if mono != 0 || bounded || constrained {
                        wl = w(gl, hl); wr = w(gr, hr)
                        chg = params.gain(givenWeight: wl, gl, hl) + params.gain(givenWeight: wr, gr, hr) - parentGain
                        if (mono > 0 && wl > wr) || (mono < 0 && wl < wr) { chg = -.infinity }
                    } else {
                        chg = params.gain(gl, hl) + params.gain(gr, hr) - parentGain
                    }
                    if chg > best.lossChange {
                        best.lossChange = chg; best.feature = f; best.bin = i; best.condition = cuts.cut(f, i)
                        best.defaultLeft = dl; best.leftG = gl; best.leftH = hl; best.rightG = gr; best.rightH = hr
                        best.leftWeight = wl; best.rightWeight = wr
                    }
                }
            }
        }
        return best
    }
}
