import Foundation

/// Boosting rounds as SageMaker's XGBoost runs them: per round, gradients from the current margins,
/// one tree per output group (× num_parallel_tree), then the eval line for train (and validation).
public struct Trainer {
    public struct EvalSet {
        public var name: String
        public var data: LabeledData
        public init(name: String, data: LabeledData) {
            self.name = name
            self.data = data
        }
    }

    public struct Result: Sendable {
        public var booster: Booster
        public var log: [String]
        public var bestIteration: Int?
        public var profile: TrainingProfile
        public var binningSeconds: Double
    }

    /// Continuing an earlier run (SageMaker's checkpoints): the model so far with its margins on the
    /// training rows, and a call after every round with the model as it stands (gbtree only).
    public struct Continuation {
        public var booster: Booster?
        public var trainMargins: [Float]
        public var afterRound: ((Int, Booster) -> Void)?
        public init(booster: Booster? = nil, trainMargins: [Float] = [], afterRound: ((Int, Booster) -> Void)? = nil) {
            (self.booster, self.trainMargins, self.afterRound) = (booster, trainMargins, afterRound)
        }

        /// The rounds `booster` already holds.
        public static func rounds(of booster: Booster, params: Hyperparameters) -> Int {
            booster.trees.count / max(1, booster.objective.outputGroups * params.numParallelTree)
        }
    }

    public enum TrainingError: Error, CustomStringConvertible {
        case invalidData(String)
        public var description: String { switch self { case .invalidData(let m): return m } }
    }

    /// Quantised training data: what training needs once the float matrix is gone.
    public struct Prepared: Sendable {
        public var binned: BinnedMatrix
        public var labels: [Float]
        public var weights: [Float]?
        /// Query groups (ranking), XGBoost's group pointer.
        public var groups: [Int]?
        public var numFeature: Int
        public var binningSeconds: Double
    }

    /// Sketches cuts and bins the training matrix (the caller may drop its float copy afterwards).
    public static func prepare(params: Hyperparameters, train: LabeledData) -> Prepared {
        let t0 = monotonicSeconds()
        let cuts = QuantileCuts.build(matrix: train.features, weights: train.weights, maxBins: params.maxBin, threads: params.nthread)
        let binned = BinnedMatrix(matrix: train.features, cuts: cuts, threads: params.nthread)
        return Prepared(binned: binned, labels: train.labels, weights: train.weights, groups: train.groups, numFeature: train.features.cols,
                        binningSeconds: monotonicSeconds() - t0)
    }

    /// Trains on `train`; `validation` gets eval lines and drives early stopping.
    /// With `continuing` (gbtree only), training goes on from its model to `num_round` rounds in all.
    public static func train(params: Hyperparameters, train: LabeledData, validation: LabeledData? = nil,
                             continuing: Continuation = Continuation(), logLine: (String) -> Void = { _ in }) throws -> Result {
        if params.booster == "gblinear" {
            try check(params: params, labels: train.labels, weights: train.weights, validation: validation)
            return LinearTrainer.train(params: params, objective: objective(params), train: train, validation: validation, logLine: logLine)
        }
        var continuing = continuing
        if let b = continuing.booster, continuing.trainMargins.isEmpty {
            continuing.trainMargins = b.predictMargins(train.features, threads: params.nthread)
        }
        return try self.train(params: params, prepared: prepare(params: params, train: train), validation: validation,
                              continuing: continuing, logLine: logLine)
    }

    static func objective(_ params: Hyperparameters) -> Objective {
        var obj = Objective(kind: params.objective, numClass: params.numClass)
        obj.scalePosWeight = Float(params.scalePosWeight)
        obj.tweedieVariancePower = params.tweedieVariancePower
        if params.objective == .poisson { obj.poissonMaxDeltaStep = params.tree.maxDeltaStep }
        obj.ranking.seed = params.seed
        return obj
    }

    static func check(params: Hyperparameters, labels: [Float], weights: [Float]?, validation: LabeledData?) throws {
        let obj = objective(params)
        if let e = obj.validate(labels: labels) { throw TrainingError.invalidData(e) }
        if let v = validation, let e = obj.validate(labels: v.labels) { throw TrainingError.invalidData("validation: " + e) }
        if let w = weights, w.contains(where: { !($0 >= 0) }) { throw TrainingError.invalidData("weights must be nonnegative") }
    }

    static func check(groups: [Int]?, rows: Int, name: String) throws {
        guard let g = groups else { return }
        if g.first != 0 || g.last != rows || zip(g, g.dropFirst()).contains(where: { $0 > $1 }) {
            throw TrainingError.invalidData("\(name): query groups do not cover the \(rows) rows in order")
        }
    }

