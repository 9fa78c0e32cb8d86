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
