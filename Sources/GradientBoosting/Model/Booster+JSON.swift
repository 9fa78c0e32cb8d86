import Foundation

/// XGBoost's JSON model schema (as written by XGBoost 1.7; XGBoost 1.x–3.x load it), and a reader
/// for JSON models written by XGBoost 1.x–3.x.
extension Booster {
    public struct ModelError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    // MARK: writing

    public func jsonModel() -> String {
        var s = ""
        s.reserveCapacity(64 + trees.reduce(0) { $0 + $1.nodeCount * 120 })
        func num(_ x: Float) -> String {
            if x.isNaN { return "0" }
            if x.isInfinite { return x > 0 ? "3.4028235e38" : "-3.4028235e38" }
            return x.description
        }
        func arr(_ a: [Float]) -> String { "[" + a.map(num).joined(separator: ",") + "]" }
        func iarr<T: BinaryInteger>(_ a: [T]) -> String { "[" + a.map { String($0) }.joined(separator: ",") + "]" }
        func str(_ x: String) -> String {
            var o = "\""
            for c in x.unicodeScalars {
                switch c {
                case "\"": o += "\\\""
                case "\\": o += "\\\\"
                case "\n": o += "\\n"
                default: if c.value < 0x20 { o += String(format: "\\u%04x", c.value) } else { o.unicodeScalars.append(c) }
                }
            }
            return o + "\""
        }
        let nf = String(numFeature)
        s += "{\"learner\":{\"attributes\":{"
        s += attributes.keys.sorted().map { "\(str($0)):\(str(attributes[$0]!))" }.joined(separator: ",")
        s += "},\"feature_names\":[],\"feature_types\":[],\"gradient_booster\":{"
        switch kind {
        case .gbtree, .dart:
            // dart wraps the gbtree model: {"name":"dart","gbtree":{"name":"gbtree","model":…},"weight_drop":[…]}
            if kind == .dart { s += "\"gbtree\":{" }
            s += "\"model\":{\"gbtree_model_param\":{\"num_parallel_tree\":\"\(numParallelTree)\",\"num_trees\":\"\(trees.count)\"},"
            s += "\"tree_info\":\(iarr(treeInfo)),\"trees\":["
            for (i, t) in trees.enumerated() {
                if i > 0 { s += "," }
                let n = t.nodeCount
                let zeros = [Int](repeating: 0, count: n)
                var splitIdx = [Int32](repeating: 0, count: n)
                for j in 0..<n where t.left[j] >= 0 { splitIdx[j] = t.splitFeature[j] }
                s += "{\"base_weights\":\(arr(t.baseWeight)),\"categories\":[],\"categories_nodes\":[],"
                s += "\"categories_segments\":[],\"categories_sizes\":[],"
                s += "\"default_left\":\(iarr(t.defaultLeft.map { $0 ? 1 : 0 })),\"id\":\(i),"
                s += "\"left_children\":\(iarr(t.left)),\"loss_changes\":\(arr(t.lossChange)),"
                s += "\"parents\":\(iarr(t.parent)),\"right_children\":\(iarr(t.right)),"
                s += "\"split_conditions\":\(arr(t.splitCondition)),\"split_indices\":\(iarr(splitIdx)),"
                s += "\"split_type\":\(iarr(zeros)),\"sum_hessian\":\(arr(t.sumHessian)),"
                s += "\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":\"\(nf)\",\"num_nodes\":\"\(n)\",\"size_leaf_vector\":\"0\"}}"
            }
            s += "]},\"name\":\"gbtree\"}"
            if kind == .dart {
                var w = treeWeights
                if w.count != trees.count { w = [Float](repeating: 1, count: trees.count) }
                s += ",\"name\":\"dart\",\"weight_drop\":\(arr(w))}"
            }
            s += ","
        case .gblinear:
            s += "\"model\":{\"weights\":\(arr(linearWeights))},\"name\":\"gblinear\"},"
        }
        let bs = baseScore.count == 1 || baseScoreIsMargin == false ? Float(baseScore[0]).description : Float(baseScore[0]).description
        s += "\"learner_model_param\":{\"base_score\":\"\(bs)\",\"boost_from_average\":\"1\","
        s += "\"num_class\":\"\(objective.kind.isMulticlass ? objective.numClass : 0)\",\"num_feature\":\"\(nf)\",\"num_target\":\"1\"},"
        s += "\"objective\":{\"name\":\"\(objective.kind.rawValue)\","
        switch objective.kind {
        case .softmax, .softprob:
            s += "\"softmax_multiclass_param\":{\"num_class\":\"\(objective.numClass)\"}}"
        case .poisson:
            s += "\"poisson_regression_param\":{\"max_delta_step\":\"\(Float(objective.poissonMaxDeltaStep))\"}}"
        case .tweedie:
            s += "\"tweedie_regression_param\":{\"tweedie_variance_power\":\"\(Float(objective.tweedieVariancePower))\"}}"
        case .pseudoHuber:
            s += "\"pseudo_huber_param\":{\"huber_slope\":\"\(Float(objective.huberSlope))\"}}"
        case .rankPairwise, .rankNDCG, .rankMAP:
            // XGBoost ≥ 2.0 reads lambdarank_param; 1.7 reads lambda_rank_param
            let r = objective.ranking
            let pairs = r.numPairPerSample.map(String.init) ?? "4294967295"
            s += "\"lambda_rank_param\":{\"fix_list_weight\":\"0\",\"num_pairsample\":\"1\"},"
            s += "\"lambdarank_param\":{\"lambdarank_bias_norm\":\"1\",\"lambdarank_normalization\":\"\(r.normalization ? 1 : 0)\","
            s += "\"lambdarank_num_pair_per_sample\":\"\(pairs)\",\"lambdarank_pair_method\":\"\(r.pairMethod.rawValue)\","
            s += "\"lambdarank_score_normalization\":\"\(r.scoreNormalization ? 1 : 0)\",\"lambdarank_unbiased\":\"0\","
            s += "\"ndcg_exp_gain\":\"\(r.expGain ? 1 : 0)\"}}"
        case .binaryHinge, .gamma, .absoluteError:
            s += "\"reg_loss_param\":{\"scale_pos_weight\":\"\(Float(objective.scalePosWeight))\"}}"
        default:
            s += "\"reg_loss_param\":{\"scale_pos_weight\":\"\(Float(objective.scalePosWeight))\"}}"
        }
        s += "},\"version\":[1,7,6]}"
        return s
    }