    /// Trains on prepared (binned) data.
    public static func train(params: Hyperparameters, prepared: Prepared, validation: LabeledData? = nil,
                             continuing: Continuation = Continuation(), logLine: (String) -> Void = { _ in }) throws -> Result {
        try check(params: params, labels: prepared.labels, weights: prepared.weights, validation: validation)
        try check(groups: prepared.groups, rows: prepared.labels.count, name: "train")
        if let v = validation { try check(groups: v.groups, rows: v.labels.count, name: "validation") }
        let obj = objective(params)
        let nf = max(prepared.numFeature, validation?.features.cols ?? 0)
        return try trainBinned(params: params, objective: obj, binned: prepared.binned, labels: prepared.labels,
                               weights: prepared.weights, groups: prepared.groups, numFeature: nf, validation: validation,
                               binningSeconds: prepared.binningSeconds, continuing: continuing, logLine: logLine,
                               n: prepared.binned.rows, K: obj.outputGroups)
    }

    static func trainBinned(params: Hyperparameters, objective obj: Objective, binned: BinnedMatrix, labels: [Float],
                            weights: [Float]?, groups: [Int]? = nil, numFeature nf: Int, validation: LabeledData?, binningSeconds: Double,
                            continuing: Continuation = Continuation(), logLine: (String) -> Void, n: Int, K: Int) throws -> Result {
        let threads = params.nthread
        var booster = Booster(objective: obj, baseScore: params.baseScore ?? 0.5, numFeature: nf)
        booster.numParallelTree = params.numParallelTree
        var firstRound = 0
        if let earlier = continuing.booster {
            precondition(params.booster == "gbtree" && continuing.trainMargins.count == n * K, "Trainer: continuing needs gbtree and its margins")
            booster = earlier
            booster.numFeature = max(booster.numFeature, nf)
            firstRound = Continuation.rounds(of: earlier, params: params)
        }
        let isDart = params.booster == "dart"
        if isDart { booster.kind = .dart }
        // Margins start at the base score, or at the continued model's predictions.
        let base = booster.baseMargins()
        func startingMargins(rows: Int) -> [Float] { (0..<rows * K).map { base[$0 % K] } }
        var margins = continuing.booster != nil ? continuing.trainMargins : startingMargins(rows: n)
        var valMargins: [Float] = []
        var valX: DataMatrix? = nil
        if let v = validation {
            let x = v.features.resized(cols: max(v.features.cols, binned.features))
            valX = x
            valMargins = continuing.booster != nil ? booster.predictMargins(x, threads: threads) : startingMargins(rows: x.rows)
        }
        let metrics = Metric.evaluationList(params.evalMetrics, defaultMetric: obj.defaultMetric)
        var profile = TrainingProfile()
        var log: [String] = []
        var rng = SplitMix64(seed: params.seed)
        var treeParams = params.tree
        treeParams.eta = params.tree.eta / Double(params.numParallelTree)
        let grower = HistTreeGrower(rows: n, features: binned.features, cuts: binned.cuts, threads: threads)
        var gpair = [SIMD2<Float>](repeating: .zero, count: n * K)
        // dart: each tree's unweighted output on the training (and validation) rows, and a generator of its own
        var dartTrain: [[Float]] = [], dartValid: [[Float]] = []
        var dartRng = SplitMix64(seed: params.seed &+ 0x5DEE_CE66D)

        // early stopping: the last user metric on validation (SageMaker container behaviour)
        let esMetric: Metric? = {
            guard params.earlyStoppingRounds != nil, validation != nil else { return nil }
            if let t = params.tuningObjectiveMetric, let m = Metric(name: t) { return m }
            guard let last = params.evalMetrics.last else { return nil }
            return Metric(name: last)
        }()
        var bestScore: Double? = nil
        var bestIteration = 0
        var treesPerRound = K * params.numParallelTree

        for round in firstRound..<max(firstRound, params.numRound) {
            var t = monotonicSeconds()
            // dart: the gradients see the margins without the dropped trees
            var dropped: [Int] = []
            var gradMargins = margins
            if isDart {
                dropped = params.dart.drop(weights: booster.treeWeights, rng: &dartRng)
                for d in dropped {
                    let w = booster.treeWeights[d], k = booster.treeInfo[d], c = dartTrain[d]
                    for r in 0..<n { gradMargins[r * K + k] -= w * c[r] }
                }
            }
            gradMargins.withUnsafeBufferPointer { mb in
                labels.withUnsafeBufferPointer { lb in
                    gpair.withUnsafeMutableBufferPointer { gb in
                        if let weights {
                            weights.withUnsafeBufferPointer { wb in
                                obj.gradients(margins: mb.baseAddress!, labels: lb.baseAddress!, weights: wb.baseAddress!,
                                              rows: n, out: gb.baseAddress!, threads: threads, groups: groups,
                                              weightCount: wb.count, iteration: round)
                            }
                        } else {
                            obj.gradients(margins: mb.baseAddress!, labels: lb.baseAddress!, weights: nil, rows: n,
                                          out: gb.baseAddress!, threads: threads, groups: groups, iteration: round)
                        }
                    }
                }
            }
            profile.gradients += monotonicSeconds() - t
            for k in 0..<K {
                for _ in 0..<params.numParallelTree {
                    var keep: [Bool]? = nil
                    if params.subsample < 1 {
                        keep = (0..<n).map { _ in rng.nextDouble() < params.subsample }
                    }
                    grower.resetRows(keep: keep)
                    var (tree, leaves) = binned.bins.withUnsafeBufferPointer { bb in
                        binned.columns.withUnsafeBufferPointer { cb in
                            gpair.withUnsafeBufferPointer { gb in
                                grower.grow(bins: bb.baseAddress!, columns: cb.baseAddress!, gpair: gb.baseAddress! + k * n,
                                            params: treeParams, rng: &rng)
                            }
                        }
                    }
                    if obj.kind == .absoluteError {
                        LeafRefresh.refreshToMedian(tree: &tree, leaves: leaves, rowIndex: grower.rowIndex, labels: labels,
                                                    weights: weights, margins: gradMargins, stride: K, group: k,
                                                    learningRate: treeParams.eta, threads: threads)
                    }
                    t = monotonicSeconds()
                    if isDart {
                        let (c, v) = dartOutputs(tree: tree, binned: binned, valX: valX, threads: threads)
                        dartTrain.append(c)
                        dartValid.append(v)
                        booster.trees.append(tree)
                        booster.treeInfo.append(k)
                        profile.predictionUpdate += monotonicSeconds() - t
                        continue
                    }
                    // margins of the training rows: from the leaf segments, or by walking bins if rows were sampled
                    margins.withUnsafeMutableBufferPointer { mb in
                        let mp = SendablePointer(mb.baseAddress!)
                        if keep == nil {
                            let ri = SendablePointer(grower.rowIndex)
                            parallelFor(leaves.count, threads: threads) { li in
                                let leaf = leaves[li]
                                let v = tree.splitCondition[leaf.node]
                                for j in leaf.start..<(leaf.start + leaf.count) {
                                    let r = Int(ri.p[j])
                                    mp.p[r * K + k] += v
                                }
                            }
                        } else {
                            binned.bins.withUnsafeBufferPointer { bb in
                                let F = binned.features
                                let blocks = max(1, min(64, n / 8192))
                                parallelFor(blocks, threads: threads) { b in
                                    for r in (n * b / blocks)..<(n * (b + 1) / blocks) {
                                        let leaf = tree.leaf(forBins: bb.baseAddress! + r * F, hasMissing: binned.cuts.hasMissing)
                                        mp.p[r * K + k] += tree.splitCondition[leaf]
                                    }
                                }
                            }
                        }
                    }
                    if let vx = valX {
                        let vr = vx.rows, vf = vx.cols
                        vx.values.withUnsafeBufferPointer { xb in
                            valMargins.withUnsafeMutableBufferPointer { vb in
                                let vp = SendablePointer(vb.baseAddress!)
                                let blocks = max(1, min(64, vr / 4096))
                                parallelFor(blocks, threads: threads) { b in
                                    for r in (vr * b / blocks)..<(vr * (b + 1) / blocks) {
                                        let leaf = tree.leaf(for: xb.baseAddress! + r * vf, featureCount: vf)
                                        vp.p[r * K + k] += tree.splitCondition[leaf]
                                    }
                                }
                            }
                        }
                    }
                    profile.predictionUpdate += monotonicSeconds() - t
                    booster.trees.append(tree)
                    booster.treeInfo.append(k)
                }
            }
            if isDart {
                // re-weight the dropped trees and give the new ones their weight; margins follow
                let newTrees = K * params.numParallelTree
                let (factor, newWeight) = params.dart.normalization(dropped: dropped.count, newTrees: newTrees, eta: params.tree.eta)
                var changes: [(tree: Int, by: Float)] = []
                for d in dropped {
                    let old = booster.treeWeights[d]
                    booster.treeWeights[d] = old * factor
                    changes.append((d, booster.treeWeights[d] - old))
                }
                for i in (booster.trees.count - newTrees)..<booster.trees.count {
                    booster.treeWeights.append(newWeight)
                    changes.append((i, newWeight))
                }
                for (i, by) in changes {
                    let k = booster.treeInfo[i]
                    let c = dartTrain[i]
                    for r in 0..<n { margins[r * K + k] += by * c[r] }
                    if valX != nil {
                        let cv = dartValid[i]
                        for r in 0..<cv.count { valMargins[r * K + k] += by * cv[r] }
                    }
                }
            }
            continuing.afterRound?(round, booster)
            // evaluation line
            if params.skipEvaluation && esMetric == nil { continue }
            t = monotonicSeconds()
            var line = "[\(round)]"
            var esValue: Double? = nil
            var sets: [(String, [Float], [Float], [Float]?, [Int]?)] = [("train", margins, labels, weights, groups)]
            if let v = validation { sets.append(("validation", valMargins, v.labels, v.weights, v.groups)) }
            for (name, m, y, w, g) in sets {
                let preds = evalPredictions(obj, margins: m, rows: y.count, threads: threads)
                for metric in metrics {
                    let value = metric.readsMargins
                        ? metric.evaluate(preds: m, width: K, labels: y, weights: nil)
                        : metric.evaluate(preds: preds.values, width: preds.width, labels: y, weights: w, groups: g, threads: threads)
                    line += "\t\(name)-\(metric.name):\(format5(value))"
                    if name == "validation", let es = esMetric, es.name == metric.name { esValue = value }
                }
            }
            profile.evaluation += monotonicSeconds() - t
            logLine(line)
            log.append(line)
            if let es = esMetric, let v = esValue, let rounds = params.earlyStoppingRounds {
                if bestScore == nil || (es.maximize ? v > bestScore! : v < bestScore!) {
                    bestScore = v
                    bestIteration = round
                } else if round - bestIteration >= rounds {
                    break
                }
            }
        }
        var best: Int? = nil
        if esMetric != nil, let bs = bestScore {
            best = bestIteration
            treesPerRound = K * params.numParallelTree
            let keep = (bestIteration + 1) * treesPerRound
            if booster.trees.count > keep {
                booster.trees.removeLast(booster.trees.count - keep)
                booster.treeInfo.removeLast(booster.treeInfo.count - keep)
                if isDart { booster.treeWeights.removeLast(booster.treeWeights.count - keep) }
            }
            booster.attributes["best_iteration"] = String(bestIteration)
            booster.attributes["best_ntree_limit"] = String((bestIteration + 1) * params.numParallelTree)
            booster.attributes["best_score"] = String(bs)
        }
        profile.histograms += grower.profile.histograms
        profile.subtraction += grower.profile.subtraction
        profile.splitFinding += grower.profile.splitFinding
        profile.partition += grower.profile.partition
        return Result(booster: booster, log: log, bestIteration: best, profile: profile, binningSeconds: binningSeconds)
    }

