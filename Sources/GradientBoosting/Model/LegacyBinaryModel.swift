import Foundation

/// XGBoost's legacy binary model format (what `save_model` wrote before 2.0 for file names without `.json`/`.ubj`,
/// e.g. the `xgboost-model` of SageMaker's 1.0-1 … 1.5-1 containers), read into the same document the JSON
/// model schema gives, so one loader builds the booster.
///
/// Layout, little-endian: optional `binf`; the learner parameters (136 bytes: base_score f32, num_feature u32,
/// num_class i32, contain_extra_attrs i32, contain_eval_metrics i32, versions, reserved); the objective and booster
/// names (u64 length + bytes each); then for `gbtree`/`dart` the model parameters (160 bytes: num_trees i32,
/// num_parallel_tree i32, …), per tree its parameters (148 bytes: –, num_nodes i32, –, –, num_feature i32, …),
/// nodes (20 bytes: parent i32, left i32, right i32, split index u32 with the default-left flag in bit 31, split
/// condition or leaf value f32) and node statistics (16 bytes: loss change, sum of hessians, base weight f32,
/// –), then tree_info (i32 per tree) and for `dart` the tree weights (u64 count + f32s); for `gblinear` 136
/// bytes of parameters and the weights (u64 count + f32s). Last the attributes (u64 count + key/value strings;
/// `objective` holds the objective's parameters as JSON) and, before 1.0, the eval metric names. Files from before
/// 1.0 (major version 0) hold base_score as a margin.
enum LegacyBinaryModel {
    static let learnerParameterBytes = 136, treeModelParameterBytes = 160, treeParameterBytes = 148
    static let linearParameterBytes = 136

    /// Whether `data` looks like a legacy binary model: the `binf` magic, or (older files) an objective name right
    /// after the learner parameters.
    static func looksLikeLegacyBinary(_ data: Data) -> Bool {
        if data.starts(with: Array("binf".utf8)) { return true }
        var reader = Reader(bytes: [UInt8](data.prefix(learnerParameterBytes + 8 + 64)), offset: learnerParameterBytes)
        guard let name = try? reader.string(maximum: 64) else { return false }
        return Objective.Kind(rawValue: name) != nil
    }

