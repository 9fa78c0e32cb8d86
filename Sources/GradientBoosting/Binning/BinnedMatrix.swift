/// The quantised training matrix: one UInt8 bin per (row, feature), rows contiguous
/// (`bins[row * features + f]`), `QuantileCuts.missingBin` for missing values.
public struct BinnedMatrix: Sendable {
    public var rows: Int
    public var features: Int
    public var bins: [UInt8]
    /// The same bins feature-major (`columns[f * rows + row]`): one feature's column stays in cache
    /// while rows are partitioned.
    public var columns: [UInt8]
    public var cuts: QuantileCuts

    public init(matrix: DataMatrix, cuts: QuantileCuts, threads: Int = 2) {
        rows = matrix.rows
        features = matrix.cols
        self.cuts = cuts
        var out = [UInt8](repeating: 0, count: rows * features)
        var colOut = [UInt8](repeating: 0, count: rows * features)
        let F = features
        let R = rows
        matrix.values.withUnsafeBufferPointer { vb in
            out.withUnsafeMutableBufferPointer { ob in
              colOut.withUnsafeMutableBufferPointer { cb in
                let op = SendablePointer(ob.baseAddress!)
                let cp = SendablePointer(cb.baseAddress!)
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
                                if v.isNaN {  // only happens when hasMissing[f]
                                    op.p[r * F + f] = QuantileCuts.missingBin
                                    cp.p[f * R + r] = QuantileCuts.missingBin
                                    continue
                                }
                                // branch-free upper bound: number of cuts <= v
                                var base = lo0
                                var len = hi0 - lo0
                                while len > 1 {
                                    let half = len &>> 1
                                    let step: Int = cv[base &+ half] <= v ? 1 : 0
                                    base &+= half &* step
                                    len &-= half
                                }
                                let ub = base &- lo0 &+ (cv[base] <= v ? 1 : 0)
                                let code = UInt8(truncatingIfNeeded: min(ub, last))
                                op.p[r * F + f] = code
                                cp.p[f * R + r] = code
                            }
                        }
                    }
                }
              }
            }
        }
        bins = out
        columns = colOut
    }
}
