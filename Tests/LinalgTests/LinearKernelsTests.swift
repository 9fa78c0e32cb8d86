import Foundation
import Testing
@testable import Linalg

private func values(_ n: Int, seed: Int) -> [Float] {
    (0 ..< n).map { Float(((($0 + seed) * 7919) % 97)) / 48.5 - 1 }
}

@Test(arguments: [(1, 3), (7, 5), (9, 28), (33, 64)])
func linearKernelMarginsMatchNaive(rows: Int, d: Int) {
    let c = 16
    let x = values(rows * d, seed: 1), w = values(d * c, seed: 2), b = values(c, seed: 3)
    var out = [Float](repeating: .nan, count: rows * c)
    x.withUnsafeBufferPointer { xp in
        w.withUnsafeBufferPointer { wp in
            b.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { op in
                    LinearKernels.margins(
                        x: xp.baseAddress!, rows: rows, features: d, weights: wp.baseAddress!, bias: bp.baseAddress!,
                        outputs: c, into: op.baseAddress!)
                }
            }
        }
    }
    for i in 0 ..< rows {
        for k in 0 ..< c {
            var s = b[k]
            for j in 0 ..< d { s += x[i * d + j] * w[j * c + k] }
            #expect(abs(out[i * c + k] - s) < 1e-4)
        }
    }
}

@Test(arguments: [(1, 3), (6, 5), (13, 28), (40, 9)])
func linearKernelGradientMatchesNaive(rows: Int, d: Int) {
    let c = 8
    let x = values(rows * d, seed: 4), g = values(rows * c, seed: 5)
    var out = [Float](repeating: .nan, count: d * c)
    x.withUnsafeBufferPointer { xp in
        g.withUnsafeBufferPointer { gp in
            out.withUnsafeMutableBufferPointer { op in
                LinearKernels.gradient(
                    x: xp.baseAddress!, rows: rows, features: d, coefficients: gp.baseAddress!, outputs: c,
                    into: op.baseAddress!)
            }
        }
    }
    for j in 0 ..< d {
        for k in 0 ..< c {
            var s: Float = 0
            for i in 0 ..< rows { s += x[i * d + j] * g[i * c + k] }
            #expect(abs(out[j * c + k] - s) < 1e-4)
        }
    }
}

@Test(arguments: [3, 8, 19, 28])
func linearKernelStandardizeMatchesNaive(d: Int) {
    let rows = 21
    let x = values(rows * d, seed: 6), mean = values(d, seed: 7), inv = values(d, seed: 8)
    var out = [Float](repeating: .nan, count: rows * d)
    x.withUnsafeBufferPointer { xp in
        mean.withUnsafeBufferPointer { mp in
            inv.withUnsafeBufferPointer { ip in
                out.withUnsafeMutableBufferPointer { op in
                    LinearKernels.standardize(
                        x: xp.baseAddress!, rows: rows, features: d, mean: mp.baseAddress!,
                        inverseScale: ip.baseAddress!, into: op.baseAddress!)
                }
            }
        }
    }
    for i in 0 ..< rows {
        for j in 0 ..< d { #expect(abs(out[i * d + j] - (x[i * d + j] - mean[j]) * inv[j]) < 1e-6) }
    }
}

@Test func linearKernelExpAndLog1pMatchLibm() {
    for base in stride(from: Float(-90), to: 0, by: 0.37) {
        let x = SIMD8<Float>((0 ..< 8).map { base + Float($0) * 0.04 })
        let e = LinearKernels.expNonPositive(x)
        for l in 0 ..< 8 {
            let reference = Float(Foundation.exp(Double(x[l])))
            #expect(abs(e[l] - reference) <= 3e-7 * reference + 1e-37)
        }
    }
    for base in stride(from: Float(0), to: 1, by: 0.05) {
        let x = SIMD8<Float>((0 ..< 8).map { base + Float($0) * 0.006 })
        let v = LinearKernels.log1pUnit(x)
        for l in 0 ..< 8 { #expect(abs(Double(v[l]) - Foundation.log1p(Double(x[l]))) < 2e-7) }
    }
}

@Test func linearKernelLogisticGradientMatchesNaive() {
    let rows = 7, c = 8
    var z = values(rows * c, seed: 9).map { $0 * 30 }
    let original = z
    let labels: [Float] = [1, 0, 0, 1, 1, 0, 1]
    let weights: [Float] = [1, 2, 0.5, 1, 1, 3, 1, 1]
    var sums = [Float](repeating: 0, count: c)
    z.withUnsafeMutableBufferPointer { zp in
        LinearKernels.logisticGradient(
            margins: zp.baseAddress!, rows: rows, outputs: c, labels: labels, positiveWeights: weights,
            lossSums: &sums)
    }
    var expectedSums = [Double](repeating: 0, count: c)
    for i in 0 ..< rows {
        for k in 0 ..< c {
            let v = Double(original[i * c + k]), y = Double(labels[i])
            let w = y > 0.5 ? Double(weights[k]) : 1
            let sigma = 1 / (1 + Foundation.exp(-v))
            #expect(abs(Double(z[i * c + k]) - w * (sigma - y)) < 1e-6)
            let t = y > 0.5 ? -v : v
            expectedSums[k] += w * (max(t, 0) + Foundation.log1p(Foundation.exp(-abs(t))))
        }
    }
    for k in 0 ..< c { #expect(abs(Double(sums[k]) - expectedSums[k]) < 1e-4 * max(1, expectedSums[k])) }
}
