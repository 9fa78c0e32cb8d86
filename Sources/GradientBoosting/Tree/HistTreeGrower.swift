/// Grows one tree on binned data with gradient histograms: the smaller child of each split is
/// built from its rows, the larger one is the parent minus the smaller (sibling subtraction);
/// rows live in one index array, partitioned in place per node.
final class HistTreeGrower {
    let rows: Int
    let features: Int
    let threads: Int
    let cuts: QuantileCuts
    let rowIndex: UnsafeMutablePointer<UInt32>
    let temp: UnsafeMutablePointer<UInt32>
    let temp2: UnsafeMutablePointer<UInt32>
    var activeRows: Int
    private var histPool: [UnsafeMutablePointer<HistEntry>] = []
    private var freeHists: [Int] = []
    private var scratch: [UnsafeMutablePointer<HistEntry>] = []
    var profile = TrainingProfile()
    var histSize: Int { features * histStride }

    struct Node {
        var id: Int
        var depth: Int
        var start: Int
        var count: Int
        var sumG: Double
        var sumH: Double
        var hist: Int = -1
        var best = SplitCandidate()
        var lower = -Double.infinity
        var upper = Double.infinity
        var path: [Int] = []
        var levelFeatures: [Int] = []
    }

    struct Leaf { var node: Int; var start: Int; var count: Int }

    init(rows: Int, features: Int, cuts: QuantileCuts, threads: Int) {
        self.rows = rows
        self.features = features
        self.cuts = cuts
        self.threads = max(1, threads)
        rowIndex = .allocate(capacity: max(rows, 1))
        temp = .allocate(capacity: max(rows, 1))
        temp2 = .allocate(capacity: max(rows, 1))
        activeRows = rows
        for i in 0..<rows { rowIndex[i] = UInt32(i) }
    }

    deinit {
        rowIndex.deallocate()
        temp.deallocate()
        temp2.deallocate()
        for h in histPool { h.deallocate() }
        for h in scratch { h.deallocate() }
    }

    /// All rows, or those with `keep[i]`.
    func resetRows(keep: [Bool]?) {
        var n = 0
        if let keep {
            for i in 0..<rows where keep[i] { rowIndex[n] = UInt32(i); n += 1 }
        } else {
            for i in 0..<rows { rowIndex[i] = UInt32(i) }
            n = rows
        }
        activeRows = n
    }

    private func allocHist() -> Int {
        if let i = freeHists.popLast() { return i }
        histPool.append(.allocate(capacity: histSize))
        return histPool.count - 1
    }
    private func releaseHist(_ i: Int) { if i >= 0 { freeHists.append(i) } }

    // MARK: growth

