extension Kernels {
    /// Columns per packed panel of B, and rows per register tile: a 4 × 16 tile is 8 SIMD8 accumulators.
    @usableFromInline static let panelWidth = 16
    /// Depth (k) chunk kept hot in cache while sweeping the panels.
    @usableFromInline static let depthChunk = 256

    /// `C = A·B` (or `C += A·B` when `accumulate`), all row-major Float32:
    /// A is `m × k`, B is `k × n`, C is `m × n`.
    ///
    /// B is packed once into 16-column panels (zero padded); rows of A are split into blocks over all
    /// cores, and each 4-row × 16-column tile of C is computed in registers over 256-deep chunks.
    public static func sgemm(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        accumulate: Bool = false
    ) {
        guard m > 0, n > 0 else { return }
        if !accumulate { c.update(repeating: 0, count: m * n) }
        guard k > 0 else { return }
        let panels = (n + panelWidth - 1) / panelWidth
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: panels * k * panelWidth)
        defer { packed.deallocate() }
        // Panel p holds columns 16p ..< 16p+16 of B as k rows of 16.
        for p in 0 ..< panels {
            let dst = packed + p * k * panelWidth
            let c0 = p * panelWidth, width = min(panelWidth, n - c0)
            for r in 0 ..< k {
                let row = dst + r * panelWidth
                let src = b + r * n + c0
                for j in 0 ..< width { row[j] = src[j] }
                for j in width ..< panelWidth { row[j] = 0 }
            }
        }
        let zeros = UnsafeMutablePointer<Float>.allocate(capacity: k)
        zeros.initialize(repeating: 0, count: k)
        defer { zeros.deallocate() }
        let out = SharedPointer(c)
        let pk = SharedPointer(packed), z = SharedPointer(zeros)
        let rowGroups = (m + 3) / 4
        parallelRowBlocks(rowGroups, minimumBlock: max(1, 4096 / max(1, n))) { groups in
            for k0 in stride(from: 0, to: k, by: depthChunk) {
                let kc = min(depthChunk, k - k0)
                for g in groups {
                    let i0 = g * 4, rowsHere = min(4, m - i0)
                    let a0 = a + i0 * k + k0
                    let a1 = rowsHere > 1 ? a0 + k : UnsafePointer(z.base)
                    let a2 = rowsHere > 2 ? a0 + 2 * k : UnsafePointer(z.base)
                    let a3 = rowsHere > 3 ? a0 + 3 * k : UnsafePointer(z.base)
                    for p in 0 ..< panels {
                        let panel = UnsafePointer(pk.base + p * k * panelWidth + k0 * panelWidth)
                        let t = tile4x16(a0, a1, a2, a3, panel, kc)
                        let c0 = p * panelWidth
                        addTile(t, into: out.base + i0 * n + c0, stride: n, rows: rowsHere, columns: min(panelWidth, n - c0))
                    }
                }
            }
        }
    }

    /// Matrix convenience form of `sgemm`: returns `a · b`.
    public static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.columns == b.rows, "multiply: \(a.rows)×\(a.columns) · \(b.rows)×\(b.columns)")
        var c = Matrix(rows: a.rows, columns: b.columns)
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    sgemm(m: a.rows, n: b.columns, k: a.columns, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                }
            }
        }
        return c
    }

    /// Eight SIMD8 accumulators: rows 0…3 × (columns 0–7, 8–15).
    @usableFromInline
    struct Tile4x16 {
        var r0a = SIMD8<Float>(), r0b = SIMD8<Float>(), r1a = SIMD8<Float>(), r1b = SIMD8<Float>()
        var r2a = SIMD8<Float>(), r2b = SIMD8<Float>(), r3a = SIMD8<Float>(), r3b = SIMD8<Float>()
        @usableFromInline init() {}

        /// Row `r` (0…3) as its two halves.
        @inline(__always) func row(_ r: Int) -> (SIMD8<Float>, SIMD8<Float>) {
            switch r {
            case 0: return (r0a, r0b)
            case 1: return (r1a, r1b)
            case 2: return (r2a, r2b)
            default: return (r3a, r3b)
            }
        }
    }

    @inline(__always)
    static func tile4x16(
        _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>, _ a3: UnsafePointer<Float>,
        _ panel: UnsafePointer<Float>, _ count: Int
    ) -> Tile4x16 {
        var t = Tile4x16()
        let rp = UnsafeRawPointer(panel)
        for p in 0 ..< count {
            let off = p &* 64
            let ba = rp.load(fromByteOffset: off, as: SIMD8<Float>.self)
            let bb = rp.load(fromByteOffset: off + 32, as: SIMD8<Float>.self)
            let x0 = SIMD8<Float>(repeating: a0[p]), x1 = SIMD8<Float>(repeating: a1[p])
            let x2 = SIMD8<Float>(repeating: a2[p]), x3 = SIMD8<Float>(repeating: a3[p])
            t.r0a = multiplyAdd(t.r0a, x0, ba); t.r0b = multiplyAdd(t.r0b, x0, bb)
            t.r1a = multiplyAdd(t.r1a, x1, ba); t.r1b = multiplyAdd(t.r1b, x1, bb)
            t.r2a = multiplyAdd(t.r2a, x2, ba); t.r2b = multiplyAdd(t.r2b, x2, bb)
            t.r3a = multiplyAdd(t.r3a, x3, ba); t.r3b = multiplyAdd(t.r3b, x3, bb)
        }
        return t
    }

    @inline(__always)
    static func addTile(_ t: Tile4x16, into c: UnsafeMutablePointer<Float>, stride: Int, rows: Int, columns: Int) {
        for r in 0 ..< rows {
            let row = c + r * stride
            let (lo, hi) = t.row(r)
            if columns == 16 {
                let raw = UnsafeMutableRawPointer(row)
                raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + lo, as: SIMD8<Float>.self)
                raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) + hi, toByteOffset: 32, as: SIMD8<Float>.self)
            } else {
                for j in 0 ..< columns { row[j] += j < 8 ? lo[j] : hi[j - 8] }
            }
        }
    }

    /// Copies the upper triangle of a row-major `n × n` matrix onto its lower triangle.
    public static func mirrorUpperTriangle(_ s: UnsafeMutablePointer<Double>, n: Int) {
        for i in 0 ..< n {
            for j in 0 ..< i { s[i * n + j] = s[j * n + i] }
        }
    }
}