    /// A new tree's output on every training row (walking the bins) and every validation row.
    static func dartOutputs(tree: RegressionTree, binned: BinnedMatrix, valX: DataMatrix?, threads: Int) -> ([Float], [Float]) {
        let n = binned.rows, F = binned.features
        var train = [Float](repeating: 0, count: n)
        binned.bins.withUnsafeBufferPointer { bb in
            train.withUnsafeMutableBufferPointer { tb in
                let tp = SendablePointer(tb.baseAddress!)
                let blocks = max(1, min(64, n / 8192))
                parallelFor(blocks, threads: threads) { b in
                    for r in (n * b / blocks)..<(n * (b + 1) / blocks) {
                        tp.p[r] = tree.splitCondition[tree.leaf(forBins: bb.baseAddress! + r * F, hasMissing: binned.cuts.hasMissing)]
                    }
                }
            }
        }
        var valid: [Float] = []
        if let vx = valX {
            valid = [Float](repeating: 0, count: vx.rows)
            vx.values.withUnsafeBufferPointer { xb in
                for r in 0..<vx.rows { valid[r] = tree.splitCondition[tree.leaf(for: xb.baseAddress! + r * vx.cols, featureCount: vx.cols)] }
            }
        }
        return (train, valid)
    }

    static func evalPredictions(_ obj: Objective, margins: [Float], rows: Int, threads: Int = 1) -> (values: [Float], width: Int) {
        let K = obj.outputGroups
        let width = obj.predictionWidth(forEval: true)
        var out = [Float](repeating: 0, count: rows * width)
        margins.withUnsafeBufferPointer { mb in
            out.withUnsafeMutableBufferPointer { ob in
                let op = SendablePointer(ob.baseAddress!)
                let blocks = max(1, min(64, rows / 16384))
                parallelFor(blocks, threads: threads) { b in
                    for r in (rows * b / blocks)..<(rows * (b + 1) / blocks) {
                        obj.transform(mb.baseAddress! + r * K, into: op.p + r * width, forEval: true)
                    }
                }
            }
        }
        return (out, width)
    }
}

/// `%.5f` as Python prints it.
public func format5(_ x: Double) -> String { String(format: "%.5f", x) }
