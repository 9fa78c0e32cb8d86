import Testing
@testable import Linalg

@Test func sgemmMatchesNaiveLoop() {
    var rng = TestRandom(3)
    for (m, n, k) in [(1, 1, 1), (4, 16, 8), (5, 17, 3), (13, 40, 300), (64, 33, 513), (3, 5, 0)] {
        let a = Matrix(rows: m, columns: k, values: rng.floats(m * k))
        let b = Matrix(rows: k, columns: n, values: rng.floats(k * n))
        let c = Kernels.multiply(a, b)
        for i in 0 ..< m {
            for j in 0 ..< n {
                var naive: Double = 0
                for p in 0 ..< k { naive += Double(a[i, p]) * Double(b[p, j]) }
                #expect(abs(Double(c[i, j]) - naive) <= 1e-4 * max(1, Double(k).squareRoot()))
            }
        }
        // Accumulate form adds onto C.
        if k > 0 {
            var twice = c
            a.values.withUnsafeBufferPointer { pa in b.values.withUnsafeBufferPointer { pb in twice.values.withUnsafeMutableBufferPointer { pc in
                Kernels.sgemm(m: m, n: n, k: k, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, accumulate: true) } } }
            for i in 0 ..< m * n { #expect(abs(twice.values[i] - 2 * c.values[i]) <= 1e-4 * max(1, abs(c.values[i]))) }
        }
    }
}

@Test func accumulateGramMatchesNaiveUpperTriangle() {
    var rng = TestRandom(4)
    // Several 1024-row chunks and Float segments of 256 listed rows come with the 2500-row case.
    for (rows, d, sparsity) in [(1, 1, 0.0), (7, 5, 0.0), (300, 37, 0.7), (600, 64, 0.0), (513, 50, 0.9), (2500, 70, 0.5)] {
        let x = rng.floats(rows * d, sparsity: sparsity)
        var s = [Double](repeating: -7, count: d * d)  // lower triangle must stay untouched
        for i in 0 ..< d { for j in i ..< d { s[i * d + j] = 1 } }
        var sums = [Double](repeating: 2, count: d)
        x.withUnsafeBufferPointer { px in s.withUnsafeMutableBufferPointer { ps in sums.withUnsafeMutableBufferPointer { pm in
            Kernels.accumulateGram(px.baseAddress!, rows: rows, columns: d, into: ps.baseAddress!, columnSums: pm.baseAddress!) } } }
        for j in 0 ..< d {
            var naive = 2.0
            for r in 0 ..< rows { naive += Double(x[r * d + j]) }
            #expect(abs(sums[j] - naive) <= 1e-9 * max(1, abs(naive)))
        }
        for i in 0 ..< d {
            for j in 0 ..< d {
                if j < i {
                    #expect(s[i * d + j] == -7)
                    continue
                }
                var naive = 1.0
                for r in 0 ..< rows { naive += Double(x[r * d + i]) * Double(x[r * d + j]) }
                #expect(abs(s[i * d + j] - naive) <= 1e-4 * max(1, Double(rows).squareRoot()))
            }
        }
        s.withUnsafeMutableBufferPointer { Kernels.mirrorUpperTriangle($0.baseAddress!, n: d) }
        for i in 0 ..< d { for j in 0 ..< i { #expect(s[i * d + j] == s[j * d + i]) } }
    }
}
