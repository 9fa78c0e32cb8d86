import Testing
@testable import Linalg

/// A small deterministic generator for test data (LCG; quality is irrelevant here).
private struct SparseTestRandom {
    var state: UInt64
    mutating func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
}

private func randomSparse(rows: Int, columns: Int, density: Float, seed: UInt64) -> SparseMatrix {
    var rng = SparseTestRandom(state: seed)
    var starts = [0], cols = [Int32](), vals = [Float]()
    for _ in 0 ..< rows {
        for j in 0 ..< columns where (rng.next() + 1) / 2 < density {
            cols.append(Int32(j))
            vals.append(rng.next() * 3)
        }
        starts.append(vals.count)
    }
    return SparseMatrix(columns: columns, rowStarts: starts, columnIndices: cols, values: vals)
}

private func randomDense(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var rng = SparseTestRandom(state: seed)
    return Matrix(rows: rows, columns: columns, values: (0 ..< rows * columns).map { _ in rng.next() })
}

@Test(arguments: [(700, 37, 5), (3, 10, 1), (1200, 50, 17), (0, 4, 3)])
func sparseTimesDenseMatchesNaive(shape: (Int, Int, Int)) {
    let (m, n, p) = shape
    let a = randomSparse(rows: m, columns: n, density: 0.2, seed: 1)
    let b = randomDense(rows: n, columns: p, seed: 2)
    let got = SparseKernels.multiply(a, b)
    let dense = a.densified()
    #expect(got.rows == m && got.columns == p)
    for i in 0 ..< m {
        for j in 0 ..< p {
            var s: Float = 0
            for k in 0 ..< n { s += dense[i, k] * b[k, j] }
            #expect(abs(got[i, j] - s) <= 1e-4 * max(1, abs(s)))
        }
    }
}

@Test(arguments: [(900, 41, 9), (5, 6, 2), (2000, 30, 25)])
func sparseTransposeTimesDenseMatchesNaive(shape: (Int, Int, Int)) {
    let (m, n, p) = shape
    let a = randomSparse(rows: m, columns: n, density: 0.15, seed: 3)
    let d = randomDense(rows: m, columns: p, seed: 4)
    var rng = SparseTestRandom(state: 5)
    let weights = (0 ..< m).map { _ in rng.next() }
    let dense = a.densified()
    for useWeights in [false, true] {
        let got = SparseKernels.transposeMultiply(a, d, rowWeights: useWeights ? weights : nil)
        #expect(got.rows == n && got.columns == p)
        for j in 0 ..< n {
            for r in 0 ..< p {
                var s: Float = 0
                for i in 0 ..< m { s += dense[i, j] * (useWeights ? weights[i] : 1) * d[i, r] }
                #expect(abs(got[j, r] - s) <= 1e-3 * max(1, abs(s)))
            }
        }
    }
    let colSums = SparseKernels.transposeMultiply(a, vector: weights)
    for j in 0 ..< n {
        var s = 0.0
        for i in 0 ..< m { s += Double(dense[i, j]) * Double(weights[i]) }
        #expect(abs(colSums[j] - s) <= 1e-6 * max(1, abs(s)))
    }
}
