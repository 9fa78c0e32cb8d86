import Testing
@testable import Linalg

/// A small deterministic generator for test data (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
    mutating func floats(_ n: Int, sparsity: Double = 0) -> [Float] {
        (0 ..< n).map { _ in
            let v = float()
            return Double(next() >> 11) / Double(1 << 53) < sparsity ? 0 : v
        }
    }
}

@Test func dotAndAxpyMatchNaiveLoops() {
    var rng = TestRandom(1)
    for n in [0, 1, 7, 8, 31, 32, 33, 100, 1000] {
        let a = rng.floats(n), b = rng.floats(n)
        var naive: Double = 0
        for i in 0 ..< n { naive += Double(a[i]) * Double(b[i]) }
        let fast = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            Kernels.dot(pa.baseAddress ?? UnsafePointer(bitPattern: 8)!, pb.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: n) } }
        #expect(abs(Double(fast) - naive) <= 1e-4 * max(1, Double(n).squareRoot()))
        let ad = a.map(Double.init), bd = b.map(Double.init)
        if n > 0 {
            let fd = ad.withUnsafeBufferPointer { pa in bd.withUnsafeBufferPointer { pb in Kernels.dot(pa.baseAddress!, pb.baseAddress!, count: n) } }
            #expect(abs(fd - naive) <= 1e-9)
            var y = b
            y.withUnsafeMutableBufferPointer { py in a.withUnsafeBufferPointer { pa in Kernels.axpy(0.5, pa.baseAddress!, py.baseAddress!, count: n) } }
            for i in 0 ..< n { #expect(abs(y[i] - (b[i] + 0.5 * a[i])) <= 1e-6) }
            var yd = bd
            yd.withUnsafeMutableBufferPointer { py in ad.withUnsafeBufferPointer { pa in Kernels.axpy(-2, pa.baseAddress!, py.baseAddress!, count: n) } }
            for i in 0 ..< n { #expect(abs(yd[i] - (bd[i] - 2 * ad[i])) <= 1e-12) }
        }
    }
}

@Test func rowSquaredNormsMatchNaiveLoop() {
    var rng = TestRandom(2)
    let m = Matrix(rows: 37, columns: 19, values: rng.floats(37 * 19))
    let norms = Kernels.rowSquaredNorms(m)
    for r in 0 ..< m.rows {
        let naive = m.row(r).reduce(Float(0)) { $0 + $1 * $1 }
        #expect(abs(norms[r] - naive) <= 1e-5)
    }
}

@Test func parallelRowBlocksCoversEveryIndexOnce() {
    let counter = UnsafeMutablePointer<Int>.allocate(capacity: 1000)
    defer { counter.deallocate() }
    counter.initialize(repeating: 0, count: 1000)
    let shared = Kernels.SharedPointer(counter)
    Kernels.parallelRowBlocks(1000, minimumBlock: 3) { block in
        for i in block { shared.base[i] += 1 }
    }
    #expect((0 ..< 1000).allSatisfy { counter[$0] == 1 })
}

@Test func splitMixIsDeterministicAndRoughlyUniform() {
    var a = Kernels.SplitMix64(seed: 42), b = Kernels.SplitMix64(seed: 42)
    #expect((0 ..< 10).map { _ in a.next() } == (0 ..< 10).map { _ in b.next() })
    var mean = 0.0, signs: Float = 0
    for _ in 0 ..< 10_000 { mean += a.nextUnit(); signs += a.nextSign() }
    #expect(abs(mean / 10_000 - 0.5) < 0.02)
    #expect(abs(signs) < 400)
}
