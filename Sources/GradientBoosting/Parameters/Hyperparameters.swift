/// SageMaker XGBoost (1.7-1) hyperparameters: names, aliases, defaults and validation.
public struct Hyperparameters: Sendable {
    public var numRound = 0
    public var numClass = 0
    public var objective = Objective.Kind.squaredError
    public var evalMetrics: [String] = []
    public var earlyStoppingRounds: Int? = nil
    public var csvWeights = false
    public var booster = "gbtree"
    /// booster=dart: sample_type, normalize_type, rate_drop, one_drop, skip_drop.
    public var dart = DartParameters()
    public var nthread = 2
    public var tree = TreeParameters()
    public var subsample = 1.0
    public var treeMethod = "auto"
    public var maxBin = 256
    public var scalePosWeight = 1.0
    public var baseScore: Double? = nil
    public var seed: UInt64 = 0
    public var numParallelTree = 1
    public var tweedieVariancePower = 1.5
    public var lambdaBias = 0.0
    public var updater: String? = nil
    public var verbosity = 1
    public var sketchEps = 0.03
    public var tuningObjectiveMetric: String? = nil
    /// `save_model_on_termination`: the model is written after every round, so a stopped job still has one.
    public var saveModelOnTermination = false
    /// Not a SageMaker hyperparameter: skip per-round metrics (benchmarks, no log lines).
    public var skipEvaluation = false
    /// gblinear's lambda defaults to 0 (the tree default is 1): remember whether it was given.
    public var lambdaGiven = false
    public init() {}

    public struct ValidationError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    static let aliases = ["learning_rate": "eta", "min_split_loss": "gamma", "reg_lambda": "lambda", "reg_alpha": "alpha"]

    static let known: Set<String> = [
        "num_round", "num_class", "objective", "eval_metric", "early_stopping_rounds", "csv_weights", "booster",
        "verbosity", "nthread", "eta", "gamma", "max_depth", "min_child_weight", "max_delta_step", "subsample",
        "colsample_bytree", "colsample_bylevel", "colsample_bynode", "lambda", "alpha", "tree_method", "sketch_eps",
        "scale_pos_weight", "updater", "dsplit", "refresh_leaf", "process_type", "grow_policy", "max_leaves", "max_bin",
        "predictor", "monotone_constraints", "interaction_constraints", "sample_type", "normalize_type", "rate_drop",
        "one_drop", "skip_drop", "lambda_bias", "tweedie_variance_power", "base_score", "seed", "num_parallel_tree",
        "save_model_on_termination", "aft_loss_distribution", "aft_loss_distribution_scale", "deterministic_histogram",
        "sampling_method", "prob_buffer_row", "use_dask_gpu_training", "_kfold", "_num_cv_round",
        "_tuning_objective_metric",
    ]

    static let objectiveNames = [
        "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson", "multi:softmax", "multi:softprob",
        "rank:pairwise", "rank:ndcg", "rank:map", "reg:linear", "reg:squarederror", "reg:logistic", "reg:gamma",
        "reg:pseudohubererror", "reg:squaredlogerror", "reg:absoluteerror", "reg:tweedie", "survival:aft", "survival:cox",
    ]