    func grow(bins: UnsafePointer<UInt8>, columns: UnsafePointer<UInt8>, gpair: UnsafePointer<SIMD2<Float>>, params: TreeParameters,
              rng: inout SplitMix64) -> (RegressionTree, [Leaf]) {
        var tree = RegressionTree()
        let n = activeRows
        // root totals
        let blocks = max(1, min(64, n / 16384))
        var partial = [SIMD2<Double>](repeating: .zero, count: blocks)
        partial.withUnsafeMutableBufferPointer { pb in
            let pp = SendablePointer(pb.baseAddress!)
            let ri = SendablePointer(rowIndex)
            parallelFor(blocks, threads: threads) { b in
                var s = SIMD2<Double>.zero
                for k in (n * b / blocks)..<(n * (b + 1) / blocks) {
                    let g = gpair[Int(ri.p[k])]
                    s += SIMD2<Double>(Double(g.x), Double(g.y))
                }
                pp.p[b] = s
            }
        }
        let tot = partial.reduce(SIMD2<Double>.zero, +)
        let rootW = params.weight(tot.x, tot.y)
        tree.addNode(parent: -1, weight: Float(rootW), leafValue: Float(params.eta * rootW), hessian: Float(tot.y))

        // feature sampling
        let allFeatures = Array(0..<features)
        let treeFeatures = sampleFeatures(allFeatures, rate: params.colsampleByTree, rng: &rng)
        var levelFeatures: [Int: [Int]] = [:]
        func featuresForLevel(_ d: Int) -> [Int] {
            if let f = levelFeatures[d] { return f }
            let f = sampleFeatures(treeFeatures, rate: params.colsampleByLevel, rng: &rng)
            levelFeatures[d] = f
            return f
        }

        var root = Node(id: 0, depth: 0, start: 0, count: n, sumG: tot.x, sumH: tot.y)
        root.levelFeatures = featuresForLevel(0)
        var leaves: [Leaf] = []
        var numLeaves = 1
        let maxDepth = params.maxDepth == 0 ? Int.max : params.maxDepth

        func canSplitDepth(_ d: Int) -> Bool { d < maxDepth }
        if n == 0 || !canSplitDepth(0) {
            return (tree, n == 0 ? [] : [Leaf(node: 0, start: 0, count: n)])
        }
        root.hist = allocHist()
        var first = [root]
        buildHistograms(&first, bins: bins, gpair: gpair)
        evaluate(&first, params: params, rng: &rng)
        root = first[0]

        func splittable(_ node: Node) -> Bool {
            node.best.isValid && node.best.lossChange > 1e-6 && node.best.lossChange >= params.gamma
                && canSplitDepth(node.depth)
        }

        if params.growPolicy == .depthwise {
            var frontier = [root]
            while !frontier.isEmpty {
                var toSplit: [Node] = []
                for node in frontier {
                    if splittable(node) && (params.maxLeaves == 0 || numLeaves + toSplit.count < params.maxLeaves) {
                        toSplit.append(node)
                    } else {
                        releaseHist(node.hist)
                        leaves.append(Leaf(node: node.id, start: node.start, count: node.count))
                    }
                }
                numLeaves += toSplit.count
                if toSplit.isEmpty { break }
                var children = expand(toSplit, tree: &tree, bins: bins, columns: columns, gpair: gpair, params: params,
                                      levelFeatures: featuresForLevel(toSplit[0].depth + 1), rng: &rng)
                var next: [Node] = []
                for i in 0..<children.count {
                    if children[i].hist >= 0 { next.append(children[i]) } else {
                        leaves.append(Leaf(node: children[i].id, start: children[i].start, count: children[i].count))
                    }
                }
                children.removeAll()
                frontier = next
            }
        } else {
            // lossguide: best loss change first (ties: older node first)
            var queue: [Node] = [root]
            while !queue.isEmpty {
                var bi = 0
                for i in 1..<queue.count where queue[i].best.lossChange > queue[bi].best.lossChange { bi = i }
                let node = queue.remove(at: bi)
                if !splittable(node) || (params.maxLeaves > 0 && numLeaves >= params.maxLeaves) {
                    releaseHist(node.hist)
                    leaves.append(Leaf(node: node.id, start: node.start, count: node.count))
                    continue
                }
                numLeaves += 1
                let children = expand([node], tree: &tree, bins: bins, columns: columns, gpair: gpair, params: params,
                                      levelFeatures: featuresForLevel(node.depth + 1), rng: &rng)
                for c in children {
                    if c.hist >= 0 { queue.append(c) } else { leaves.append(Leaf(node: c.id, start: c.start, count: c.count)) }
                }
            }
        }
        return (tree, leaves)
    }

    private func sampleFeatures(_ from: [Int], rate: Double, rng: inout SplitMix64) -> [Int] {
        if rate >= 1 || from.count <= 1 { return from }
        let k = max(1, Int((Double(from.count) * rate).rounded(.down)))
        var a = from
        for i in 0..<k {
            let j = i + Int(rng.next() % UInt64(a.count - i))
            a.swapAt(i, j)
        }
        return Array(a[0..<k]).sorted()
    }

