extension Kernels {
    /// Eigenvalues (ascending) and unit eigenvectors of a real symmetric matrix.
    public struct SymmetricEigen: Sendable {
        /// Order of the matrix.
        public var n: Int
        /// Eigenvalues, ascending.
        public var values: [Double]
        /// `values.count × n`, row-major: row `j` (`vectors[j*n ..< (j+1)*n]`) is the eigenvector of `values[j]`.
        public var vectors: [Double]

        /// Eigenvector `j` as a copy.
        public func vector(_ j: Int) -> [Double] { Array(vectors[j * n ..< (j + 1) * n]) }
    }

    /// All eigenpairs of the symmetric row-major `n × n` matrix `a` (only its upper triangle is read).
    ///
    /// Householder reduction to tridiagonal form, implicit-shift QL on the tridiagonal matrix with the
    /// rotations accumulated, then the Householder reflectors applied to each vector.
    public static func symmetricEigen(_ a: [Double], n: Int) -> SymmetricEigen {
        precondition(a.count == n * n, "symmetricEigen: \(a.count) values for a \(n)×\(n) matrix")
        if n == 0 { return SymmetricEigen(n: 0, values: [], vectors: []) }
        var work = a
        var t = work.withUnsafeMutableBufferPointer { tridiagonalize($0.baseAddress!, n: n) }
        var z = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n { z[i * n + i] = 1 }
        z.withUnsafeMutableBufferPointer { tridiagonalQL(diagonal: &t.d, offDiagonal: &t.e, vectors: $0.baseAddress!) }
        let order = (0 ..< n).sorted { t.d[$0] < t.d[$1] }
        var vectors = [Double](repeating: 0, count: n * n)
        for (slot, j) in order.enumerated() {
            for i in 0 ..< n { vectors[slot * n + i] = z[j * n + i] }
        }
        backTransform(&vectors, count: n, reflectors: work, taus: t.taus, n: n)
        return SymmetricEigen(n: n, values: order.map { t.d[$0] }, vectors: vectors)
    }

    /// The `m` largest eigenpairs (returned in ascending order) of the symmetric row-major `n × n`
    /// matrix `a` (only its upper triangle is read).
    ///
    /// Householder reduction to tridiagonal form, all eigenvalues by implicit-shift QL without
    /// vectors, then inverse iteration on the tridiagonal matrix for the `m` wanted ones
    /// (re-orthogonalised within clusters of close eigenvalues) and the reflectors applied to them:
    /// O(n³) for the reduction, O(n²·m) for the rest, instead of O(n³) more for all vectors.
    public static func symmetricEigen(_ a: [Double], n: Int, largest m: Int) -> SymmetricEigen {
        precondition(a.count == n * n, "symmetricEigen: \(a.count) values for a \(n)×\(n) matrix")
        precondition(m >= 0 && m <= n, "symmetricEigen: asked for \(m) eigenpairs of a \(n)×\(n) matrix")
        if m == 0 { return SymmetricEigen(n: n, values: [], vectors: []) }
        var work = a
        let t = work.withUnsafeMutableBufferPointer { tridiagonalize($0.baseAddress!, n: n) }
        var d = t.d, e = t.e
        tridiagonalQL(diagonal: &d, offDiagonal: &e, vectors: nil)
        let wanted = Array(d.sorted().suffix(m))
        var vectors = tridiagonalInverseIteration(diagonal: t.d, offDiagonal: t.e, eigenvalues: wanted)
        backTransform(&vectors, count: m, reflectors: work, taus: t.taus, n: n)
        return SymmetricEigen(n: n, values: wanted, vectors: vectors)
    }

