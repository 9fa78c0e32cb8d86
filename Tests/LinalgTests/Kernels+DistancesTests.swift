import Testing
@testable import Linalg

@Test func nearestCentersMatchesNaiveSearch() {
    var rng = TestRandom(5)
    for (rows, d, k) in [(1, 1, 1), (9, 3, 2), (101, 13, 7), (64, 784, 10), (33, 40, 100)] {
        let x = Matrix(rows: rows, columns: d, values: rng.floats(rows * d))
        let c = Matrix(rows: k, columns: d, values: rng.floats(k * d))
        let (asg, dist) = Kernels.nearestCenters(x, centers: c)
        for r in 0 ..< rows {
            var best = Double.infinity, bestIndex = 0
            var all = [Double]()
            for j in 0 ..< k {
                var s = 0.0
                for t in 0 ..< d { let v = Double(x[r, t]) - Double(c[j, t]); s += v * v }
                all.append(s)
                if s < best { best = s; bestIndex = j }
            }
            #expect(abs(Double(dist[r]) - best) <= 1e-4 * max(1, best))
            // Allow a different index only when it is a near tie.
            #expect(Int(asg[r]) == bestIndex || abs(all[Int(asg[r])] - best) <= 1e-4 * max(1, best))
        }
    }
}

@Test func sparseNearestCentersMatchesDense() {
    var rng = TestRandom(6)
    for (rows, d, k, sparsity) in [(1, 1, 1, 0.0), (50, 9, 3, 0.7), (80, 30, 17, 0.8), (40, 64, 40, 0.5), (30, 20, 100, 0.9), (10, 5, 8, 1.0)] {
        let dense = Matrix(rows: rows, columns: d, values: rng.floats(rows * d, sparsity: sparsity))
        var starts = [0], cols = [Int32](), vals = [Float]()
        for r in 0 ..< rows {
            for t in 0 ..< d where dense[r, t] != 0 { cols.append(Int32(t)); vals.append(dense[r, t]) }
            starts.append(vals.count)
        }
        let sparse = SparseMatrix(columns: d, rowStarts: starts, columnIndices: cols, values: vals)
        let c = Matrix(rows: k, columns: d, values: rng.floats(k * d))
        let (a1, d1) = Kernels.nearestCenters(sparse, centers: c)
        let (a2, d2) = Kernels.nearestCenters(dense, centers: c)
        for r in 0 ..< rows {
            #expect(abs(d1[r] - d2[r]) <= 1e-4 * max(1, d2[r]))
            #expect(a1[r] == a2[r] || abs(d1[r] - d2[r]) <= 1e-4 * max(1, d2[r]))
        }
    }
}
