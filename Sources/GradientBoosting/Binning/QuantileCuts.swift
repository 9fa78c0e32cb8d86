/// Per-feature bin boundaries ("cuts"), with XGBoost's hist semantics: feature `f` has
/// bins `0..<binCount(f)`; bin `i` holds values `v` with `cuts[i-1] <= v < cuts[i]`
/// (bin 0: `v < cuts[0]`); the last cut lies above the largest value. A split after bin `i`
/// sends `v < cuts[i]` left, so the tree's split condition is `cuts[i]`.
public struct QuantileCuts: Sendable {
    /// Largest bin count (the UInt8 code 255 is reserved for "missing").
    public static let maxBinsLimit = 255
    public static let missingBin: UInt8 = 255

    public var featureCount: Int
    /// Flattened cut values; feature f owns `values[offsets[f]..<offsets[f+1]]`.
    public var offsets: [Int]
    public var values: [Float]
    public var minValues: [Float]

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
        let nb = max(2, min(maxBins, maxBinsLimit))
        let rows = matrix.rows
        let cols = matrix.cols
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
                        var col = [Float]()
                        col.reserveCapacity(picked.count)
                        for r in picked {
                            let v = vb[r * cols + f]
                            if !v.isNaN { col.append(v) }
                        }
                        col.sort()
                        var cuts = [Float]()
                        if !col.isEmpty {
                            // distinct values with counts
                            var distinct = [Float]()
                            var counts = [Int]()
                            for v in col {
                                if let l = distinct.last, l == v { counts[counts.count - 1] += 1 } else { distinct.append(v); counts.append(1) }
                            }
                            if distinct.count <= nb {
                                cuts = Array(distinct.dropFirst())
                            } else {
                                // ranks k * n / nb, k = 1..nb-1, on the sorted sample
                                let n = col.count
                                var last = col[0]
                                for k in 1..<nb {
                                    let idx = min(n - 1, Int((Double(k) * Double(n) / Double(nb)).rounded(.down)))
                                    let v = col[idx]
                                    if v > last { cuts.append(v); last = v }
                                }
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
        return QuantileCuts(featureCount: cols, offsets: offsets, values: values, minValues: mins)
    }
}
