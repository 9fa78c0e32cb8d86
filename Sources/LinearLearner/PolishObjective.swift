import Dispatch
import Foundation

/// One model's regularised training objective on standardised features, as SGD minimises it:
/// `(1/n)·Σᵢ weightᵢ·loss(zᵢ, yᵢ) + ½·wd·‖W‖² + ½·wd·bias_wd_mult·‖b‖²` with `z = x·W + b`
/// (`outputs` columns).
/// Parameters are packed as `W` (features × outputs, row-major) followed by `b` (outputs).
/// Only smooth losses: logistic, softmax and squared (`r²`, as `ScalarLoss`).
struct PolishObjective: @unchecked Sendable {
    enum Kind { case logistic, softmax, squared }

    let kind: Kind
    /// Standardised features, rows × features.
    let x: UnsafeBufferPointer<Float>
    /// Labels as the models see them (0/1, class index, or normalised regression label).
    let labels: UnsafeBufferPointer<Float>
    let rows: Int
    let features: Int
    let outputs: Int
    /// Weight of rows with label 1 (binary).
    var positiveWeight: Double = 1
    /// Weight of each class's rows (softmax).
    var classWeights: [Double] = []
    var wd: Double
    var biasWd: Double
    var useBias: Bool

    var parameterCount: Int { (features + 1) * outputs }

    /// f(θ), and ∇f(θ) into `gradient`.
    func evaluate(_ theta: [Double], gradient: inout [Double]) -> Double {
        let d = features, k = outputs, n = rows
        let parts = n >= 256 && n * d * k >= 200_000 ? 2 : 1
        var partGradients = [[Double]](repeating: [Double](repeating: 0, count: (d + 1) * k), count: parts)
        var partLosses = [Double](repeating: 0, count: parts)
        let boxes = (0 ..< parts).map { _ in Box() }
        let run: @Sendable (Int) -> Void = { part in
            let lo = n * part / parts, hi = n * (part + 1) / parts
            boxes[part].value = theta.withUnsafeBufferPointer { self.partial(theta: $0, lo: lo, hi: hi) }
        }
        if parts == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: run) }
        for part in 0 ..< parts {
            partLosses[part] = boxes[part].value.loss
            partGradients[part] = boxes[part].value.gradient
        }
        let scale = 1 / Double(n)
        var value = partLosses.reduce(0, +) * scale
        for e in 0 ..< (d + 1) * k {
            var total = 0.0
            for part in 0 ..< parts { total += partGradients[part][e] }
            gradient[e] = total * scale
        }
        for e in 0 ..< d * k {
            value += 0.5 * wd * theta[e] * theta[e]
            gradient[e] += wd * theta[e]
        }
        for q in 0 ..< k {
            let e = d * k + q
            if useBias {
                value += 0.5 * wd * biasWd * theta[e] * theta[e]
                gradient[e] += wd * biasWd * theta[e]
            } else {
                gradient[e] = 0
            }
        }
        return value
    }

    private final class Box: @unchecked Sendable {
        var value: (loss: Double, gradient: [Double]) = (0, [])
    }

    /// Summed (unscaled) loss and data gradient of rows `lo..<hi`.
    private func partial(theta t: UnsafeBufferPointer<Double>, lo: Int, hi: Int) -> (
        loss: Double, gradient: [Double]
    ) {
        let d = features, k = outputs
        var grad = [Double](repeating: 0, count: (d + 1) * k)
        var z = [Double](repeating: 0, count: k)
        var loss = 0.0
        grad.withUnsafeMutableBufferPointer { g in
            z.withUnsafeMutableBufferPointer { z in
                let w = t.baseAddress!
                for i in lo ..< hi {
                    let row = x.baseAddress! + i * d
                    if k == 1 {
                        z[0] = (useBias ? t[d] : 0) + Self.dot(row, w, d)
                    } else {
                        for q in 0 ..< k { z[q] = useBias ? t[d * k + q] : 0 }
                        for j in 0 ..< d {
                            let v = Double(row[j])
                            let wj = w + j * k
                            for q in 0 ..< k { z[q] += v * wj[q] }
                        }
                    }
                    // z becomes d loss / d z.
                    let y = labels[i]
                    switch kind {
                    case .logistic:
                        let m = z[0]
                        let weight = y > 0.5 ? positiveWeight : 1
                        // One exp: e = exp(−|m|) gives both softplus(±m) and the sigmoid.
                        let s = y > 0.5 ? -m : m
                        let e = exp(-abs(m))
                        loss += weight * (max(s, 0) + log1p(e))
                        let p = m >= 0 ? 1 / (1 + e) : e / (1 + e)
                        z[0] = weight * (p - Double(y))
                    case .squared:
                        let r = z[0] - Double(y)
                        loss += r * r
                        z[0] = 2 * r
                    case .softmax:
                        let target = Int(y), weight = classWeights.isEmpty ? 1 : classWeights[target]
                        var top = -Double.infinity
                        for q in 0 ..< k { top = max(top, z[q]) }
                        var total = 0.0
                        for q in 0 ..< k {
                            z[q] = exp(z[q] - top)
                            total += z[q]
                        }
                        loss += weight * (log(total) - log(max(z[target], 1e-300)))
                        for q in 0 ..< k { z[q] = weight * (z[q] / total - (q == target ? 1 : 0)) }
                    }
                    if k == 1 {
                        Self.axpy(z[0], row, g.baseAddress!, d)
                    } else {
                        for j in 0 ..< d {
                            let v = Double(row[j])
                            let gj = g.baseAddress! + j * k
                            for q in 0 ..< k { gj[q] += v * z[q] }
                        }
                    }
                    for q in 0 ..< k { g[d * k + q] += z[q] }
                }
            }
        }
        return (loss, grad)
    }

    /// Σⱼ x[j]·w[j] with four SIMD4<Double> accumulators.
    @inline(__always) static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Double>, _ d: Int) -> Double {
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>()
        var j = 0
        while j + 8 <= d {
            a0 += SIMD4<Double>(load4(x + j)) * load4(w + j)
            a1 += SIMD4<Double>(load4(x + j + 4)) * load4(w + j + 4)
            j += 8
        }
        var s = (a0 + a1).sum()
        while j < d {
            s += Double(x[j]) * w[j]
            j += 1
        }
        return s
    }

    /// g[j] += a·x[j].
    @inline(__always) static func axpy(
        _ a: Double, _ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Double>, _ d: Int
    ) {
        var j = 0
        while j + 4 <= d {
            let v = SIMD4<Double>(load4(x + j)) * a + load4(UnsafePointer(g + j))
            UnsafeMutableRawPointer(g + j).storeBytes(of: v, as: SIMD4<Double>.self)
            j += 4
        }
        while j < d {
            g[j] += a * Double(x[j])
            j += 1
        }
    }

    @inline(__always) static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always) static func load4(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }
}
