/// The quantised training matrix: one UInt8 bin per (row, feature), rows contiguous
/// (`bins[row * features + f]`), `QuantileCuts.missingBin` for missing values.
public struct BinnedMatrix: Sendable {
    public var rows: Int
    public var features: Int
    public var bins: [UInt8]
    public var cuts: QuantileCuts

    public init(matrix: DataMatrix, cuts: QuantileCuts, threads: Int = 2) {
        rows = matrix.rows
        features = matrix.cols
        self.cuts = cuts
        var out = [UInt8](repeating: 0, count: rows * features)
        let F = features
        let R = rows
        matrix.values.withUnsafeBufferPointer { vb in
            out.withUnsafeMutableBufferPointer { ob in
                let op = SendablePointer(ob.baseAddress!)
                let blocks = max(1, min(256, R / 4096))
                cuts.values.withUnsafeBufferPointer { cv in
                    parallelFor(blocks, threads: threads) { b in
                        let r0 = R * b / blocks
                        let r1 = R * (b + 1) / blocks
                        for f in 0..<F {
                            let lo0 = cuts.offsets[f]
                            let hi0 = cuts.offsets[f + 1]
                            let last = hi0 - 1 - lo0
                            for r in r0..<r1 {
                                let v = vb[r * F + f]
                                if v.isNaN { op.p[r * F + f] = QuantileCuts.missingBin; continue }  // only if hasMissing[f]
                                var lo = lo0
                                var hi = hi0
                                while lo < hi {
                                    let mid = (lo + hi) >> 1
                                    if cv[mid] <= v { lo = mid + 1 } else { hi = mid }
                                }
                                op.p[r * F + f] = UInt8(truncatingIfNeeded: min(lo - lo0, last))
                            }
                        }
                    }
                }
            }
        }
        bins = out
    }
}
