import Dispatch
import Linalg

/// Margins of every column of a weight panel (`features × columns`, `columns` a multiple of 8) for all rows of
/// a matrix, optionally standardising the rows first; parallel over row chunks.
struct PanelScorer {
    var weights: [Float]
    var bias: [Float]
    var columns: Int
    /// Per-feature mean and 1/scale applied before the product; nil = raw rows.
    var mean: [Float]?
    var inverseScale: [Float]?

    func margins(_ x: Matrix) -> [Float] {
        let n = x.rows, d = x.columns, c = columns
        var out = [Float](repeating: 0, count: n * c)
        guard n > 0 else { return out }
        let chunk = 1024
        let chunks = (n + chunk - 1) / chunk
        let mean = self.mean ?? [Float](repeating: 0, count: d)
        let inv = self.inverseScale ?? [Float](repeating: 1, count: d)
        let standardize = self.mean != nil
        x.values.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    mean.withUnsafeBufferPointer { mp in
                        inv.withUnsafeBufferPointer { ip in
                            out.withUnsafeMutableBufferPointer { op in
                                let p = Pointers(
                                    x: xp.baseAddress!, w: wp.baseAddress!, b: bp.baseAddress!, mean: mp.baseAddress!,
                                    inv: ip.baseAddress!, out: op.baseAddress!)
                                let work: @Sendable (Int) -> Void = { t in
                                    let lo = t * chunk, rows = min(chunk, n - lo)
                                    var scratch = [Float](repeating: 0, count: standardize ? rows * d : 0)
                                    scratch.withUnsafeMutableBufferPointer { sp in
                                        var src = p.x + lo * d
                                        if standardize {
                                            LinearKernels.standardize(
                                                x: src, rows: rows, features: d, mean: p.mean, inverseScale: p.inv,
                                                into: sp.baseAddress!)
                                            src = UnsafePointer(sp.baseAddress!)
                                        }
                                        LinearKernels.margins(
                                            x: src, rows: rows, features: d, weights: p.w, bias: p.b, outputs: c,
                                            into: p.out + lo * c)
                                    }
                                }
                                if chunks == 1 {
                                    work(0)
                                } else {
                                    DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    private struct Pointers: @unchecked Sendable {
        var x: UnsafePointer<Float>
        var w: UnsafePointer<Float>
        var b: UnsafePointer<Float>
        var mean: UnsafePointer<Float>
        var inv: UnsafePointer<Float>
        var out: UnsafeMutablePointer<Float>
    }
}

extension Int {
    /// The smallest multiple of 8 ≥ self.
    var paddedTo8: Int { (self + 7) & ~7 }
}
