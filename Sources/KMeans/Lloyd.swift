import Linalg

/// The pieces of Lloyd's algorithm shared by the streaming pass, the shrink and the refinement.
enum Lloyd {
    /// Per-cluster sums of rows (`k × d`, Float64) and row counts for the given assignments.
    /// Rows are summed in Float per parallel block, blocks are combined in Float64.
    static func clusterSums(
        _ x: UnsafePointer<Float>, rows n: Int, d: Int, assignments: UnsafePointer<Int32>, k: Int
    ) -> (sums: [Double], counts: [Double]) {
        let blocks = max(1, min(Kernels.workerCount * 2, n / 2048))
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: blocks * k * d)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: blocks * k * d)
        var partialCounts = [Int](repeating: 0, count: blocks * k)
        let shared = Kernels.SharedPointer(partial)
        partialCounts.withUnsafeMutableBufferPointer { pc in
            let counts = Kernels.SharedPointer(pc.baseAddress!)
            Kernels.parallelRowBlocks(blocks) { range in
                for b in range {
                    let sums = shared.base + b * k * d
                    for r in n * b / blocks ..< n * (b + 1) / blocks {
                        let a = Int(assignments[r])
                        Kernels.axpy(1, x + r * d, sums + a * d, count: d)
                        counts.base[b * k + a] += 1
                    }
                }
            }
        }
        var sums = [Double](repeating: 0, count: k * d), counts = [Double](repeating: 0, count: k)
        for b in 0 ..< blocks {
            for i in 0 ..< k * d { sums[i] += Double(partial[b * k * d + i]) }
            for j in 0 ..< k { counts[j] += Double(partialCounts[b * k + j]) }
        }
        return (sums, counts)
    }

    /// Closest centre and squared distance for `n` rows starting at `x` (norms precomputed). With
    /// `sparse` (the CSR copy of the whole data set) and `firstRow` (the index of `x`'s first row in
    /// it), the sparse kernel is used.
    static func assign(
        _ x: UnsafePointer<Float>, norms: UnsafePointer<Float>, rows n: Int, d: Int, centers: [Float], k: Int,
        assignments: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Float>,
        sparse: SparseRows? = nil, firstRow: Int = 0
    ) {
        let centerNorms = centers.withUnsafeBufferPointer { pc in
            var out = [Float](repeating: 0, count: k)
            out.withUnsafeMutableBufferPointer { Kernels.rowSquaredNorms(pc.baseAddress!, rows: k, columns: d, into: $0.baseAddress!) }
            return out
        }
        if let s = sparse {
            let ct = centers.withUnsafeBufferPointer { Kernels.transposedCenters($0.baseAddress!, count: k, columns: d) }
            s.rowStarts.withUnsafeBufferPointer { rs in
                s.columnIndices.withUnsafeBufferPointer { ci in
                    s.values.withUnsafeBufferPointer { vs in
                        Kernels.nearestCenters(
                            rowStarts: rs.baseAddress! + firstRow, columnIndices: ci.baseAddress!, values: vs.baseAddress!,
                            rows: n, rowNorms: norms, centersTransposed: ct, count: k, centerNorms: centerNorms,
                            assignments: assignments, squaredDistances: distances)
                    }
                }
            }
            return
        }
        centers.withUnsafeBufferPointer { pc in
            Kernels.nearestCenters(
                x, rows: n, columns: d, rowNorms: norms, centers: pc.baseAddress!, count: k, centerNorms: centerNorms,
                assignments: assignments, squaredDistances: distances)
        }
    }

    /// Weighted Lloyd on a small point set (the streaming centres): one run from `initial` centres.
    /// Returns the centres and the weighted mean squared distance to them.
    static func weightedRun(
        points: [Float], weights: [Double], d: Int, initial: [Float], k: Int, maxIterations: Int, tolerance: Double
    ) -> (centers: [Float], loss: Double) {
        let n = weights.count
        let totalWeight = max(weights.reduce(0, +), .leastNonzeroMagnitude)
        var centers = initial
        var asg = [Int32](repeating: 0, count: n), dist = [Float](repeating: 0, count: n)
        let norms = Kernels.rowSquaredNorms(Matrix(rows: n, columns: d, values: points))
        var previous = Double.infinity, loss = Double.infinity
        var iteration = 0
        while true {
            points.withUnsafeBufferPointer { px in
                norms.withUnsafeBufferPointer { pn in
                    asg.withUnsafeMutableBufferPointer { pa in
                        dist.withUnsafeMutableBufferPointer { pd in
                            assign(px.baseAddress!, norms: pn.baseAddress!, rows: n, d: d, centers: centers, k: k,
                                   assignments: pa.baseAddress!, distances: pd.baseAddress!)
                        }
                    }
                }
            }
            loss = 0
            for i in 0 ..< n { loss += weights[i] * Double(dist[i]) }
            loss /= totalWeight
            if iteration >= maxIterations || (previous.isFinite && previous - loss <= tolerance * previous) { break }
            previous = loss
            var sums = [Double](repeating: 0, count: k * d), mass = [Double](repeating: 0, count: k)
            for i in 0 ..< n where weights[i] > 0 {
                let a = Int(asg[i])
                mass[a] += weights[i]
                for t in 0 ..< d { sums[a * d + t] += weights[i] * Double(points[i * d + t]) }
            }
            for j in 0 ..< k where mass[j] > 0 {
                for t in 0 ..< d { centers[j * d + t] = Float(sums[j * d + t] / mass[j]) }
            }
            iteration += 1
        }
        return (centers, loss)
    }
}
