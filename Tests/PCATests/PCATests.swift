import Linalg
import Testing

@testable import PCA

/// Rows `mean + Σ_t z_t·σ_t·q_t` with `z` uniform in ±√3 (unit variance) and `q` the columns of a
/// fixed orthogonal matrix (a Householder reflection), so the covariance is `Q·diag(σ²)·Qᵀ`.
private func knownCovariance(n: Int, sigmas: [Double], mean: [Double], seed: UInt64) -> (Matrix, [[Double]]) {
    let d = sigmas.count
    let u = (0 ..< d).map { Double($0 % 3) - 0.7 + Double($0) * 0.1 }
    let uu = u.reduce(0) { $0 + $1 * $1 }
    let q = (0 ..< d).map { t in (0 ..< d).map { i in (i == t ? 1 : 0) - 2 * u[i] * u[t] / uu } }  // q[t] = column t
    var rng = Kernels.SplitMix64(seed: seed)
    var values = [Float]()
    for _ in 0 ..< n {
        var x = mean
        for t in 0 ..< d {
            let z = (2 * rng.nextUnit() - 1) * 3.0.squareRoot()
            for i in 0 ..< d { x[i] += z * sigmas[t] * q[t][i] }
        }
        values += x.map(Float.init)
    }
    return (Matrix(rows: n, columns: d, values: values), q)
}

/// Naive Float64 covariance sum (centred or not).
private func naiveScatter(_ x: Matrix, centred: Bool) -> [Double] {
    let n = x.rows, d = x.columns
    var mean = [Double](repeating: 0, count: d)
    if centred { for i in 0 ..< n { for j in 0 ..< d { mean[j] += Double(x[i, j]) / Double(n) } } }
    var c = [Double](repeating: 0, count: d * d)
    for i in 0 ..< n {
        for a in 0 ..< d { for b in 0 ..< d { c[a * d + b] += (Double(x[i, a]) - mean[a]) * (Double(x[i, b]) - mean[b]) } }
    }
    return c
}

private func column(_ m: Matrix, _ j: Int) -> [Double] { (0 ..< m.rows).map { Double(m[$0, j]) } }
private func absCosine(_ a: [Double], _ b: [Double]) -> Double {
    let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    let na = a.reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return abs(dot) / (na * nb)
}

@Test(arguments: [true, false])
func regularModeMatchesTheScatterMatrixEigenpairs(subtractMean: Bool) throws {
    let sigmas: [Double] = [10, 6, 3, 1, 0.5, 0.1, 2, 0.05]
    let (x, q) = knownCovariance(n: 3000, sigmas: sigmas, mean: [5, -3, 2, 0, 1, 7, -1, 4], seed: 1)
    var lines = [String]()
    let model = try PCATrainer.train(x, configuration: PCAConfiguration(numComponents: 3, subtractMean: subtractMean)) { lines.append($0) }
    let reference = Kernels.symmetricEigen(naiveScatter(x, centred: subtractMean), n: 8)
    #expect(model.singularValues.count == 3 && model.components.rows == 8 && model.components.columns == 3)
    for j in 0 ..< 3 {
        let lambda = reference.values[5 + j]
        #expect(abs(Double(model.singularValues[j]) - lambda.squareRoot()) <= 1e-4 * lambda.squareRoot())
        #expect(absCosine(column(model.components, j), reference.vector(5 + j)) > 0.9999)
    }
    #expect(model.singularValues[0] < model.singularValues[1] && model.singularValues[1] < model.singularValues[2])
    if subtractMean {
        // The sample covariance is close to the true one: top components ≈ q for σ = 10, 6, 3.
        #expect(absCosine(column(model.components, 2), q[0]) > 0.999)
        #expect(absCosine(column(model.components, 1), q[1]) > 0.99)
        #expect(abs(Double(model.singularValues[2]) / (3000.0.squareRoot() * 10) - 1) < 0.05)
        for j in 0 ..< 8 { #expect(abs(model.mean[j] - [5, -3, 2, 0, 1, 7, -1, 4][j]) < 0.5) }
    }
    #expect(lines.contains("#progress_metric: host=algo-1, completed 100.0 % of epochs"))
}

@Test func projectSubtractsTheMeanAndUsesTheComponentOrder() {
    let v = Matrix(rows: 3, columns: 2, values: [1, 0, 0, 1, 0, 0])
    let model = PCAModel(singularValues: [1, 2], components: v, mean: [1, 1, 1], subtractMean: true)
    let rows = Matrix(rows: 2, columns: 3, values: [3, 5, 9, 1, 1, 1])
    #expect(model.project(rows) == Matrix(rows: 2, columns: 2, values: [2, 4, 0, 0]))
    var raw = model
    raw.subtractMean = false
    #expect(raw.project(rows) == Matrix(rows: 2, columns: 2, values: [3, 5, 1, 1]))
}

@Test func randomizedModeFindsTheComponentsOfLowRankData() throws {
    let sigmas: [Double] = [20, 8, 4, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01]
    let (x, _) = knownCovariance(n: 2000, sigmas: sigmas, mean: (0 ..< 12).map { Double($0) }, seed: 2)
    let regular = try PCATrainer.train(x, configuration: PCAConfiguration(numComponents: 3)) { _ in }
    let config = PCAConfiguration(numComponents: 3, mode: .randomized, extraComponents: 3, seed: 9)
    let randomized = try PCATrainer.train(x, configuration: config) { _ in }
    for j in 0 ..< 3 {
        #expect(absCosine(column(randomized.components, j), column(regular.components, j)) > 0.999)
        #expect(abs(randomized.singularValues[j] / regular.singularValues[j] - 1) < 1e-3)
    }
    // Each mode sums the columns in its own pass (regular inside the Gram kernel): equal up to rounding.
    for j in 0 ..< 12 { #expect(abs(randomized.mean[j] - regular.mean[j]) <= 1e-6 * max(1, abs(regular.mean[j]))) }
    let again = try PCATrainer.train(x, configuration: config) { _ in }
    #expect(again == randomized)
}

@Test func constantColumnsAndComponentsBeyondTheRank() throws {
    // Two informative columns, two constant ones; ask for 3 components.
    var values = [Float]()
    for i in 0 ..< 50 { values += [Float(i), 7, Float(i % 5), 0] }
    let model = try PCATrainer.train(Matrix(rows: 50, columns: 4, values: values), configuration: PCAConfiguration(numComponents: 3)) { _ in }
    #expect(model.singularValues[0] == 0)
    #expect(model.singularValues[1] > 0 && model.singularValues[2] > model.singularValues[1])
    let zeroComponent = column(model.components, 0)
    #expect(abs(zeroComponent.reduce(0) { $0 + $1 * $1 } - 1) < 1e-6)
    #expect(abs(zeroComponent[0]) + abs(zeroComponent[2]) == 0)
}

@Test func invalidSettingsThrowActionableErrors() {
    let x = Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
    #expect(throws: PCAError("num_components (3) must not exceed feature_dim (2)")) {
        try PCATrainer.train(x, configuration: PCAConfiguration(numComponents: 3)) { _ in }
    }
    #expect(throws: PCAError("num_components must be a positive integer, got 0")) {
        try PCATrainer.train(x, configuration: PCAConfiguration(numComponents: 0)) { _ in }
    }
}
