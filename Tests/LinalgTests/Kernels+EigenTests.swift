import Testing
@testable import Linalg

/// A random symmetric matrix, optionally with repeated eigenvalues (Q·diag·Qᵀ from a known spectrum).
private func symmetric(_ n: Int, seed: UInt64) -> [Double] {
    var rng = TestRandom(seed)
    var a = [Double](repeating: 0, count: n * n)
    for i in 0 ..< n { for j in i ..< n { let v = Double(rng.float()); a[i * n + j] = v; a[j * n + i] = v } }
    return a
}

private func checkEigenpairs(_ a: [Double], n: Int, _ e: Kernels.SymmetricEigen, tolerance: Double) {
    for j in 0 ..< e.values.count {
        let v = e.vector(j)
        var norm = 0.0
        for i in 0 ..< n { norm += v[i] * v[i] }
        #expect(abs(norm - 1) <= tolerance)
        for i in 0 ..< n {
            var av = 0.0
            for t in 0 ..< n { av += a[i * n + t] * v[t] }
            #expect(abs(av - e.values[j] * v[i]) <= tolerance)
        }
        for q in 0 ..< j {
            let w = e.vector(q)
            var d = 0.0
            for i in 0 ..< n { d += v[i] * w[i] }
            #expect(abs(d) <= tolerance)
        }
        if j > 0 { #expect(e.values[j] >= e.values[j - 1]) }
    }
}

@Test func fullEigenSolverSatisfiesAvEqualsLambdaV() {
    for n in [1, 2, 3, 5, 17, 60] {
        let a = symmetric(n, seed: UInt64(n))
        let e = Kernels.symmetricEigen(a, n: n)
        #expect(e.values.count == n)
        checkEigenpairs(a, n: n, e, tolerance: 1e-9)
        // Trace is preserved.
        let trace = (0 ..< n).reduce(0.0) { $0 + a[$1 * n + $1] }
        #expect(abs(e.values.reduce(0, +) - trace) <= 1e-9)
    }
}

@Test func largestEigenpairsMatchFullSolver() {
    for (n, m) in [(1, 1), (2, 1), (10, 3), (40, 40), (90, 12)] {
        let a = symmetric(n, seed: 100 + UInt64(n))
        let full = Kernels.symmetricEigen(a, n: n)
        let top = Kernels.symmetricEigen(a, n: n, largest: m)
        #expect(top.values.count == m)
        for j in 0 ..< m { #expect(abs(top.values[j] - full.values[n - m + j]) <= 1e-9) }
        checkEigenpairs(a, n: n, top, tolerance: 1e-8)
    }
}

@Test func eigenSolversHandleRepeatedEigenvaluesAndZeroBlocks() {
    // diag(3, 3, 3, 1, 0, 0) rotated by a Householder reflection: a 3-fold cluster and a zero pair.
    let n = 6
    let spectrum: [Double] = [3, 3, 3, 1, 0, 0]
    let u: [Double] = [1, 2, -1, 0.5, 3, -2]
    let uu = u.reduce(0) { $0 + $1 * $1 }
    var q = [Double](repeating: 0, count: n * n)
    for i in 0 ..< n { for j in 0 ..< n { q[i * n + j] = (i == j ? 1 : 0) - 2 * u[i] * u[j] / uu } }
    var a = [Double](repeating: 0, count: n * n)
    for i in 0 ..< n { for j in 0 ..< n { for t in 0 ..< n { a[i * n + j] += q[i * n + t] * spectrum[t] * q[j * n + t] } } }
    let full = Kernels.symmetricEigen(a, n: n)
    for (x, y) in zip(full.values, spectrum.sorted()) { #expect(abs(x - y) <= 1e-12) }
    checkEigenpairs(a, n: n, full, tolerance: 1e-9)
    let top = Kernels.symmetricEigen(a, n: n, largest: 4)
    for (x, y) in zip(top.values, [1.0, 3, 3, 3]) { #expect(abs(x - y) <= 1e-12) }
    checkEigenpairs(a, n: n, top, tolerance: 1e-8)
    // An already diagonal matrix (no reflections needed).
    let diag: [Double] = [2, 0, 0, 0, -1, 0, 0, 0, 5]
    let e = Kernels.symmetricEigen(diag, n: 3)
    #expect(e.values == [-1, 2, 5])
    checkEigenpairs(diag, n: 3, Kernels.symmetricEigen(diag, n: 3, largest: 2), tolerance: 1e-12)
}