    /// Splits `nodes` (whose best split is set), partitions their rows, and returns the children,
    /// with histograms and best splits for those that may split further.
    private func expand(_ nodes: [Node], tree: inout RegressionTree, bins: UnsafePointer<UInt8>, columns: UnsafePointer<UInt8>,
                        gpair: UnsafePointer<SIMD2<Float>>, params: TreeParameters, levelFeatures: [Int],
                        rng: inout SplitMix64) -> [Node] {
        // partition rows of every node in parallel, big nodes in chunks:
        // phase 1 splits each chunk into lefts (temp) and rights (temp2), phase 2 copies them back in order
        var t0 = monotonicSeconds()
        let R = rows
        let hasMissing = cuts.hasMissing
        struct PartTask { var node: Int; var start: Int; var count: Int; var nl = 0; var leftOffset = 0; var rightOffset = 0 }
        var ptasks: [PartTask] = []
        var firstTask: [Int] = []
        let partChunk = 65536
        for (i, node) in nodes.enumerated() {
            firstTask.append(ptasks.count)
            let chunks = max(1, min(threads * 4, node.count / partChunk))
            for c in 0..<chunks {
                let s0 = node.start + node.count * c / chunks
                let s1 = node.start + node.count * (c + 1) / chunks
                ptasks.append(PartTask(node: i, start: s0, count: s1 - s0))
            }
        }
        firstTask.append(ptasks.count)
        ptasks.withUnsafeMutableBufferPointer { tb in
            let tp = SendablePointer(tb.baseAddress!)
            let ri = SendablePointer(rowIndex)
            let lt = SendablePointer(temp)
            let rt = SendablePointer(temp2)
            parallelFor(tb.count, threads: threads) { t in
                let task = tp.p[t]
                let best = nodes[task.node].best
                let f = best.feature
                let splitBin = UInt8(truncatingIfNeeded: best.bin)
                let dl = best.defaultLeft
                let checkMissing = hasMissing[f]
                let src = ri.p + task.start
                let lefts = lt.p + task.start
                let rights = rt.p + task.start
                var nl = 0
                var nr = 0
                let col = columns + f * R
                for k in 0..<task.count {
                    let r = src[k]
                    let b = col[Int(r)]
                    let goLeft = (checkMissing && b == QuantileCuts.missingBin) ? dl : b <= splitBin
                    lefts[nl] = r
                    rights[nr] = r
                    nl &+= goLeft ? 1 : 0
                    nr &+= goLeft ? 0 : 1
                }
                tp.p[t].nl = nl
            }
        }
        var leftCounts = [Int](repeating: 0, count: nodes.count)
        for i in 0..<nodes.count {
            var total = 0
            for t in firstTask[i]..<firstTask[i + 1] { ptasks[t].leftOffset = total; total += ptasks[t].nl }
            var r = total
            for t in firstTask[i]..<firstTask[i + 1] { ptasks[t].rightOffset = r; r += ptasks[t].count - ptasks[t].nl }
            leftCounts[i] = total
        }
        let finalTasks = ptasks
        do {
            let ri = SendablePointer(rowIndex)
            let lt = SendablePointer(temp)
            let rt = SendablePointer(temp2)
            parallelFor(finalTasks.count, threads: threads) { t in
                let task = finalTasks[t]
                let base = ri.p + nodes[task.node].start
                (base + task.leftOffset).update(from: lt.p + task.start, count: task.nl)
                (base + task.rightOffset).update(from: rt.p + task.start, count: task.count - task.nl)
            }
        }
        var t1 = monotonicSeconds()
        profile.partition += t1 - t0

        let maxDepth = params.maxDepth == 0 ? Int.max : params.maxDepth
        var children: [Node] = []
        children.reserveCapacity(nodes.count * 2)
        let constrained = !params.monotoneConstraints.isEmpty
        for (i, node) in nodes.enumerated() {
            let s = node.best
            let wl = constrained ? s.leftWeight : params.weight(s.leftG, s.leftH)
            let wr = constrained ? s.rightWeight : params.weight(s.rightG, s.rightH)
            let l = tree.addNode(parent: node.id, weight: Float(wl), leafValue: Float(params.eta * wl), hessian: Float(s.leftH))
            let r = tree.addNode(parent: node.id, weight: Float(wr), leafValue: Float(params.eta * wr), hessian: Float(s.rightH))
            tree.left[node.id] = Int32(l)
            tree.right[node.id] = Int32(r)
            tree.splitFeature[node.id] = Int32(s.feature)
            tree.splitCondition[node.id] = s.condition
            tree.splitBin[node.id] = Int32(s.bin)
            tree.defaultLeft[node.id] = s.defaultLeft
            tree.lossChange[node.id] = Float(s.lossChange)
            let nl = leftCounts[i]
            var cl = Node(id: l, depth: node.depth + 1, start: node.start, count: nl, sumG: s.leftG, sumH: s.leftH)
            var cr = Node(id: r, depth: node.depth + 1, start: node.start + nl, count: node.count - nl,
                          sumG: s.rightG, sumH: s.rightH)
            cl.lower = node.lower; cl.upper = node.upper; cr.lower = node.lower; cr.upper = node.upper
            let mono = s.feature < params.monotoneConstraints.count ? params.monotoneConstraints[s.feature] : 0
            if mono != 0 {
                let mid = (wl + wr) / 2
                if mono > 0 { cl.upper = mid; cr.lower = mid } else { cl.lower = mid; cr.upper = mid }
            }
            if !params.interactionConstraints.isEmpty {
                let p = node.path.contains(s.feature) ? node.path : node.path + [s.feature]
                cl.path = p; cr.path = p
            }
            cl.levelFeatures = levelFeatures; cr.levelFeatures = levelFeatures
            children.append(cl)
            children.append(cr)
        }
        // which parents have children that may split further: those children need histograms
        var build: [Int] = []       // indices into children
        var subtract: [(child: Int, parent: Int, sibling: Int)] = []
        for (i, node) in nodes.enumerated() {
            let li = 2 * i, rIdx = 2 * i + 1
            if node.depth + 1 >= maxDepth {
                releaseHist(node.hist)
                continue
            }
            let small = children[li].count <= children[rIdx].count ? li : rIdx
            let large = small == li ? rIdx : li
            children[small].hist = allocHist()
            build.append(small)
            // the larger child reuses the parent's buffer: parent - small
            children[large].hist = node.hist
            subtract.append((large, node.hist, small))
        }
        t0 = monotonicSeconds()
        if !build.isEmpty {
            var toBuild = build.map { children[$0] }
            buildHistograms(&toBuild, bins: bins, gpair: gpair)
            t0 = monotonicSeconds()
            let hs = histSize
            let pool = histPool.map { SendablePointer($0) }
            parallelFor(subtract.count, threads: threads) { k in
                let (c, p, sib) = subtract[k]
                let dst = pool[children[c].hist].p
                let src = pool[p].p
                let sub = pool[children[sib].hist].p
                // dst aliases src: in place
                for j in 0..<hs { dst[j] = src[j] - sub[j] }
            }
        }
        t1 = monotonicSeconds()
        profile.subtraction += t1 - t0
        var withHist = children.indices.filter { children[$0].hist >= 0 }
        if !withHist.isEmpty {
            var sub = withHist.map { children[$0] }
            evaluate(&sub, params: params, rng: &rng)
            for (k, ci) in withHist.enumerated() { children[ci] = sub[k] }
        }
        withHist.removeAll()
        return children
    }