    /// Parses and validates a hyperparameter map; errors carry the message the job should fail with.
    public static func parse(_ raw: [String: String]) throws -> Hyperparameters {
        var m: [String: String] = [:]
        for (k, v) in raw { m[aliases[k] ?? k] = v.trimmingSpaces }
        for k in m.keys.sorted() where !known.contains(k) {
            throw ValidationError(message: "Extraneous hyperparameter found: \(k)")
        }
        guard m["num_round"] != nil else { throw ValidationError(message: "Missing required hyperparameter: num_round") }
        var p = Hyperparameters()

        func fail(_ k: String, _ why: String) -> ValidationError { ValidationError(message: "Hyperparameter \(k): \(why)") }
        func int(_ k: String, _ range: ClosedRange<Int>? = nil, min lo: Int? = nil) throws -> Int? {
            guard let s = m[k] else { return nil }
            var v: Int
            if let i = Int(s) { v = i } else if let d = Double(s), d == d.rounded(), abs(d) < 1e15 { v = Int(d) } else {
                throw fail(k, "could not parse value '\(s)' as an integer")
            }
            if let range, !range.contains(v) { throw fail(k, "value \(v) not in range [\(range.lowerBound), \(range.upperBound)]") }
            if let lo, v < lo { throw fail(k, "value \(v) must be >= \(lo)") }
            return v
        }
        func dbl(_ k: String, _ lo: Double? = nil, _ hi: Double? = nil, openLow: Bool = false, openHigh: Bool = false) throws -> Double? {
            guard let s = m[k] else { return nil }
            guard let v = Double(s), v.isFinite else { throw fail(k, "could not parse value '\(s)' as a number") }
            let lb = lo.map { openLow ? "(\($0)" : "[\($0)" } ?? "(-inf"
            let ub = hi.map { openHigh ? "\($0))" : "\($0)]" } ?? "inf)"
            if let lo, openLow ? !(v > lo) : !(v >= lo) { throw fail(k, "value \(s) not in range \(lb), \(ub)") }
            if let hi, openHigh ? !(v < hi) : !(v <= hi) { throw fail(k, "value \(s) not in range \(lb), \(ub)") }
            return v
        }
        func choice(_ k: String, _ allowed: [String]) throws -> String? {
            guard let s = m[k] else { return nil }
            guard allowed.contains(s) else { throw fail(k, "value '\(s)' is not one of: \(allowed.joined(separator: ", "))") }
            return s
        }

        p.numRound = try int("num_round", min: 1)!
        if let o = try choice("objective", objectiveNames) {
            guard let kind = Objective.Kind(rawValue: o) else {
                throw fail("objective", "'\(o)' is not supported by Kiln yet")
            }
            p.objective = kind
        }
        if let n = try int("num_class", min: 2) { p.numClass = n }
        if p.objective.isMulticlass && p.numClass < 2 {
            throw ValidationError(message: "Require input for parameter num_class for multi-class classification")
        }
        if let b = try choice("booster", ["gbtree", "gblinear", "dart"]) {
            p.booster = b
        }
        if let v = try choice("sample_type", ["uniform", "weighted"]) { p.dart.sampleType = .init(rawValue: v)! }
        if let v = try choice("normalize_type", ["tree", "forest"]) { p.dart.normalizeType = .init(rawValue: v)! }
        if let v = try dbl("rate_drop", 0, 1) { p.dart.rateDrop = v }
        if let v = try choice("one_drop", ["0", "1"]) { p.dart.oneDrop = v == "1" }
        if let v = try dbl("skip_drop", 0, 1) { p.dart.skipDrop = v }
        if let v = try int("verbosity", 0...3) { p.verbosity = v }
        if let v = try int("nthread", min: 1) { p.nthread = v }
        if let v = try dbl("eta", 0, 1) { p.tree.eta = v }
        if let v = try dbl("gamma", 0) { p.tree.gamma = v }
        if let v = try int("max_depth", min: 0) { p.tree.maxDepth = v }
        if let v = try dbl("min_child_weight", 0) { p.tree.minChildWeight = v }
        if let v = try dbl("max_delta_step", 0) { p.tree.maxDeltaStep = v }
        if let v = try dbl("subsample", 0, 1, openLow: true) { p.subsample = v }
        if let v = try dbl("colsample_bytree", 0, 1, openLow: true) { p.tree.colsampleByTree = v }
        if let v = try dbl("colsample_bylevel", 0, 1, openLow: true) { p.tree.colsampleByLevel = v }
        if let v = try dbl("colsample_bynode", 0, 1, openLow: true) { p.tree.colsampleByNode = v }
        if let v = try dbl("lambda", 0) { p.tree.lambda = v; p.lambdaGiven = true }
        if let v = try dbl("alpha", 0) { p.tree.alpha = v }
        if let v = try choice("tree_method", ["auto", "exact", "approx", "hist", "gpu_hist"]) { p.treeMethod = v }
        if let v = try dbl("sketch_eps", 0, 1, openLow: true, openHigh: true) { p.sketchEps = v }
        if let v = try dbl("scale_pos_weight", 0, openLow: true) { p.scalePosWeight = v }
        if let v = try choice("grow_policy", ["depthwise", "lossguide"]) { p.tree.growPolicy = .init(rawValue: v)! }
        if let v = try int("max_leaves", min: 0) { p.tree.maxLeaves = v }
        if let v = try int("max_bin", min: 0) { p.maxBin = v }
        if p.maxBin < 2 { throw fail("max_bin", "value \(p.maxBin) must be >= 2") }
        if let v = try dbl("tweedie_variance_power", 1, 2, openLow: true, openHigh: true) { p.tweedieVariancePower = v }
        if let v = try dbl("lambda_bias", 0, 1) { p.lambdaBias = v }
        if let v = try dbl("base_score", 0) { p.baseScore = v }
        if let v = try int("seed", Int(Int32.min)...Int(Int32.max)) { p.seed = UInt64(bitPattern: Int64(v)) }
        if let v = try int("num_parallel_tree", min: 1) { p.numParallelTree = v }
        if let v = try int("early_stopping_rounds", min: 1) { p.earlyStoppingRounds = v }
        if let v = try choice("csv_weights", ["0", "1"]) { p.csvWeights = v == "1" }
        if let v = m["save_model_on_termination"] {  // the SDK may send Python's "True"
            guard ["true", "false"].contains(v.lowercased()) else { throw fail("save_model_on_termination", "value '\(v)' is not one of: true, false") }
            p.saveModelOnTermination = v.lowercased() == "true"
        }
        if let u = m["updater"] {
            let allowed: Set<String> = ["grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker", "sync", "refresh", "prune",
                                        "shotgun", "coord_descent", "grow_quantile_histmaker"]
            for part in u.split(separator: ",") where !allowed.contains(String(part).trimmingSpaces) {
                throw fail("updater", "'\(part)' is not one of: \(allowed.sorted().joined(separator: ", "))")
            }
            p.updater = u
        }
        if let s = m["monotone_constraints"] {
            let list = try parseIntList(s, key: "monotone_constraints")
            if list.contains(where: { abs($0) > 1 }) { throw fail("monotone_constraints", "values must be -1, 0 or 1") }
            if !["exact", "hist", "auto", "approx"].contains(p.treeMethod) {
                throw fail("monotone_constraints", "only supported with tree_method exact or hist")
            }
            p.tree.monotoneConstraints = list
        }
        if let s = m["interaction_constraints"] {
            p.tree.interactionConstraints = try parseNestedIntList(s, key: "interaction_constraints")
        }
        if let metrics = m["eval_metric"] {
            for name in metrics.split(separator: ",").map({ String($0).trimmingSpaces }) where !name.isEmpty {
                guard Metric(name: name) != nil else {
                    throw fail("eval_metric", "'\(name)' is not a supported metric (\(Metric.knownNames.joined(separator: ", ")), error@t, tweedie-nloglik@p, ndcg@n, map@n, ndcg-, map@n-)")
                }
                if name == "auc" && !(p.objective.isBinary || p.objective == .logistic) && !p.objective.isMulticlass {
                    throw fail("eval_metric", "'auc' can only be used with binary classification objectives")
                }
                if let c = ContainerMetric(rawValue: name), !c.isClassification, p.objective.isMulticlass {
                    throw fail("eval_metric", "'\(name)' scores one prediction per row; \(p.objective.rawValue) has one per class")
                }
                if let c = ContainerMetric(rawValue: name), c.isClassification,
                   !(p.objective.isBinary || p.objective.isMulticlass || p.objective == .logistic) {
                    throw fail("eval_metric", "'\(name)' scores predicted classes; \(p.objective.rawValue) does not predict classes")
                }
                p.evalMetrics.append(name)
            }
        }
        if let t = m["_tuning_objective_metric"] {
            let name = t.hasPrefix("validation:") ? String(t.dropFirst("validation:".count)) : t
            p.tuningObjectiveMetric = name
            if !p.evalMetrics.contains(name) && Metric(name: name) != nil { p.evalMetrics.append(name); p.evalMetrics.sort() }
        }
        // XGBoost gives count:poisson a tree max_delta_step of 0.7 unless the user set one
        if p.objective == .poisson && m["max_delta_step"] == nil { p.tree.maxDeltaStep = 0.7 }
        if let b = p.baseScore, p.objective == .binaryLogistic || p.objective == .logistic, !(b > 0 && b < 1) {
            throw fail("base_score", "must be in (0,1) for logistic loss, got \(b)")
        }
        return p
    }

