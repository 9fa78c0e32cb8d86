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
                // each feature's cuts padded with +inf to a multiple of 16
                var padded: [Float] = []
                var paddedOffsets = [0]
                for f in 0..<F {
                    let cs = cuts.values[cuts.offsets[f]..<cuts.offsets[f + 1]]
                    padded += cs
                    let pad = (16 - cs.count % 16) % 16
                    padded += [Float](repeating: .infinity, count: pad)
                    paddedOffsets.append(padded.count)
                }
                padded.withUnsafeBufferPointer { pcb in
                let pc = pcb.baseAddress!
                    parallelFor(blocks, threads: threads) { b in
                        let r0 = R * b / blocks
                        let r1 = R * (b + 1) / blocks
                        for f in 0..<F {
                            let lo0 = cuts.offsets[f]
                            let hi0 = cuts.offsets[f + 1]
                            let last = hi0 - 1 - lo0
                            let pOff = paddedOffsets[f]
                            let chunks16 = (paddedOffsets[f + 1] - pOff) / 16
                            for r in r0..<r1 {
                                let v = vb[r * F + f]
                                if v.isNaN {  // only happens when hasMissing[f]
                                    op.p[r * F + f] = QuantileCuts.missingBin
                                    cp.p[f * R + r] = QuantileCuts.missingBin
                                    continue
                                }
                                // number of cuts <= v, counted 16 at a time (no data-dependent branches)
                                let vv = SIMD16<Float>(repeating: v)
                                var acc = SIMD16<Int32>.zero
                                let pf = pc + pOff
                                for c in 0..<chunks16 {
                                    let cut = UnsafeRawPointer(pf + c * 16).loadUnaligned(as: SIMD16<Float>.self)
                                    acc &+= SIMD16<Int32>.zero.replacing(with: 1, where: cut .<= vv)
                                }
                                let ub = Int(acc.wrappedSum())
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

/// Maps a float to an integer with the same order (for branch-free comparisons).
@inline(__always)
func orderedKey(_ v: Float) -> Int64 {
    let b = v.bitPattern
    let flipped = (b & 0x8000_0000) != 0 ? ~b : b | 0x8000_0000
    return Int64(flipped)
}