    /// Householder reduction `A = Q·T·Qᵀ` in place. Row `k` of `a` keeps the reflector vector of step
    /// `k` in columns `k+1 ..< n`; `Q = H₀·H₁⋯` with `Hₖ = I − τₖ·vₖvₖᵀ`.
    ///
    /// Each step's rank-2 update `A' −= v·wᵀ + w·vᵀ` is deferred and fused with the next step's
    /// product `A''·v'` (one parallel pass over the rows per step instead of two).
    static func tridiagonalize(_ a: UnsafeMutablePointer<Double>, n: Int) -> (d: [Double], e: [Double], taus: [Double]) {
        // Work on full symmetric storage: mirror the upper triangle first.
        for i in 0 ..< n {
            for j in 0 ..< i { a[i * n + j] = a[j * n + i] }
        }
        var d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: n)
        var taus = [Double](repeating: 0, count: n)
        // Two w buffers: the pending step's and the current one's.
        let wBuffers = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n)
        defer { wBuffers.deallocate() }
        let shared = SharedPointer(a), sw = SharedPointer(wBuffers)
        // The deferred update: reflector of step `pendingStep` (its v in row pendingStep, w in buffer `pendingBuffer`).
        var pendingStep = -1, pendingBuffer = 0
        var k = 0
        while k + 2 < n {
            let m = n - k - 1, base = k + 1
            // Bring row k up to date, then build the reflector from it.
            if pendingStep >= 0 {
                let pb = pendingStep + 1, pm = n - pb
                let pv = UnsafePointer(a + pendingStep * n + pb), pw = UnsafePointer(wBuffers + pendingBuffer * n)
                let row = a + k * n + pb, r = k - pb
                axpy(-pv[r], pw, row, count: pm)
                axpy(-pw[r], pv, row, count: pm)
            }
            let x = a + k * n + base
            var sigma = 0.0
            for i in 1 ..< m { sigma += x[i] * x[i] }
            d[k] = a[k * n + k]
            let x0 = x[0]
            var tau = 0.0
            if sigma == 0 {
                e[k] = x0
            } else {
                let norm = (x0 * x0 + sigma).squareRoot()
                let alpha = x0 >= 0 ? -norm : norm
                x[0] = x0 - alpha
                tau = 2 / (x[0] * x[0] + sigma)
                e[k] = alpha
            }
            taus[k] = tau
            let current = pendingStep >= 0 ? 1 - pendingBuffer : 0
            let p = wBuffers + current * n
            let v = UnsafePointer(x)
            let step = pendingStep, buffer = pendingBuffer
            // One pass: apply the deferred update to rows base…n-1, then p = τ·A'v on the fresh row.
            // Blocks of ≥ 64k doubles: smaller ones cost more in hand-offs than they save (730²: 0.078 s
            // with 16k, 0.063 s with 64k).
            parallelRowBlocks(m, minimumBlock: max(8, 65_536 / m)) { rows in
                for i in rows {
                    let row = shared.base + (base + i) * n
                    if step >= 0 {
                        // The pending step's reflector starts at column k (= step + 1), one before v.
                        let pv = UnsafePointer(shared.base + step * n + k), pw = UnsafePointer(sw.base + buffer * n)
                        let r = base + i - k
                        let cv = pv[r], cw = pw[r]
                        row[k] -= cv * pw[0] + cw * pv[0]
                        let product = rank2UpdateDot(row + base, pv + 1, pw + 1, cv, cw, v, count: m)
                        if tau != 0 { sw.base[current * n + i] = tau * product }
                    } else if tau != 0 {
                        sw.base[current * n + i] = tau * dot(UnsafePointer(row + base), v, count: m)
                    }
                }
            }
            if tau != 0 {
                // w = p − (τ/2)(vᵀp)·v
                let half = 0.5 * tau * dot(UnsafePointer(p), v, count: m)
                for i in 0 ..< m { p[i] -= half * v[i] }
                pendingStep = k
                pendingBuffer = current
            } else {
                pendingStep = -1
            }
            k += 1
        }
        // Apply the last deferred update to the trailing 2×2 block.
        if pendingStep >= 0 {
            let pb = pendingStep + 1, pm = n - pb
            let pv = UnsafePointer(a + pendingStep * n + pb), pw = UnsafePointer(wBuffers + pendingBuffer * n)
            for row in max(pb, n - 2) ..< n {
                let r = row - pb
                axpy(-pv[r], pw, a + row * n + pb, count: pm)
                axpy(-pw[r], pv, a + row * n + pb, count: pm)
            }
        }
        if n >= 2 {
            d[n - 2] = a[(n - 2) * n + n - 2]
            e[n - 2] = a[(n - 2) * n + n - 1]
        }
        d[n - 1] = a[(n - 1) * n + n - 1]
        return (d, e, taus)
    }

    /// `row −= cv·w + cw·v` and then `Σ row·x`, in one pass over `row` (`count` doubles each).
    @inline(__always)
    static func rank2UpdateDot(_ row: UnsafeMutablePointer<Double>, _ v: UnsafePointer<Double>, _ w: UnsafePointer<Double>,
                               _ cv: Double, _ cw: Double, _ x: UnsafePointer<Double>, count: Int) -> Double {
        let rr = UnsafeMutableRawPointer(row), rv = UnsafeRawPointer(v), rw = UnsafeRawPointer(w), rx = UnsafeRawPointer(x)
        let a = SIMD8<Double>(repeating: cv), b = SIMD8<Double>(repeating: cw)
        var s0 = SIMD8<Double>(), s1 = SIMD8<Double>()
        var j = 0
        while j + 16 <= count {
            let o = j &* 8
            let r0 = rr.loadUnaligned(fromByteOffset: o, as: SIMD8<Double>.self)
                - a * rw.loadUnaligned(fromByteOffset: o, as: SIMD8<Double>.self) - b * rv.loadUnaligned(fromByteOffset: o, as: SIMD8<Double>.self)
            let r1 = rr.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Double>.self)
                - a * rw.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Double>.self)
                - b * rv.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Double>.self)
            rr.storeBytes(of: r0, toByteOffset: o, as: SIMD8<Double>.self)
            rr.storeBytes(of: r1, toByteOffset: o &+ 64, as: SIMD8<Double>.self)
            s0 += r0 * rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Double>.self)
            s1 += r1 * rx.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Double>.self)
            j &+= 16
        }
        var s = (s0 + s1).sum()
        while j < count {
            let value = row[j] - cv * w[j] - cw * v[j]
            row[j] = value
            s += value * x[j]
            j &+= 1
        }
        return s
    }

    /// Applies `Q = H₀·H₁⋯` (reflectors left in `reflectors` by `tridiagonalize`) to each of the
    /// `count` row vectors of `vectors`, in parallel.
    static func backTransform(_ vectors: inout [Double], count: Int, reflectors: [Double], taus: [Double], n: Int) {
        guard n >= 3, count > 0 else { return }
        reflectors.withUnsafeBufferPointer { r in
            vectors.withUnsafeMutableBufferPointer { out in
                let base = SharedPointer(out.baseAddress!)
                let refl = r.baseAddress!
                parallelRowBlocks(count) { rows in
                    for j in rows {
                        let z = base.base + j * n
                        for k in stride(from: n - 3, through: 0, by: -1) where taus[k] != 0 {
                            let v = refl + k * n + k + 1
                            let m = n - k - 1
                            let s = taus[k] * dot(v, UnsafePointer(z + k + 1), count: m)
                            axpy(-s, v, z + k + 1, count: m)
                        }
                    }
                }
            }
        }
    }

    /// Implicit-shift QL iterations on the symmetric tridiagonal matrix with diagonal `d` and
    /// off-diagonal `e` (`e[i]` couples `i` and `i+1`; `e[n-1]` unused). On return `d` holds the
    /// eigenvalues (unsorted). When `vectors` (n × n, row-major) is given, each plane rotation is
    /// applied to its rows `i`, `i+1`: starting from the identity, row `j` ends as the eigenvector of `d[j]`.
    static func tridiagonalQL(diagonal d: inout [Double], offDiagonal e: inout [Double], vectors: UnsafeMutablePointer<Double>?) {
        let n = d.count
        guard n > 1 else { return }
        e[n - 1] = 0
        for l in 0 ..< n {
            var iterations = 0
            while true {
                // Find the first negligible off-diagonal element at or after l.
                var m = l
                while m < n - 1 {
                    let scale = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= Double.ulpOfOne * scale { break }
                    m += 1
                }
                if m == l { break }
                iterations += 1
                if iterations > 200 { break }  // Never seen in practice; keep what we have.
                // Wilkinson-style shift from the leading 2×2 block, folded into the first rotation.
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = (g * g + 1).squareRoot()
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                var s = 1.0, c = 1.0, p = 0.0
                var i = m - 1
                var deflated = false
                while i >= l {
                    let f = s * e[i], b = c * e[i]
                    r = (f * f + g * g).squareRoot()
                    e[i + 1] = r
                    if r == 0 {
                        // Underflow: split the matrix here and start again.
                        d[i + 1] -= p
                        e[m] = 0
                        deflated = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    if let z = vectors { rotateRows(z + i * n, z + (i + 1) * n, c: c, s: s, count: n) }
                    i -= 1
                }
                if deflated { continue }
                d[l] -= p
                e[l] = g
                e[m] = 0
            }
        }
    }

    /// `(u, w) ← (c·u − s·w, s·u + c·w)` elementwise.
    @inline(__always)
    static func rotateRows(_ u: UnsafeMutablePointer<Double>, _ w: UnsafeMutablePointer<Double>, c: Double, s: Double, count: Int) {
        let vc = SIMD4<Double>(repeating: c), vs = SIMD4<Double>(repeating: s)
        let ru = UnsafeMutableRawPointer(u), rw = UnsafeMutableRawPointer(w)
        var k = 0
        while k + 4 <= count {
            let o = k &* 8
            let a = ru.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            let b = rw.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            ru.storeBytes(of: vc * a - vs * b, toByteOffset: o, as: SIMD4<Double>.self)
            rw.storeBytes(of: vs * a + vc * b, toByteOffset: o, as: SIMD4<Double>.self)
            k += 4
        }
        while k < count {
            let a = u[k], b = w[k]
            u[k] = c * a - s * b
            w[k] = s * a + c * b
            k += 1
        }
    }

    /// Eigenvectors of the tridiagonal matrix (`d`, `e`) for the given ascending eigenvalues, by inverse
    /// iteration with a pivoted LU of `T − σI`. Vectors whose eigenvalues lie within 1e-3·‖T‖ of the
    /// previous one are orthogonalised against the rest of their cluster. Returns `count × n` rows.
    static func tridiagonalInverseIteration(diagonal d: [Double], offDiagonal e: [Double], eigenvalues: [Double]) -> [Double] {
        let n = d.count
        var out = [Double](repeating: 0, count: eigenvalues.count * n)
        if n == 1 {
            for j in eigenvalues.indices { out[j] = 1 }
            return out
        }
        var tnorm = 0.0
        for i in 0 ..< n {
            tnorm = max(tnorm, abs(d[i]) + (i < n - 1 ? abs(e[i]) : 0) + (i > 0 ? abs(e[i - 1]) : 0))
        }
        if tnorm == 0 { tnorm = 1 }
        let tiny = Double.ulpOfOne * tnorm
        var u = [Double](repeating: 0, count: n), s1 = [Double](repeating: 0, count: n), s2 = [Double](repeating: 0, count: n)
        var mult = [Double](repeating: 0, count: n), swapped = [Bool](repeating: false, count: n)
        var x = [Double](repeating: 0, count: n)
        var clusterStart = 0
        var previousShift = -Double.infinity
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for (j, lambda) in eigenvalues.enumerated() {
            if j > 0 && lambda - eigenvalues[j - 1] > 1e-3 * tnorm { clusterStart = j }
            // Distinct shifts even for equal eigenvalues, so cluster members start apart.
            var sigma = lambda
            if sigma - previousShift < 10 * tiny { sigma = previousShift + 10 * tiny }
            previousShift = sigma
            // LU with partial pivoting of T − σI: U has diagonal u, super-diagonals s1, s2.
            var diag = d[0] - sigma, sup = e[0]
            for i in 0 ..< n - 1 {
                let below = e[i], nextDiag = d[i + 1] - sigma, nextSup = i + 1 < n - 1 ? e[i + 1] : 0
                if abs(diag) >= abs(below) {
                    let piv = diag == 0 ? tiny : diag
                    let f = below / piv
                    u[i] = piv; s1[i] = sup; s2[i] = 0
                    mult[i] = f; swapped[i] = false
                    diag = nextDiag - f * sup
                    sup = nextSup
                } else {
                    let f = diag / below
                    u[i] = below; s1[i] = nextDiag; s2[i] = nextSup
                    mult[i] = f; swapped[i] = true
                    diag = sup - f * nextDiag
                    sup = -f * nextSup
                }
            }
            u[n - 1] = diag == 0 ? tiny : diag
            for i in 0 ..< n - 1 where u[i] == 0 { u[i] = tiny }
            // Start from a fixed pseudo-random vector.
            for i in 0 ..< n {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                x[i] = Double(Int64(bitPattern: seed >> 11) - (1 << 52)) / Double(1 << 52)
            }
            for _ in 0 ..< 4 {
                // Solve (T − σI)·y = x in place.
                for i in 0 ..< n - 1 {
                    if swapped[i] { x.swapAt(i, i + 1) }
                    x[i + 1] -= mult[i] * x[i]
                }
                x[n - 1] /= u[n - 1]
                x[n - 2] = (x[n - 2] - s1[n - 2] * x[n - 1]) / u[n - 2]
                if n >= 3 {
                    for i in stride(from: n - 3, through: 0, by: -1) {
                        x[i] = (x[i] - s1[i] * x[i + 1] - s2[i] * x[i + 2]) / u[i]
                    }
                }
                for q in clusterStart ..< j {
                    var proj = 0.0
                    for i in 0 ..< n { proj += x[i] * out[q * n + i] }
                    for i in 0 ..< n { x[i] -= proj * out[q * n + i] }
                }
                var norm = 0.0
                for i in 0 ..< n { norm += x[i] * x[i] }
                norm = norm.squareRoot()
                if norm == 0 || !norm.isFinite {
                    for i in 0 ..< n { x[i] = i == j % n ? 1 : 0 }
                } else {
                    for i in 0 ..< n { x[i] /= norm }
                }
            }
            for i in 0 ..< n { out[j * n + i] = x[i] }
        }
        return out
    }
}
