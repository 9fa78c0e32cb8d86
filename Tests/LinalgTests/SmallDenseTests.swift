import Testing
@testable import Linalg

@Test func symmetricEigenReconstructsTheMatrix() {
    let n = 7
    var a = [Double](repeating: 0, count: n * n)
    var state: UInt64 = 11
    for i in 0 ..< n {
        for j in 0 ... i {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let v = Double(state >> 11) / Double(1 << 53) - 0.5
            a[i * n + j] = v
            a[j * n + i] = v
        }
    }
    let (values, vectors) = SmallDense.symmetricEigen(a, n: n)
    for j in 1 ..< n { #expect(values[j - 1] >= values[j]) }
    for i in 0 ..< n {
        for j in 0 ..< n {
            var rebuilt = 0.0, gram = 0.0
            for k in 0 ..< n {
                rebuilt += vectors[i * n + k] * values[k] * vectors[j * n + k]
                gram += vectors[k * n + i] * vectors[k * n + j]
            }
            #expect(abs(rebuilt - a[i * n + j]) < 1e-10)
            #expect(abs(gram - (i == j ? 1 : 0)) < 1e-10)
        }
    }
}

@Test func symmetricEigenOfDiagonalAndKnown2x2() {
    let (values, _) = SmallDense.symmetricEigen([2, 1, 1, 2], n: 2)
    #expect(abs(values[0] - 3) < 1e-12 && abs(values[1] - 1) < 1e-12)
    let (d, _) = SmallDense.symmetricEigen([1, 0, 0, 0, 5, 0, 0, 0, -2], n: 3)
    #expect(d == [5, 1, -2])
}

@Test func orthonormalizeColumnsKeepsTheSpan() {
    let rows = 40, cols = 6
    var state: UInt64 = 3
    var m = Matrix(rows: rows, columns: cols)
    for i in 0 ..< rows * cols {
        state = state &* 6_364_136_223_846_793_005 &+ 1
        m.values[i] = Float(state >> 40) / Float(1 << 24) - 0.5
    }
    // Column 5 = column 0 + column 1: dependent, must become zero.
    for r in 0 ..< rows { m[r, 5] = m[r, 0] + m[r, 1] }
    let original = m
    SmallDense.orthonormalizeColumns(&m)
    for i in 0 ..< cols {
        for j in 0 ..< cols {
            var d: Float = 0
            for r in 0 ..< rows { d += m[r, i] * m[r, j] }
            let expected: Float = (i == j && i < 5) ? 1 : 0
            #expect(abs(d - expected) < 1e-4)
        }
    }
    // Every original column lies in the span of the new ones.
    for j in 0 ..< cols {
        var residual = (0 ..< rows).map { original[$0, j] }
        for i in 0 ..< cols {
            var d: Float = 0
            for r in 0 ..< rows { d += m[r, i] * original[r, j] }
            for r in 0 ..< rows { residual[r] -= d * m[r, i] }
        }
        #expect(residual.map { abs($0) }.max()! < 1e-4)
    }
}

@Test func solveMatchesKnownSolutionAndDetectsSingular() {
    // a = [[0, 2, 1], [1, 1, 0], [3, 0, 1]] needs pivoting (zero in the corner).
    let a: [Double] = [0, 2, 1, 1, 1, 0, 3, 0, 1]
    let x: [Double] = [1, -2, 0.5, 3, 2, 1]  // 3 × 2
    var b = [Double](repeating: 0, count: 6)
    for i in 0 ..< 3 { for k in 0 ..< 2 { for j in 0 ..< 3 { b[i * 2 + k] += a[i * 3 + j] * x[j * 2 + k] } } }
    let got = SmallDense.solve(a, b, n: 3, nrhs: 2)!
    for i in 0 ..< 6 { #expect(abs(got[i] - x[i]) < 1e-12) }
    #expect(SmallDense.solve([1, 2, 2, 4], [1, 1], n: 2, nrhs: 1) == nil)
}
