extension Kernels {
    /// Columns of `j` per packed Gram panel: a 4 × 32 register tile is 8 `SIMD16` accumulators, which
    /// AVX-512 holds in 8 of its 32 registers (and AVX2 in 16), leaving room for the loads.
    static let gramPanelWidth = 32
    /// Rows per chunk: a chunk's panel (256 × 32 floats = 32 KiB) stays in L1 while the tiles read it.
    static let gramChunkRows = 256

    /// Adds the Gram matrix `XᵀX` of a row-major `rows × columns` Float32 matrix to the upper
    /// triangle (`j ≥ i`) of the row-major `columns × columns` Float64 matrix `s`; the strict lower
    /// triangle is not touched (see `mirrorUpperTriangle`).
    ///
    /// Rows are taken in chunks. Each chunk is repacked as 32-column panels and, for every group of
    /// 4 columns `i`, as the list of rows where one of its 4 values is non-zero together with those
    /// 4 values (sparse data such as images skips most of the work). A 4 × 32 tile of `s` is summed
    /// in Float registers over the listed rows, reading the panel from L1, and added to `s` in
    /// Float64. Panels are spread over all cores; each owns its columns of `s`.
    public static func accumulateGram(
        _ x: UnsafePointer<Float>, rows: Int, columns d: Int, into s: UnsafeMutablePointer<Double>
    ) {
        guard rows > 0, d > 0 else { return }
        let chunkRows = gramChunkRows, width = gramPanelWidth
        let panels = (d + width - 1) / width
        let groups = (d + 3) / 4
        let panelBuffer = UnsafeMutableRawPointer.allocate(byteCount: panels * chunkRows * width * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: panels * chunkRows * width)
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
            // Both packings in one parallel pass: panels first, then the row lists of the column groups.
            parallelRowBlocks(panels + groups, minimumBlock: 4) { range in
                for item in range {
                    if item < panels {
                        packGramPanel(chunk, rows: n, columns: d, panel: item, into: pb.base + item * chunkRows * width)
                    } else {
                        let g = item - panels
                        cnt.base[g] = listNonZeroRows(chunk, rows: n, columns: d, group: g,
                                                      rowList: ri.base + g * chunkRows, values: pa.base + g * chunkRows * 4)
                    }
                }
            }
            // Tiles: panel P against every column group g with 4g < 32P + 32. Light and heavy panels interleave.
            parallelRowBlocks(panels, minimumBlock: 1) { range in
                for item in range {
                    let p = item % 2 == 0 ? item / 2 : panels - 1 - item / 2
                    let panel = UnsafeRawPointer(pb.base + p * chunkRows * width)
                    let j0 = p * width
                    for g in 0 ..< min(groups, (j0 + width + 3) / 4) where cnt.base[g] > 0 {
                        let t = gramTile(panel, UnsafeRawPointer(pa.base + g * chunkRows * 4), ri.base + g * chunkRows, cnt.base[g])
                        addGramTile(t, rowsFrom: g * 4, columnsFrom: j0, into: out.base, n: d)
                    }
                }
            }
        }
    }

    /// Panel `p` of a chunk: columns `32p ..< 32p + 32` of each row, zero padded past `columns`.
    private static func packGramPanel(_ chunk: UnsafePointer<Float>, rows n: Int, columns d: Int, panel p: Int,
                                      into dst: UnsafeMutablePointer<Float>) {
        let width = gramPanelWidth
        let c0 = p * width, present = min(width, d - c0)
        for r in 0 ..< n {
            let row = dst + r * width, src = chunk + r * d + c0
            if present == width {
                let raw = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(row)
                to.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                to.storeBytes(of: raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), toByteOffset: 64, as: SIMD16<Float>.self)
            } else {
                for j in 0 ..< width { row[j] = j < present ? src[j] : 0 }
            }
        }
    }

    /// The rows of a chunk with a non-zero among columns `4g ..< 4g + 4`, and those 4 values; returns how many.
    private static func listNonZeroRows(_ chunk: UnsafePointer<Float>, rows n: Int, columns d: Int, group g: Int,
                                        rowList: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>) -> Int {
        let i0 = g * 4, present = min(4, d - i0)
        var count = 0
        for r in 0 ..< n {
            let v = chunk + r * d + i0
            var a = SIMD4<Float>()
            for t in 0 ..< present { a[t] = v[t] }
            if a != SIMD4<Float>() {
                rowList[count] = Int32(r)
                UnsafeMutableRawPointer(values + count * 4).storeBytes(of: a, as: SIMD4<Float>.self)
                count += 1
            }
        }
        return count
    }

    /// A 4 × 32 block of Float sums: row `a` is `(lo[a], hi[a])`.
    struct GramTile {
        var lo: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
        var hi: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
        func row(_ a: Int) -> (SIMD16<Float>, SIMD16<Float>) {
            switch a {
            case 0: return (lo.0, hi.0)
            case 1: return (lo.1, hi.1)
            case 2: return (lo.2, hi.2)
            default: return (lo.3, hi.3)
            }
        }
    }

    /// `Σ_q a_q ⊗ panel[row_q]` over the listed rows: `a` is 4 packed floats per listed row, the
    /// panel 32 floats per chunk row.
    @inline(__always)
    static func gramTile(_ panel: UnsafeRawPointer, _ a: UnsafeRawPointer, _ rows: UnsafePointer<Int32>, _ count: Int) -> GramTile {
        var l0 = SIMD16<Float>(), l1 = SIMD16<Float>(), l2 = SIMD16<Float>(), l3 = SIMD16<Float>()
        var h0 = SIMD16<Float>(), h1 = SIMD16<Float>(), h2 = SIMD16<Float>(), h3 = SIMD16<Float>()
        for q in 0 ..< count {
            let offset = Int(rows[q]) &* 128
            let bl = panel.load(fromByteOffset: offset, as: SIMD16<Float>.self)
            let bh = panel.load(fromByteOffset: offset &+ 64, as: SIMD16<Float>.self)
            let av = a.load(fromByteOffset: q &* 16, as: SIMD4<Float>.self)
            let x0 = SIMD16<Float>(repeating: av[0]), x1 = SIMD16<Float>(repeating: av[1])
            let x2 = SIMD16<Float>(repeating: av[2]), x3 = SIMD16<Float>(repeating: av[3])
            l0 = multiplyAdd(l0, x0, bl); h0 = multiplyAdd(h0, x0, bh)
            l1 = multiplyAdd(l1, x1, bl); h1 = multiplyAdd(h1, x1, bh)
            l2 = multiplyAdd(l2, x2, bl); h2 = multiplyAdd(h2, x2, bh)
            l3 = multiplyAdd(l3, x3, bl); h3 = multiplyAdd(h3, x3, bh)
        }
        return GramTile(lo: (l0, l1, l2, l3), hi: (h0, h1, h2, h3))
    }

    /// Adds the upper-triangle part of a 4 × 32 tile (rows `i0…`, columns `j0…`) to `s` in Float64.
    @inline(__always)
    private static func addGramTile(_ t: GramTile, rowsFrom i0: Int, columnsFrom j0: Int, into s: UnsafeMutablePointer<Double>, n d: Int) {
        let width = gramPanelWidth
        for a in 0 ..< min(4, d - i0) {
            let i = i0 + a
            let row = s + i * d
            let (lo, hi) = t.row(a)
            if j0 >= i && j0 + width <= d {
                let raw = UnsafeMutableRawPointer(row + j0)
                raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Double>.self) + SIMD16<Double>(lo), as: SIMD16<Double>.self)
                raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 128, as: SIMD16<Double>.self) + SIMD16<Double>(hi),
                               toByteOffset: 128, as: SIMD16<Double>.self)
                continue
            }
            for jj in 0 ..< width {
                let j = j0 + jj
                if j >= i && j < d { row[j] += Double(jj < 16 ? lo[jj] : hi[jj - 16]) }
            }
        }
    }
}