    /// Builds the histograms of `nodes` (each has `hist` allocated) from their rows.
    private func buildHistograms(_ nodes: inout [Node], bins: UnsafePointer<UInt8>, gpair: UnsafePointer<SIMD2<Float>>) {
        let t0 = monotonicSeconds()
        struct Task { var node: Int; var start: Int; var count: Int; var dst: Int }  // dst: -1 = node hist
        var tasks: [Task] = []
        var multi: [(node: Int, first: Int, chunks: Int)] = []
        let minChunk = 16384
        var scratchUsed = 0
        for (i, node) in nodes.enumerated() {
            let chunks = min(threads * 4, max(1, node.count / minChunk))
            if chunks <= 1 {
                tasks.append(Task(node: i, start: node.start, count: node.count, dst: -1))
            } else {
                multi.append((i, scratchUsed, chunks))
                for c in 0..<chunks {
                    let s = node.start + node.count * c / chunks
                    let e = node.start + node.count * (c + 1) / chunks
                    tasks.append(Task(node: i, start: s, count: e - s, dst: scratchUsed))
                    scratchUsed += 1
                }
            }
        }
        while scratch.count < scratchUsed { scratch.append(.allocate(capacity: histSize)) }
        // big tasks first for balance
        tasks.sort { $0.count > $1.count }
        let hs = histSize
        let F = features
        let pool = histPool.map { SendablePointer($0) }
        let scr = scratch.map { SendablePointer($0) }
        let nodeHist = nodes.map { $0.hist }
        let ri = SendablePointer(rowIndex)
        parallelFor(tasks.count, threads: threads) { t in
            let task = tasks[t]
            let dst = task.dst < 0 ? pool[nodeHist[task.node]].p : scr[task.dst].p
            dst.initialize(repeating: .zero, count: hs)
            accumulateHistogram(hist: dst, bins: bins, features: F, rows: ri.p + task.start, count: task.count, gpair: gpair)
        }
        if !multi.isEmpty {
            // reduce chunk histograms, split over feature ranges
            let parts = 4
            parallelFor(multi.count * parts, threads: threads) { k in
                let (node, first, chunks) = multi[k / parts]
                let p = k % parts
                let lo = hs * p / parts, hi = hs * (p + 1) / parts
                let dst = pool[nodeHist[node]].p
                let s0 = scr[first].p
                for j in lo..<hi { dst[j] = s0[j] }
                for c in 1..<chunks {
                    let s = scr[first + c].p
                    for j in lo..<hi { dst[j] += s[j] }
                }
            }
        }
        profile.histograms += monotonicSeconds() - t0
    }

