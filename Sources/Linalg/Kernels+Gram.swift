extension Kernels {
    /// Columns of `j` per packed Gram panel: a 4 × 32 register tile is 8 `SIMD16` accumulators, which
    /// AVX-512 holds in 8 of its 32 registers (and AVX2 in 16), leaving room for the loads.
    static let gramPanelWidth = 32
    /// Rows per chunk: a chunk's panel (256 × 32 floats = 32 KiB) stays in L1 while the tiles read it.
    static let gramChunkRows = 1024

    /// Adds the Gram matrix `XᵀX` of a row-major `rows × columns` Float32 matrix to the upper
    /// triangle (`j ≥ i`) of the row-major `columns × columns` Float64 matrix `s`; the strict lower
    /// triangle is not touched (see `mirrorUpperTriangle`). With `columnSums`, also adds each
    /// column's sum (in Float64) to it, saving the mean its own pass over the data.
    ///
    /// Rows are taken in chunks. Each chunk is repacked as 32-column panels and, for every group of
    /// 4 columns `i`, as the list of rows where one of its 4 values is non-zero together with those
    /// 4 values (sparse data such as images skips most of the work). A 4 × 32 tile of `s` is summed
    /// in Float registers over the listed rows, reading the panel from L1, and added to `s` in
    /// Float64. Panels are spread over all cores; each owns its columns of `s`.
    public static func accumulateGram(
        _ x: UnsafePointer<Float>, rows: Int, columns d: Int, into s: UnsafeMutablePointer<Double>,
        columnSums: UnsafeMutablePointer<Double>? = nil
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
        let sums = columnSums.map { SharedPointer($0) }
        for r0 in stride(from: 0, to: rows, by: chunkRows) {
            let n = min(chunkRows, rows - r0)
            let chunk = x + r0 * d
            // Both packings in one parallel pass: panels first, then the row lists of the column groups.
            parallelRowBlocks(panels + groups, minimumBlock: 4) { range in
                for item in range {
                    if item < panels {
                        let panel = pb.base + item * chunkRows * width
                        packGramPanel(chunk, rows: n, columns: d, panel: item, into: panel)
                        if let sums { addPanelSums(panel, rows: n, columns: d, panel: item, into: sums.base) }
                    } else {
                        let g = item - panels
                        cnt.base[g] = listNonZeroRows(chunk, rows: n, columns: d, group: g,
                                                      rowList: ri.base + g * chunkRows, values: pa.base + g * chunkRows * 4)
                    }
                }
            }
            // Tiles: panel P against every column group g with 4g < 32P + 32. Light and heavy panels interleave.
            parallelRowBlocks(panels, minimumBlock: 1) { range in
                let tile = UnsafeMutableRawPointer.allocate(byteCount: 4 * width * 8, alignment: 64).bindMemory(to: Double.self, capacity: 4 * width)
                defer { tile.deallocate() }
                for item in range {
                    let p = item % 2 == 0 ? item / 2 : panels - 1 - item / 2
                    let panel = UnsafeRawPointer(pb.base + p * chunkRows * width)
                    let j0 = p * width
                    for g in 0 ..< min(groups, (j0 + width + 3) / 4) where cnt.base[g] > 0 {
                        gramTile(panel, UnsafeRawPointer(pa.base + g * chunkRows * 4), ri.base + g * chunkRows, cnt.base[g], into: tile)
                        addGramTile(tile, rowsFrom: g * 4, columnsFrom: j0, into: out.base, n: d)
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

    /// Adds the column sums of a packed panel (in Float64) to `sums[32p ..< 32p + 32]`.
    private static func addPanelSums(_ panel: UnsafePointer<Float>, rows n: Int, columns d: Int, panel p: Int,
                                     into sums: UnsafeMutablePointer<Double>) {
        var a = SIMD8<Double>(), b = SIMD8<Double>(), c = SIMD8<Double>(), e = SIMD8<Double>()
        let raw = UnsafeRawPointer(panel)
        for r in 0 ..< n {
            let lo = raw.load(fromByteOffset: r &* 128, as: SIMD16<Float>.self)
            let hi = raw.load(fromByteOffset: r &* 128 &+ 64, as: SIMD16<Float>.self)
            a += SIMD8<Double>(lo.lowHalf); b += SIMD8<Double>(lo.highHalf)
            c += SIMD8<Double>(hi.lowHalf); e += SIMD8<Double>(hi.highHalf)
        }
        let c0 = p * gramPanelWidth
        for j in 0 ..< min(gramPanelWidth, d - c0) {
            sums[c0 + j] += j < 8 ? a[j] : j < 16 ? b[j - 8] : j < 24 ? c[j - 16] : e[j - 24]
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

    /// Listed rows a tile sums in Float before moving the sums to Float64: bounds the rounding of
    /// the Float sums (tiles over whole 1024-row chunks moved the explained variance by 2e-6).
    static let gramSegmentRows = 256

    /// `Σ_q a_q ⊗ panel[row_q]` over the listed rows into `tile` (4 × 32 doubles, row-major): `a`
    /// is 4 packed floats per listed row, the panel 32 floats per chunk row. Summed in Float
    /// registers over segments of `gramSegmentRows` rows, each segment added to `tile` in Float64.
    @inline(__always)
    static func gramTile(_ panel: UnsafeRawPointer, _ a: UnsafeRawPointer, _ rows: UnsafePointer<Int32>, _ count: Int,
                         into tile: UnsafeMutablePointer<Double>) {
        tile.initialize(repeating: 0, count: 4 * gramPanelWidth)
        var start = 0
        while start < count {
            let end = min(count, start + gramSegmentRows)
            var l0 = SIMD16<Float>(), l1 = SIMD16<Float>(), l2 = SIMD16<Float>(), l3 = SIMD16<Float>()
            var h0 = SIMD16<Float>(), h1 = SIMD16<Float>(), h2 = SIMD16<Float>(), h3 = SIMD16<Float>()
            for q in start ..< end {
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
            addTileRow(tile, 0, l0, h0)
            addTileRow(tile, 1, l1, h1)
            addTileRow(tile, 2, l2, h2)
            addTileRow(tile, 3, l3, h3)
            start = end
        }
    }

    /// `tile[row] += (lo, hi)` in Float64. Kept out of line: inlined, its conversions led the
    /// compiler to split the tile loop's 512-bit registers into 128-bit pieces (3× slower).
    @inline(never)
    private static func addTileRow(_ tile: UnsafeMutablePointer<Double>, _ row: Int, _ lo: SIMD16<Float>, _ hi: SIMD16<Float>) {
        let raw = UnsafeMutableRawPointer(tile + row * gramPanelWidth)
        func add(_ half: SIMD8<Float>, at offset: Int) {
            raw.storeBytes(of: raw.load(fromByteOffset: offset, as: SIMD8<Double>.self) + SIMD8<Double>(half),
                           toByteOffset: offset, as: SIMD8<Double>.self)
        }
        add(lo.lowHalf, at: 0)
        add(lo.highHalf, at: 64)
        add(hi.lowHalf, at: 128)
        add(hi.highHalf, at: 192)
    }

    /// Adds the upper-triangle part of a 4 × 32 tile (rows `i0…`, columns `j0…`) to `s`.
    @inline(__always)
    private static func addGramTile(_ tile: UnsafePointer<Double>, rowsFrom i0: Int, columnsFrom j0: Int,
                                    into s: UnsafeMutablePointer<Double>, n d: Int) {
        let width = gramPanelWidth
        for a in 0 ..< min(4, d - i0) {
            let i = i0 + a
            let row = s + i * d, sums = tile + a * width
            if j0 >= i && j0 + width <= d {
                let to = UnsafeMutableRawPointer(row + j0), from = UnsafeRawPointer(sums)
                to.storeBytes(of: to.loadUnaligned(as: SIMD16<Double>.self) + from.load(as: SIMD16<Double>.self), as: SIMD16<Double>.self)
                to.storeBytes(of: to.loadUnaligned(fromByteOffset: 128, as: SIMD16<Double>.self)
                                  + from.load(fromByteOffset: 128, as: SIMD16<Double>.self),
                              toByteOffset: 128, as: SIMD16<Double>.self)
                continue
            }
            for jj in 0 ..< width {
                let j = j0 + jj
                if j >= i && j < d { row[j] += sums[jj] }
            }
        }
    }
}
