/// Small dense linear algebra in Double (matrices of at most a few hundred rows/columns):
/// symmetric eigendecomposition, thin QR of tall panels, and linear solves.
///
/// Small matrices are row-major `[Double]` arrays with explicit sizes.
public enum SmallDense {
    /// Eigenvalues and eigenvectors of the symmetric `n × n` matrix `a` (row-major; only
    /// symmetric input is meaningful) by cyclic Jacobi rotations.
    ///
    /// - Returns: eigenvalues in descending order, and `vectors` (row-major `n × n`) whose
    ///   column `j` is the unit eigenvector of `values[j]`.
    public static func symmetricEigen(_ a: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        precondition(a.count == n * n)
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n { v[i * n + i] = 1 }
        for _ in 0 ..< 100 {
            var off = 0.0, total = 0.0
            for i in 0 ..< n {
                for j in 0 ..< n {
                    let x = m[i * n + j] * m[i * n + j]
                    total += x
                    if i != j { off += x }
                }
            }
            if off <= 1e-30 * max(total, 1e-300) { break }
            for p in 0 ..< n {
                for q in (p + 1) ..< n {
                    let apq = m[p * n + q]
                    if apq == 0 { continue }
                    let app = m[p * n + p], aqq = m[q * n + q]
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    // Rows/columns p and q of m, then columns p and q of v.
                    for k in 0 ..< n {
                        let mkp = m[k * n + p], mkq = m[k * n + q]
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0 ..< n {
                        let mpk = m[p * n + k], mqk = m[q * n + k]
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                    for k in 0 ..< n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0 ..< n).sorted { m[$0 * n + $0] > m[$1 * n + $1] }
        var values = [Double](repeating: 0, count: n)
        var vectors = [Double](repeating: 0, count: n * n)
        for (j, src) in order.enumerated() {
            values[j] = m[src * n + src]
            for k in 0 ..< n { vectors[k * n + j] = v[k * n + src] }
        }
        return (values, vectors)
    }

    /// Replaces the columns of the tall matrix `m` (rows ≥ columns) by an orthonormal basis of
    /// their span (modified Gram–Schmidt, run twice for stability). A column that is (numerically)
    /// dependent on earlier ones becomes zero.
    public static func orthonormalizeColumns(_ m: inout Matrix) {
        let rows = m.rows, cols = m.columns
        var columns = [[Double]](repeating: [], count: cols)
        for j in 0 ..< cols { columns[j] = (0 ..< rows).map { Double(m.values[$0 * cols + j]) } }
        var norms0 = columns.map { col in col.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        for j in 0 ..< cols {
            for _ in 0 ..< 2 {
                for i in 0 ..< j {
                    var d = 0.0
                    for r in 0 ..< rows { d += columns[i][r] * columns[j][r] }
                    for r in 0 ..< rows { columns[j][r] -= d * columns[i][r] }
                }
            }
            let norm = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm <= 1e-10 * max(norms0[j], 1e-300) || norm == 0 {
                for r in 0 ..< rows { columns[j][r] = 0 }
                norms0[j] = 0
            } else {
                for r in 0 ..< rows { columns[j][r] /= norm }
            }
        }
        for j in 0 ..< cols { for r in 0 ..< rows { m.values[r * cols + j] = Float(columns[j][r]) } }
    }

    /// Solves `a · x = b` for the `n × n` matrix `a` and `n × nrhs` right-hand sides `b`
    /// (row-major) by Gaussian elimination with partial pivoting.
    ///
    /// - Returns: `x` (row-major `n × nrhs`), or `nil` when `a` is singular to working precision.
    public static func solve(_ a: [Double], _ b: [Double], n: Int, nrhs: Int) -> [Double]? {
        precondition(a.count == n * n && b.count == n * nrhs)
        var m = a, x = b
        let scale = a.reduce(0) { max($0, abs($1)) }
        if scale == 0 || !scale.isFinite { return nil }
        let ok = m.withUnsafeMutableBufferPointer { mb in
            x.withUnsafeMutableBufferPointer { xb in
                let mp = mb.baseAddress!, xp = xb.baseAddress!
                for col in 0 ..< n {
                    var pivot = col
                    for r in (col + 1) ..< n where abs(mp[r * n + col]) > abs(mp[pivot * n + col]) { pivot = r }
                    if abs(mp[pivot * n + col]) <= 1e-13 * scale { return false }
                    if pivot != col {
                        for k in 0 ..< n { swap(&mp[col * n + k], &mp[pivot * n + k]) }
                        for k in 0 ..< nrhs { swap(&xp[col * nrhs + k], &xp[pivot * nrhs + k]) }
                    }
                    let inv = 1 / mp[col * n + col]
                    for r in (col + 1) ..< n {
                        let f = mp[r * n + col] * inv
                        if f == 0 { continue }
                        for k in col ..< n { mp[r * n + k] -= f * mp[col * n + k] }
                        let xr = xp + r * nrhs, xc = xp + col * nrhs
                        for k in 0 ..< nrhs { xr[k] -= f * xc[k] }
                    }
                }
                for r in stride(from: n - 1, through: 0, by: -1) {
                    let xr = xp + r * nrhs
                    for c in (r + 1) ..< n {
                        let f = mp[r * n + c], xc = xp + c * nrhs
                        for k in 0 ..< nrhs { xr[k] -= f * xc[k] }
                    }
                    let inv = 1 / mp[r * n + r]
                    for k in 0 ..< nrhs { xr[k] *= inv }
                }
                return true
            }
        }
        if !ok { return nil }
        return x
    }
}