    private func evaluate(_ nodes: inout [Node], params: TreeParameters, rng: inout SplitMix64) {
        let t0 = monotonicSeconds()
        var featureLists: [[Int]] = []
        for node in nodes {
            var fs = node.levelFeatures
            if !params.interactionConstraints.isEmpty && !node.path.isEmpty {
                // features on the path may always split again; others only from sets holding the whole path
                var allowed = Set<Int>(node.path)
                for g in params.interactionConstraints where node.path.allSatisfy({ g.contains($0) }) { allowed.formUnion(g) }
                fs = fs.filter { allowed.contains($0) }
            }
            if params.colsampleByNode < 1 { fs = sampleFeatures(fs, rate: params.colsampleByNode, rng: &rng) }
            featureLists.append(fs)
        }
        let pool = histPool.map { SendablePointer($0) }
        let cuts = self.cuts
        nodes.withUnsafeMutableBufferPointer { nb in
            let np = SendablePointer(nb.baseAddress!)
            parallelFor(nb.count, threads: threads) { i in
                let node = np.p[i]
                np.p[i].best = SplitEvaluator.best(hist: pool[node.hist].p, sumG: node.sumG, sumH: node.sumH, cuts: cuts,
                                                   features: featureLists[i], params: params,
                                                   lower: node.lower, upper: node.upper)
            }
        }
        profile.splitFinding += monotonicSeconds() - t0
    }
}

/// Small deterministic PRNG (SplitMix64) for sampling.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