    static func parseIntList(_ s: String, key: String) throws -> [Int] {
        let inner = s.filter { !"()[] ".contains($0) }
        if inner.isEmpty { return [] }
        var out: [Int] = []
        for part in inner.split(separator: ",") {
            guard let v = Int(part) else { throw ValidationError(message: "Hyperparameter \(key): could not parse value '\(s)'") }
            out.append(v)
        }
        return out
    }

    static func parseNestedIntList(_ s: String, key: String) throws -> [[Int]] {
        var groups: [[Int]] = []
        var current: [Int]? = nil
        var num = ""
        var depth = 0
        for ch in s {
            switch ch {
            case "[", "(":
                depth += 1
                if depth == 2 { current = [] }
            case "]", ")":
                if !num.isEmpty { guard let v = Int(num) else { throw ValidationError(message: "Hyperparameter \(key): could not parse value '\(s)'") }; current?.append(v); num = "" }
                if depth == 2, let c = current { groups.append(c); current = nil }
                depth -= 1
            case ",", " ":
                if !num.isEmpty { guard let v = Int(num) else { throw ValidationError(message: "Hyperparameter \(key): could not parse value '\(s)'") }; current?.append(v); num = "" }
            default:
                num.append(ch)
            }
        }
        if depth != 0 { throw ValidationError(message: "Hyperparameter \(key): could not parse value '\(s)'") }
        return groups
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
