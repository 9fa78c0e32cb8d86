import Foundation
import Linalg
import Testing

@testable import LinearLearner

/// Solves `a·x = b` (n×n, row-major) by Gaussian elimination with partial pivoting: the naive reference.
private func solve(_ a0: [Double], _ b0: [Double]) -> [Double] {
    let n = b0.count
    var a = a0, b = b0
    for col in 0 ..< n {
        var pivot = col
        for r in col + 1 ..< n where abs(a[r * n + col]) > abs(a[pivot * n + col]) { pivot = r }
        for c in 0 ..< n { a.swapAt(col * n + c, pivot * n + c) }
        b.swapAt(col, pivot)
        for r in col + 1 ..< n {
            let f = a[r * n + col] / a[col * n + col]
            for c in col ..< n { a[r * n + c] -= f * a[col * n + c] }
            b[r] -= f * b[col]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for r in stride(from: n - 1, through: 0, by: -1) {
        var s = b[r]
        for c in r + 1 ..< n { s -= a[r * n + c] * x[c] }
        x[r] = s / a[r * n + r]
    }
    return x
}

private func randomData(rows: Int, columns: Int, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0 ..< rows * columns).map { _ in rng.nextNormal() }
}

@Test func lbfgsFindsTheMinimumOfAQuadratic() {
    // f = ½ xᵀAx − bᵀx with A = MᵀM + I: the minimum is A⁻¹b.
    let n = 6
    var rng = SplitMix64(seed: 3)
    let m = (0 ..< n * n).map { _ in Double(rng.nextNormal()) }
    var a = [Double](repeating: 0, count: n * n)
    for i in 0 ..< n {
        for j in 0 ..< n {
            for t in 0 ..< n { a[i * n + j] += m[t * n + i] * m[t * n + j] }
            if i == j { a[i * n + j] += 1 }
        }
    }
    let b = (0 ..< n).map { _ in Double(rng.nextNormal()) }
    let result = LBFGS.minimize(start: [Double](repeating: 0, count: n), gradientTolerance: 1e-10) { x, g in
        var f = 0.0
        for i in 0 ..< n {
            var ax = 0.0
            for j in 0 ..< n { ax += a[i * n + j] * x[j] }
            g[i] = ax - b[i]
            f += 0.5 * x[i] * ax - b[i] * x[i]
        }
        return f
    }
    let expected = solve(a, b)
    #expect(result.gradientMax < 1e-6)
    for i in 0 ..< n { #expect(abs(result.x[i] - expected[i]) < 1e-8) }
}

@Test func lbfgsMinimisesRosenbrock() {
    let result = LBFGS.minimize(start: [-1.2, 1], maxIterations: 1000, gradientTolerance: 1e-9) { x, g in
        let u = 1 - x[0], v = x[1] - x[0] * x[0]
        g[0] = -2 * u - 400 * x[0] * v
        g[1] = 200 * v
        return u * u + 100 * v * v
    }
    #expect(abs(result.x[0] - 1) < 1e-6 && abs(result.x[1] - 1) < 1e-6)
}

@Test(arguments: [PolishObjective.Kind.logistic, .softmax, .squared])
func polishObjectiveGradientMatchesFiniteDifferences(kind: PolishObjective.Kind) {
    let n = 300, d = 4
    let k = kind == .softmax ? 3 : 1
    let x = randomData(rows: n, columns: d, seed: 11)
    var rng = SplitMix64(seed: 12)
    let labels: [Float] = (0 ..< n).map { _ in
        switch kind {
        case .logistic: rng.nextUnit() < 0.4 ? 1 : 0
        case .softmax: Float(Int(rng.nextUnit() * 3) % 3)
        case .squared: rng.nextNormal()
        }
    }
    x.withUnsafeBufferPointer { xp in
        labels.withUnsafeBufferPointer { yp in
            let objective = PolishObjective(
                kind: kind, x: xp, labels: yp, rows: n, features: d, outputs: k, positiveWeight: 2.5,
                classWeights: [0.5, 1, 2], wd: 0.05, biasWd: 0.3, useBias: true)
            let theta = (0 ..< objective.parameterCount).map { _ in Double(rng.nextNormal()) * 0.5 }
            var gradient = [Double](repeating: 0, count: theta.count), scratch = gradient
            _ = objective.evaluate(theta, gradient: &gradient)
            for e in theta.indices {
                var plus = theta, minus = theta
                plus[e] += 1e-5
                minus[e] -= 1e-5
                let up = objective.evaluate(plus, gradient: &scratch)
                let down = objective.evaluate(minus, gradient: &scratch)
                let numeric = (up - down) / 2e-5
                #expect(abs(numeric - gradient[e]) < 1e-6 * max(1, abs(numeric)), "parameter \(e)")
            }
        }
    }
}

@Test func squaredLossPolishReachesTheClosedFormRidgeSolution() {
    // minimise (1/n)·Σ(xw + b − y)² + ½·wd·‖w‖² (bias unregularised): the normal equations are
    // (2/n)·Xᵀ(Xw + b − y) + wd·w = 0 and (2/n)·Σ(Xw + b − y) = 0.
    let n = 200, d = 5, wd = 0.1
    let x = randomData(rows: n, columns: d, seed: 21)
    var rng = SplitMix64(seed: 22)
    let y: [Float] = (0 ..< n).map { i in
        var s: Float = 0.7
        for j in 0 ..< d { s += x[i * d + j] * Float(j) * 0.3 }
        return s + 0.2 * rng.nextNormal()
    }
    let p = d + 1
    var a = [Double](repeating: 0, count: p * p), b = [Double](repeating: 0, count: p)
    for i in 0 ..< n {
        let row = (0 ..< d).map { Double(x[i * d + $0]) } + [1]
        for r in 0 ..< p {
            for c in 0 ..< p { a[r * p + c] += 2 / Double(n) * row[r] * row[c] }
            b[r] += 2 / Double(n) * row[r] * Double(y[i])
        }
    }
    for j in 0 ..< d { a[j * p + j] += wd }
    let expected = solve(a, b)
    x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
            let objective = PolishObjective(
                kind: .squared, x: xp, labels: yp, rows: n, features: d, outputs: 1, wd: wd, biasWd: 0,
                useBias: true)
            let result = LBFGS.minimize(start: [Double](repeating: 0, count: p), gradientTolerance: 1e-10) {
                objective.evaluate($0, gradient: &$1)
            }
            for e in 0 ..< p { #expect(abs(result.x[e] - expected[e]) < 1e-7, "parameter \(e)") }
        }
    }
}

@Test func trainerPolishIsLoggedDeterministicAndLowersTheObjective() throws {
    var rng = SplitMix64(seed: 31)
    let n = 400, d = 6
    let values = (0 ..< n * d).map { _ in rng.nextNormal() * 3 + 1 }
    let labels: [Float] = (0 ..< n).map { i in
        var s: Float = -1
        for j in 0 ..< d { s += values[i * d + j] * Float(j % 3) * 0.2 }
        return s + rng.nextNormal() > 0 ? 1 : 0
    }
    let data = LabeledData(features: Matrix(rows: n, columns: d, values: values), labels: labels)
    var config = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    config.binaryClassifierModelSelectionCriteria = .lossFunction
    config.epochs = 3
    func run(_ polish: Bool) throws -> (LinearModel, [String]) {
        var c = config
        c.fullBatchPolish = polish
        var lines: [String] = []
        let model = try LinearLearnerTrainer.train(train: data, validation: nil, configuration: c) { lines.append($0) }
        return (model, lines)
    }
    let (polished, lines) = try run(true)
    let (again, _) = try run(true)
    let (plain, plainLines) = try run(false)
    #expect(polished == again)
    #expect(lines.contains { $0.hasPrefix("Full-batch L-BFGS polish of model #") })
    #expect(!plainLines.contains { $0.contains("polish") })
    func logLoss(_ model: LinearModel) -> Double {
        let p = model.scores(data.features)
        return (0 ..< n).reduce(0.0) { total, i in
            total - Double(labels[i] > 0.5 ? log(max(p[i], 1e-7)) : log(max(1 - p[i], 1e-7)))
        } / Double(n)
    }
    #expect(logLoss(polished) < logLoss(plain))
}

@Test func polishIsSkippedForNonSmoothObjectives() throws {
    let data = LabeledData(
        features: Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3]), labels: [0, 0, 1, 1])
    var config = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    config.loss = .hingeLoss
    var lines: [String] = []
    _ = try LinearLearnerTrainer.train(train: data, validation: nil, configuration: config) { lines.append($0) }
    #expect(lines.contains("Full-batch polish skipped: loss hinge_loss is not smooth"))
    config.loss = .logistic
    config.l1 = 0.01
    lines = []
    _ = try LinearLearnerTrainer.train(train: data, validation: nil, configuration: config) { lines.append($0) }
    #expect(lines.contains("Full-batch polish skipped: l1 > 0 is not smooth"))
}
