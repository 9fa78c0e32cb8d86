/// Per-feature bin boundaries ("cuts"), with XGBoost's hist semantics: feature `f` has
/// bins `0..<binCount(f)`; bin `i` holds values `v` with `cuts[i-1] <= v < cuts[i]`
/// (bin 0: `v < cuts[0]`); the last cut lies above the largest value. A split after bin `i`
/// sends `v < cuts[i]` left, so the tree's split condition is `cuts[i]`.
public struct QuantileCuts: Sendable {
    /// Largest bin count: 256 for a feature without missing values; 255 otherwise, since the
    /// UInt8 code 255 then means "missing".
    public static let maxBinsLimit = 256
    public static let missingBin: UInt8 = 255

    public var featureCount: Int
    /// Flattened cut values; feature f owns `values[offsets[f]..<offsets[f+1]]`.
    public var offsets: [Int]
    public var values: [Float]
    public var minValues: [Float]
    /// Whether the training data had missing values in the feature (then bin code 255 = missing).
    public var hasMissing: [Bool]

    @inlinable public func binCount(_ f: Int) -> Int { offsets[f + 1] - offsets[f] }
    @inlinable public func cut(_ f: Int, _ bin: Int) -> Float { values[offsets[f] + bin] }

    /// Bin index of `v` for feature `f` (`v` not NaN): number of cuts `<= v`, capped to the last bin.
    @inlinable public func bin(feature f: Int, value v: Float) -> Int {
        var lo = offsets[f]
        var hi = offsets[f + 1]
        let last = hi - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if values[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return min(lo, last) - offsets[f]
    }

    /// Builds cuts from a dense matrix. Up to `sampleRows` rows (evenly strided) feed the sketch;
    /// a feature with at most `maxBins` distinct values gets one bin per value, as in XGBoost.
    public static func build(matrix: DataMatrix, weights: [Float]? = nil, maxBins: Int,
                             sampleRows: Int = 200_000, threads: Int = 2) -> QuantileCuts {
        let rows = matrix.rows
        let cols = matrix.cols
        // which features have missing values anywhere (decides 255 vs 256 bins)
        var missing = [Bool](repeating: false, count: cols)
        matrix.values.withUnsafeBufferPointer { vb in
            missing.withUnsafeMutableBufferPointer { mb in
                let mp = SendablePointer(mb.baseAddress!)
                let blocks = max(1, min(64, rows / 8192))
                var partial = [[Bool]](repeating: [Bool](repeating: false, count: cols), count: blocks)
                partial.withUnsafeMutableBufferPointer { pb in
                    let pp = SendablePointer(pb.baseAddress!)
                    parallelFor(blocks, threads: threads) { b in
                        var local = [Bool](repeating: false, count: cols)
                        for r in (rows * b / blocks)..<(rows * (b + 1) / blocks) {
                            let row = vb.baseAddress! + r * cols
                            for f in 0..<cols where row[f].isNaN { local[f] = true }
                        }
                        pp.p[b] = local
                    }
                }
                for b in 0..<blocks { for f in 0..<cols where partial[b][f] { mp.p[f] = true } }
            }
        }
        let step = rows > sampleRows ? Double(rows) / Double(sampleRows) : 1.0
        let picked: [Int] = rows > sampleRows ? (0..<sampleRows).map { Int(Double($0) * step) } : Array(0..<rows)
        var perFeature = [[Float]](repeating: [], count: cols)
        var mins = [Float](repeating: 0, count: cols)
        matrix.values.withUnsafeBufferPointer { vb in
            perFeature.withUnsafeMutableBufferPointer { pb in
                mins.withUnsafeMutableBufferPointer { mb in
                    let pp = SendablePointer(pb.baseAddress!)
                    let mp = SendablePointer(mb.baseAddress!)
                    parallelFor(cols, threads: threads) { f in
                        let nb = max(2, min(maxBins, missing[f] ? maxBinsLimit - 1 : maxBinsLimit))
                        var col = [Float]()
                        col.reserveCapacity(picked.count)
                        var colWeights: [Float] = []
                        if let weights {
                            var pairs: [(Float, Float)] = []
                            for r in picked {
                                let v = vb[r * cols + f]
                                if !v.isNaN { pairs.append((v, weights[r])) }
                            }
                            pairs.sort { $0.0 < $1.0 }
                            col = pairs.map { $0.0 }
                            colWeights = pairs.map { $0.1 }
                        } else {
                            for r in picked {
                                let v = vb[r * cols + f]
                                if !v.isNaN { col.append(v) }
                            }
                            radixSort(&col)
                        }
                        var cuts = [Float]()
                        if !col.isEmpty {
                            // distinct values with counts
                            var distinct = [Float]()
                            var counts = [Double]()
                            for (j, v) in col.enumerated() {
                                let w = colWeights.isEmpty ? 1.0 : Double(colWeights[j])
                                if let l = distinct.last, l == v { counts[counts.count - 1] += w } else { distinct.append(v); counts.append(w) }
                            }
                            if distinct.count <= nb {
                                cuts = Array(distinct.dropFirst())
                            } else {
                                cuts = pruneCuts(distinct: distinct, counts: counts, maxBins: nb)
                            }
                            let mx = col[col.count - 1]
                            cuts.append(mx + abs(mx) + 1e-5)
                            mp.p[f] = col[0] - (abs(col[0]) + 1e-5)
                        } else {
                            cuts = [Float(1e-5)]
                            mp.p[f] = -1e-5
                        }
                        pp.p[f] = cuts
                    }
                }
            }
        }
        var offsets = [0]
        var values = [Float]()
        for f in 0..<cols { values += perFeature[f]; offsets.append(values.count) }
        return QuantileCuts(featureCount: cols, offsets: offsets, values: values, minValues: mins, hasMissing: missing)
    }

    /// XGBoost's cut choice from an exact weighted summary: prune the summary to `maxBins + 1`
    /// entries at evenly spaced ranks (WQSummary::SetPrune), then take entries 1..<maxBins.
    static func pruneCuts(distinct v: [Float], counts: [Double], maxBins nb: Int) -> [Float] {
        let m = v.count
        var rmin = [Float](repeating: 0, count: m)
        var rmax = [Float](repeating: 0, count: m)
        var wmin = [Float](repeating: 0, count: m)
        var acc: Float = 0
        for j in 0..<m {
            rmin[j] = acc
            wmin[j] = Float(counts[j])
            acc += Float(counts[j])
            rmax[j] = acc
        }
        let n = nb  // maxsize - 1
        let begin = rmax[0]
        let range = rmin[m - 1] - rmax[0]
        var sel = [0]
        var i = 1
        var lastIdx = 0
        for k in 1..<n {
            let dx2: Float = 2 * ((Float(k) * range) / Float(n) + begin)
            while i < m - 1 && dx2 >= rmax[i + 1] + rmin[i + 1] { i += 1 }
            if i == m - 1 { break }
            if dx2 < (rmin[i] + wmin[i]) + (rmax[i + 1] - wmin[i + 1]) {
                if i != lastIdx { sel.append(i); lastIdx = i }
            } else {
                if i + 1 != lastIdx { sel.append(i + 1); lastIdx = i + 1 }
            }
        }
        if lastIdx != m - 1 { sel.append(m - 1) }
        var cuts: [Float] = []
        let required = min(sel.count, nb)
        for j in 1..<max(required, 1) {
            let c = v[sel[j]]
            if j == 1 || c > cuts[cuts.count - 1] { cuts.append(c) }
        }
        return cuts
    }
}

/// Sorts non-NaN floats ascending with an LSD radix sort on order-preserving bit keys (3 × 11 bits).
func radixSort(_ a: inout [Float]) {
    let n = a.count
    if n < 256 { a.sort(); return }
    var keys = [UInt32](repeating: 0, count: n)
    for i in 0..<n {
        let b = a[i].bitPattern
        keys[i] = (b & 0x8000_0000) != 0 ? ~b : b | 0x8000_0000
    }
    var tmp = [UInt32](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: 2048)
    for pass in 0..<3 {
        let shift = UInt32(pass * 11)
        for i in 0..<2048 { counts[i] = 0 }
        for k in keys { counts[Int((k >> shift) & 2047)] += 1 }
        var sum = 0
        for i in 0..<2048 { let c = counts[i]; counts[i] = sum; sum += c }
        for k in keys {
            let d = Int((k >> shift) & 2047)
            tmp[counts[d]] = k
            counts[d] += 1
        }
        swap(&keys, &tmp)
    }
    for i in 0..<n {
        let k = keys[i]
        a[i] = Float(bitPattern: (k & 0x8000_0000) != 0 ? k & 0x7FFF_FFFF : ~k)
    }
}