    /// The model as XGBoost's JSON document (`learner` → `learner_model_param`, `objective`, `gradient_booster`,
    /// `attributes`), with numbers where the JSON has numbers and strings where it has strings.
    static func document(_ data: Data) throws -> [String: Any] {
        var r = Reader(bytes: [UInt8](data), offset: data.starts(with: Array("binf".utf8)) ? 4 : 0)
        let parameters = r.offset
        let baseScore = try r.f32()
        let numFeature = try r.u32()
        let numClass = try r.i32()
        let hasAttributes = try r.i32() != 0
        let hasEvalMetrics = try r.i32() != 0
        let majorVersion = try r.u32()
        r.offset = parameters + learnerParameterBytes
        let objectiveName = try r.string(maximum: 256)
        let boosterName = try r.string(maximum: 64)
        var booster: [String: Any]
        switch boosterName {
        case "gbtree":
            booster = ["name": "gbtree", "model": try treeModel(&r)]
        case "dart":
            let model = try treeModel(&r)
            // The tree weights are written only when there are trees.
            let trees = (model["trees"] as? [Any])?.count ?? 0
            let count = trees == 0 ? 0 : try r.count(maximum: 1 << 28)
            booster = ["name": "dart", "gbtree": ["name": "gbtree", "model": model], "weight_drop": try (0 ..< count).map { _ in Double(try r.f32()) }]
        case "gblinear":
            r.offset += linearParameterBytes
            let count = try r.count(maximum: 1 << 28)
            booster = ["name": "gblinear", "model": ["weights": try (0 ..< count).map { _ in Double(try r.f32()) }]]
        default:
            throw Booster.ModelError(message: "legacy binary model: unknown booster '\(boosterName)'")
        }
        var objective: [String: Any] = ["name": objectiveName]
        var attributes: [String: Any] = [:]
        if hasAttributes {
            for _ in 0 ..< (try r.count(maximum: 1 << 20)) {
                let key = try r.string(maximum: 1 << 20), value = try r.string(maximum: 1 << 24)
                if key == "objective", let json = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any] {
                    objective.merge(json) { _, new in new }  // the objective's parameters, as 1.x saved them
                } else {
                    attributes[key] = value
                }
            }
        }
        // Before 1.0 a count:poisson model then kept its max_delta_step, and the eval metric names followed
        // (1.x keeps those in the `metrics` attribute); neither changes predictions, so a short tail is tolerated.
        if majorVersion < 1 && objectiveName == "count:poisson" && r.offset < r.bytes.count,
           let step = try? r.string(maximum: 64), Double(step) != nil {
            objective["poisson_regression_param"] = ["max_delta_step": step]
        }
        if hasEvalMetrics && r.offset < r.bytes.count, let names = try? r.count(maximum: 1 << 16) {
            for _ in 0 ..< names { _ = try? r.string(maximum: 1 << 16) }
        }
        // Before 1.0 base_score was saved as a margin; XGBoost maps it back to the prediction scale on load.
        var score = Double(baseScore)
        if majorVersion < 1 && !objectiveName.hasPrefix("multi:") {
            switch objectiveName {
            case "binary:logistic", "reg:logistic": score = 1 / (1 + exp(-score))
            case "count:poisson", "reg:gamma", "reg:tweedie": score = exp(score)
            default: break
            }
        }
        let learnerParameters: [String: Any] = ["base_score": String(score), "num_feature": String(numFeature),
                                                "num_class": String(numClass)]
        return ["learner": ["learner_model_param": learnerParameters, "objective": objective,
                            "gradient_booster": booster, "attributes": attributes]]
    }

    private static func treeModel(_ r: inout Reader) throws -> [String: Any] {
        let start = r.offset
        let numTrees = try r.i32()
        let numParallelTree = try r.i32()
        guard numTrees >= 0, numTrees < 1 << 24 else { throw Booster.ModelError(message: "legacy binary model: \(numTrees) trees") }
        r.offset = start + treeModelParameterBytes
        var trees: [[String: Any]] = []
        for t in 0 ..< Int(numTrees) {
            let treeStart = r.offset
            _ = try r.i32()
            let nodes = Int(try r.i32())
            guard nodes > 0, nodes < 1 << 26 else { throw Booster.ModelError(message: "legacy binary model: tree \(t) has \(nodes) nodes") }
            r.offset = treeStart + treeParameterBytes
            var parents = [Int](), left = [Int](), right = [Int](), indices = [Int](), conditions = [Double](), defaultLeft = [Int]()
            for _ in 0 ..< nodes {
                let parent = try r.i32()
                parents.append(parent == -1 ? Int(Int32.max) : Int(parent & Int32.max))  // bit 31 marks a left child
                left.append(Int(try r.i32()))
                right.append(Int(try r.i32()))
                let index = try r.u32()
                indices.append(Int(index & 0x7FFF_FFFF))
                defaultLeft.append(Int(index >> 31))
                conditions.append(Double(try r.f32()))
            }
            var lossChanges = [Double](), hessians = [Double](), baseWeights = [Double]()
            for _ in 0 ..< nodes {
                lossChanges.append(Double(try r.f32()))
                hessians.append(Double(try r.f32()))
                baseWeights.append(Double(try r.f32()))
                _ = try r.i32()
            }
            for j in 0 ..< nodes where left[j] == -1 { indices[j] = 0 }  // leaves: the JSON schema writes 0
            trees.append(["left_children": left, "right_children": right, "parents": parents, "split_indices": indices,
                          "split_conditions": conditions, "default_left": defaultLeft, "loss_changes": lossChanges,
                          "sum_hessian": hessians, "base_weights": baseWeights])
        }
        let treeInfo = try (0 ..< Int(numTrees)).map { _ in Int(try r.i32()) }
        return ["gbtree_model_param": ["num_trees": String(numTrees), "num_parallel_tree": String(max(1, numParallelTree))],
                "tree_info": treeInfo, "trees": trees]
    }

    /// Bounds-checked little-endian reads.
    struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, offset + n <= bytes.count else {
                throw Booster.ModelError(message: "legacy binary model is truncated (needs \(n) bytes at offset \(offset) of \(bytes.count))")
            }
            defer { offset += n }
            return bytes[offset ..< offset + n]
        }
        mutating func u32() throws -> UInt32 { try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
        mutating func f32() throws -> Float { Float(bitPattern: try u32()) }
        mutating func count(maximum: Int) throws -> Int {
            let n = try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard n <= UInt64(maximum) else { throw Booster.ModelError(message: "legacy binary model: a count of \(n) at offset \(offset - 8)") }
            return Int(n)
        }
        mutating func string(maximum: Int) throws -> String {
            let n = try count(maximum: maximum)
            return String(decoding: try take(n), as: UTF8.self)
        }
    }
}