    public func save(to path: String) throws {
        try Data(jsonModel().utf8).write(to: URL(fileURLWithPath: path))
    }

    // MARK: reading

    public static func load(from path: String) throws -> Booster {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try load(json: data)
    }

    /// Reads an XGBoost model in its JSON, UBJSON (`.ubj`, the Python package's `save_raw()` default) or legacy
    /// binary (before 2.0, file names without `.json`) form, told apart by their first bytes.
    public static func load(json data: Data) throws -> Booster {
        let document: Any
        if LegacyBinaryModel.looksLikeLegacyBinary(data) {
            document = try LegacyBinaryModel.document(data)
        } else if UBJSON.looksLikeUBJSON(data) {
            do { document = try UBJSON.decode(data) } catch let e as UBJSON.DecodingError {
                throw ModelError(message: e.description)
            }
        } else {
            guard let first = data.first(where: { $0 != 32 && $0 != 10 && $0 != 13 && $0 != 9 }), first == UInt8(ascii: "{") else {
                throw ModelError(message: "not an XGBoost model (neither JSON, UBJSON nor XGBoost's legacy binary format)")
            }
            document = try JSONSerialization.jsonObject(with: data)
        }
        guard let root = document as? [String: Any],
              let learner = root["learner"] as? [String: Any] else {
            throw ModelError(message: "model JSON has no 'learner' object")
        }
        let lmp = learner["learner_model_param"] as? [String: Any] ?? [:]
        let objDict = learner["objective"] as? [String: Any] ?? [:]
        guard let objName = objDict["name"] as? String, let kind = Objective.Kind(rawValue: objName) else {
            throw ModelError(message: "unsupported or missing objective '\(String(describing: objDict["name"]))'")
        }
        let numClass = Int(str(lmp["num_class"]) ?? "0") ?? 0
        var obj = Objective(kind: kind, numClass: max(numClass, 1))
        if let p = objDict["reg_loss_param"] as? [String: Any], let v = str(p["scale_pos_weight"]).flatMap(Float.init) { obj.scalePosWeight = v }
        if let p = objDict["tweedie_regression_param"] as? [String: Any], let v = str(p["tweedie_variance_power"]).flatMap(Double.init) { obj.tweedieVariancePower = v }
        if let p = objDict["poisson_regression_param"] as? [String: Any], let v = str(p["max_delta_step"]).flatMap(Double.init) { obj.poissonMaxDeltaStep = v }
        if let p = objDict["pseudo_huber_param"] as? [String: Any], let v = str(p["huber_slope"]).flatMap(Double.init) { obj.huberSlope = v }
        if let p = objDict["lambdarank_param"] as? [String: Any] {
            if let m = str(p["lambdarank_pair_method"]).flatMap(RankingParameters.PairMethod.init(rawValue:)) { obj.ranking.pairMethod = m }
            if let k = str(p["lambdarank_num_pair_per_sample"]).flatMap(Int.init), k < Int(UInt32.max) { obj.ranking.numPairPerSample = k }
            if let v = str(p["ndcg_exp_gain"]) { obj.ranking.expGain = v != "0" && v != "false" }
            if let v = str(p["lambdarank_normalization"]) { obj.ranking.normalization = v != "0" && v != "false" }
            if let v = str(p["lambdarank_score_normalization"]) { obj.ranking.scoreNormalization = v != "0" && v != "false" }
        }
        let numFeature = Int(str(lmp["num_feature"]) ?? "0") ?? 0
        var b = Booster(objective: obj, baseScore: 0.5, numFeature: numFeature)
        if let bsText = str(lmp["base_score"]) {
            let vals = bsText.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            if vals.isEmpty { throw ModelError(message: "cannot read base_score '\(bsText)'") }
            b.baseScore = vals
            // XGBoost 3.x stores a per-class intercept for multi-class models as margins
            if vals.count > 1 { b.baseScoreIsMargin = true }
        }
        if let attrs = learner["attributes"] as? [String: Any] {
            for (k, v) in attrs { if let s = v as? String { b.attributes[k] = s } }
        }
        guard let gb = learner["gradient_booster"] as? [String: Any] else {
            throw ModelError(message: "model JSON has no gradient_booster")
        }
        let name = gb["name"] as? String ?? "gbtree"
        if name == "gblinear" {
            b.kind = .gblinear
            let model = gb["model"] as? [String: Any] ?? [:]
            b.linearWeights = floats(model["weights"]) ?? []
            return b
        }
        var model = gb["model"] as? [String: Any] ?? [:]
        if name == "dart" {
            b.kind = .dart
            let inner = gb["gbtree"] as? [String: Any] ?? [:]
            model = inner["model"] as? [String: Any] ?? [:]
            b.treeWeights = floats(gb["weight_drop"]) ?? []
        } else if name != "gbtree" {
            throw ModelError(message: "unsupported booster '\(name)' (gbtree, dart and gblinear models load)")
        }
        if let p = model["gbtree_model_param"] as? [String: Any] { b.numParallelTree = Int(str(p["num_parallel_tree"]) ?? "1") ?? 1 }
        b.treeInfo = ints(model["tree_info"]) ?? []
        guard let trees = model["trees"] as? [Any] else { throw ModelError(message: "gbtree model has no trees array") }
        for (ti, tAny) in trees.enumerated() {
            guard let t = tAny as? [String: Any],
                  let left = ints(t["left_children"]), let right = ints(t["right_children"]),
                  let cond = floats(t["split_conditions"]), let idx = ints(t["split_indices"]) else {
                throw ModelError(message: "tree \(ti) lacks left_children/right_children/split_conditions/split_indices")
            }
            let n = left.count
            guard right.count == n, cond.count == n, idx.count == n else {
                throw ModelError(message: "tree \(ti): node arrays have different lengths")
            }
            if let st = ints(t["split_type"]), st.contains(where: { $0 != 0 }) {
                throw ModelError(message: "tree \(ti): categorical splits are not supported")
            }
            var tree = RegressionTree()
            tree.left = left.map { Int32($0) }
            tree.right = right.map { Int32($0) }
            tree.parent = (ints(t["parents"]) ?? [Int](repeating: Int(Int32.max), count: n)).map { Int32(truncatingIfNeeded: $0) }
            tree.splitFeature = idx.map { Int32($0) }
            tree.splitCondition = cond
            tree.splitBin = [Int32](repeating: -1, count: n)
            tree.defaultLeft = (ints(t["default_left"]) ?? [Int](repeating: 0, count: n)).map { $0 != 0 }
            tree.baseWeight = floats(t["base_weights"]) ?? [Float](repeating: 0, count: n)
            tree.lossChange = floats(t["loss_changes"]) ?? [Float](repeating: 0, count: n)
            tree.sumHessian = floats(t["sum_hessian"]) ?? [Float](repeating: 0, count: n)
            for j in 0..<n where left[j] >= n || right[j] >= n {
                throw ModelError(message: "tree \(ti): node \(j) points outside the tree")
            }
            b.trees.append(tree)
        }
        if b.treeInfo.count != b.trees.count { b.treeInfo = [Int](repeating: 0, count: b.trees.count) }
        if b.kind == .dart && b.treeWeights.count != b.trees.count {
            throw ModelError(message: "dart model: weight_drop has \(b.treeWeights.count) weights for \(b.trees.count) trees")
        }
        for t in b.trees { for f in t.splitFeature where Int(f) >= b.numFeature { b.numFeature = Int(f) + 1 } }
        return b
    }

    private static func str(_ a: Any?) -> String? {
        if let s = a as? String { return s }
        if let i = a as? Int { return String(i) }
        if let d = a as? Double { return String(d) }
        if let n = a as? NSNumber { return n.stringValue }
        return nil
    }
    private static func num(_ a: Any) -> Double? {
        if let n = a as? NSNumber { return n.doubleValue }
        if let d = a as? Double { return d }
        if let i = a as? Int { return Double(i) }
        if let b = a as? Bool { return b ? 1 : 0 }
        return nil
    }
    private static func floats(_ a: Any?) -> [Float]? {
        guard let arr = a as? [Any] else { return nil }
        var out = [Float](); out.reserveCapacity(arr.count)
        for x in arr { guard let d = num(x) else { return nil }; out.append(Float(d)) }
        return out
    }
    private static func ints(_ a: Any?) -> [Int]? {
        guard let arr = a as? [Any] else { return nil }
        var out = [Int](); out.reserveCapacity(arr.count)
        for x in arr { guard let d = num(x) else { return nil }; out.append(Int(d)) }
        return out
    }
}
