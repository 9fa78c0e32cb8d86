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
            t.r0a += x0 * ba; t.r0b += x0 * bb
            t.r1a += x1 * ba; t.r1b += x1 * bb
            t.r2a += x2 * ba; t.r2b += x2 * bb
            t.r3a += x3 * ba; t.r3b += x3 * bb
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

    /// Adds the Gram matrix `XᵀX` of a row-major `rows × columns` Float32 matrix to the upper
    /// triangle (`j ≥ i`) of the row-major `columns × columns` Float64 matrix `s`; the strict lower
    /// triangle is not touched (see `mirrorUpperTriangle`).
    ///
    /// Rows are taken in chunks of 512. Each chunk is repacked as 16-column panels (512 × 16 floats
    /// = 32 KiB, an L1-sized block) and, for every group of 4 columns `i`, as the list of rows where
    /// one of its 4 values is non-zero together with those 4 values (sparse data such as images
    /// skips most of the work). A 4 × 16 tile of `s` is then summed in Float registers over the
    /// listed rows, reading the panel from L1, and added to `s` in Float64. Panels are spread over
    /// all cores; each owns its columns of `s`.
    public static func accumulateGram(
        _ x: UnsafePointer<Float>, rows: Int, columns d: Int, into s: UnsafeMutablePointer<Double>
    ) {
        guard rows > 0, d > 0 else { return }
        let chunkRows = 512
        let panels = (d + panelWidth - 1) / panelWidth
        let groups = (d + 3) / 4
        let panelBuffer = UnsafeMutableRawPointer.allocate(byteCount: panels * chunkRows * panelWidth * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: panels * chunkRows * panelWidth)
        let packedA = UnsafeMutableRawPointer.allocate(byteCount: groups * chunkRows * 16, alignment: 64)
            .bindMemory(to: Float.self, capacity: groups * chunkRows * 4)
        let rowIndex = UnsafeMutablePointer<Int32>.allocate(capacity: groups * chunkRows)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: groups)
        defer {
            panelBuffer.deallocate()
            packedA.deallocate()
            rowIndex.deallocate()
            counts.deallocate()
        }
        let pb = SharedPointer(panelBuffer), pa = SharedPointer(packedA), ri = SharedPointer(rowIndex)
        let cnt = SharedPointer(counts), out = SharedPointer(s)
        for r0 in stride(from: 0, to: rows, by: chunkRows) {
            let n = min(chunkRows, rows - r0)
            let chunk = x + r0 * d
            // Panels: panel P holds columns 16P ..< 16P+16 of the chunk's rows (zero padded).
            parallelRowBlocks(panels, minimumBlock: 4) { range in
                for p in range {
                    let dst = pb.base + p * chunkRows * panelWidth
                    let c0 = p * panelWidth, width = min(panelWidth, d - c0)
                    for r in 0 ..< n {
                        let row = dst + r * panelWidth, src = chunk + r * d + c0
                        if width == panelWidth {
                            UnsafeMutableRawPointer(row).storeBytes(
                                of: UnsafeRawPointer(src).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                        } else {
                            for j in 0 ..< panelWidth { row[j] = j < width ? src[j] : 0 }
                        }
                    }
                }
            }
            // Row lists: for column group g, the rows with a non-zero among its 4 columns.
            parallelRowBlocks(groups, minimumBlock: 8) { range in
                for g in range {
                    let i0 = g * 4, width = min(4, d - i0)
                    let list = ri.base + g * chunkRows, values = pa.base + g * chunkRows * 4
                    var count = 0
                    for r in 0 ..< n {
                        let v = chunk + r * d + i0
                        var a = SIMD4<Float>()
                        for t in 0 ..< width { a[t] = v[t] }
                        if a != SIMD4<Float>() {
                            list[count] = Int32(r)
                            UnsafeMutableRawPointer(values + count * 4).storeBytes(of: a, as: SIMD4<Float>.self)
                            count += 1
                        }
                    }
                    cnt.base[g] = count
                }
            }
            // Tiles: panel P against every column group g with 4g < 16P + 16. Light and heavy panels interleave.
            parallelRowBlocks(panels, minimumBlock: 1) { range in
                for item in range {
                    let p = item % 2 == 0 ? item / 2 : panels - 1 - item / 2
                    let panel = UnsafeRawPointer(pb.base + p * chunkRows * panelWidth)
                    let j0 = p * panelWidth
                    for g in 0 ..< min(groups, (j0 + panelWidth + 3) / 4) where cnt.base[g] > 0 {
                        let t = gramTile(panel, UnsafeRawPointer(pa.base + g * chunkRows * 4), ri.base + g * chunkRows, cnt.base[g])
                        let i0 = g * 4
                        for a in 0 ..< min(4, d - i0) {
                            let i = i0 + a
                            let row = out.base + i * d
                            let (lo, hi) = t.row(a)
                            if j0 >= i && j0 + panelWidth <= d {
                                let raw = UnsafeMutableRawPointer(row + j0)
                                raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Double>.self) + SIMD8<Double>(lo), as: SIMD8<Double>.self)
                                raw.storeBytes(
                                    of: raw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Double>.self) + SIMD8<Double>(hi),
                                    toByteOffset: 64, as: SIMD8<Double>.self)
                                continue
                            }
                            for jj in 0 ..< panelWidth {
                                let j = j0 + jj
                                if j >= i && j < d { row[j] += Double(jj < 8 ? lo[jj] : hi[jj - 8]) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `Σ_q a_q ⊗ panel[row_q]` over the listed rows: `a` is 4 packed floats per listed row, the
    /// panel 16 floats per chunk row. Computed as two 4 × 8 halves: 4 SIMD8 accumulators fit the 16
    /// registers of plain x86-64 (SSE) without spilling, and cost little extra with AVX.
    @inline(__always)
    static func gramTile(_ panel: UnsafeRawPointer, _ a: UnsafeRawPointer, _ rows: UnsafePointer<Int32>, _ count: Int) -> Tile4x16 {
        var t = Tile4x16()
        (t.r0a, t.r1a, t.r2a, t.r3a) = gramHalfTile(panel, a, rows, count)
        (t.r0b, t.r1b, t.r2b, t.r3b) = gramHalfTile(panel + 32, a, rows, count)
        return t
    }

    @inline(__always)
    static func gramHalfTile(
        _ panel: UnsafeRawPointer, _ a: UnsafeRawPointer, _ rows: UnsafePointer<Int32>, _ count: Int
    ) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        var r0 = SIMD8<Float>(), r1 = SIMD8<Float>(), r2 = SIMD8<Float>(), r3 = SIMD8<Float>()
        for q in 0 ..< count {
            let b = panel.loadUnaligned(fromByteOffset: Int(rows[q]) &* 64, as: SIMD8<Float>.self)
            let av = a.load(fromByteOffset: q &* 16, as: SIMD4<Float>.self)
            r0 += SIMD8<Float>(repeating: av[0]) * b
            r1 += SIMD8<Float>(repeating: av[1]) * b
            r2 += SIMD8<Float>(repeating: av[2]) * b
            r3 += SIMD8<Float>(repeating: av[3]) * b
        }
        return (r0, r1, r2, r3)
    }

    /// Copies the upper triangle of a row-major `n × n` matrix onto its lower triangle.
    public static func mirrorUpperTriangle(_ s: UnsafeMutablePointer<Double>, n: Int) {
        for i in 0 ..< n {
            for j in 0 ..< i { s[i * n + j] = s[j * n + i] }
        }
    }
}
