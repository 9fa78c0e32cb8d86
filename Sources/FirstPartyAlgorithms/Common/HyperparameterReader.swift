import Foundation
import TrainingWorker

/// A first-party container's hyperparameters: all strings, merged over the image's defaults, many allowed to be
/// `auto`, booleans in either case. Unknown keys are refused unless they start with `_` (internal keys such as
/// `_kvstore` or `_tuning_objective_metric` are accepted and ignored). Every error names the key, the value and
/// what is allowed, as the job's FailureReason.
struct HyperparameterReader {
    let values: [String: String]

    /// Merges `provided` over `defaults`, logging the three configuration lines the containers print.
    init(provided: [String: String], defaults: [String: String], known: Set<String>, algorithm: String, log: FirstPartyLog) throws {
        log("Reading default configuration from /opt/amazon/lib/python3.8/site-packages/algorithm/resources/default-input.json: \(Self.render(defaults))")
        log("Reading provided configuration from /opt/ml/input/config/hyperparameters.json: \(Self.render(provided))")
        for key in provided.keys.sorted() where !key.hasPrefix("_") && !known.contains(key) && defaults[key] == nil {
            throw AlgorithmError("ClientError: Additional hyperparameters are not allowed ('\(key)' was unexpected) for \(algorithm); "
                + "allowed: \(known.union(defaults.keys).filter { !$0.hasPrefix("_") }.sorted().joined(separator: ", "))")
        }
        values = defaults.merging(provided) { $1 }
        log("Final configuration: \(Self.render(values))")
    }

    /// Python-dict style, as the containers log it.
    static func render(_ map: [String: String]) -> String {
        "{" + map.keys.sorted().map { "u'\($0)': u'\(map[$0]!)'" }.joined(separator: ", ") + "}"
    }

    func raw(_ key: String) -> String? {
        guard let v = values[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return v
    }

    func isAuto(_ key: String) -> Bool { raw(key)?.lowercased() == "auto" }

    func invalid(_ key: String, _ expectation: String) -> AlgorithmError {
        AlgorithmError("ClientError: Invalid hyperparameter \(key)='\(values[key] ?? "")': \(expectation)")
    }

    func required(_ key: String) throws -> String {
        guard let v = raw(key) else { throw AlgorithmError("ClientError: Missing required hyperparameter: \(key)") }
        return v
    }

    /// An integer within `range`; nil when absent (or `auto` and `allowAuto`).
    func int(_ key: String, in range: ClosedRange<Int> = Int.min ... Int.max, allowAuto: Bool = false) throws -> Int? {
        guard let v = raw(key) else { return nil }
        if allowAuto, v.lowercased() == "auto" { return nil }
        // The SDK and Spark sometimes send integral values as floats ("5.0").
        let parsed = Int(v) ?? Double(v).flatMap { $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }
        guard let n = parsed, range.contains(n) else {
            throw invalid(key, "expected an integer\(describe(range))\(allowAuto ? " or 'auto'" : "")")
        }
        return n
    }

    func requiredInt(_ key: String, in range: ClosedRange<Int> = Int.min ... Int.max) throws -> Int {
        _ = try required(key)
        return try int(key, in: range)!
    }

    /// A float within `range` (open bounds via `above`/`below`); nil when absent or `auto` (when allowed).
    func float(_ key: String, atLeast lower: Double? = nil, above: Double? = nil, atMost upper: Double? = nil,
               below: Double? = nil, allowAuto: Bool = false) throws -> Double? {
        guard let v = raw(key) else { return nil }
        if allowAuto, v.lowercased() == "auto" { return nil }
        var bounds: [String] = []
        if let lower { bounds.append(">= \(lower)") }
        if let above { bounds.append("> \(above)") }
        if let upper { bounds.append("<= \(upper)") }
        if let below { bounds.append("< \(below)") }
        let expectation = "expected a number" + (bounds.isEmpty ? "" : " " + bounds.joined(separator: " and ")) + (allowAuto ? " or 'auto'" : "")
        guard let x = Double(v), x.isFinite else { throw invalid(key, expectation) }
        if let lower, x < lower { throw invalid(key, expectation) }
        if let above, x <= above { throw invalid(key, expectation) }
        if let upper, x > upper { throw invalid(key, expectation) }
        if let below, x >= below { throw invalid(key, expectation) }
        return x
    }

    /// `true`/`false` in any case (the SDK sends `True`), nil when absent or `auto` (when allowed).
    func bool(_ key: String, allowAuto: Bool = false) throws -> Bool? {
        guard let v = raw(key) else { return nil }
        switch v.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        case "auto" where allowAuto: return nil
        default: throw invalid(key, "expected true or false\(allowAuto ? " or 'auto'" : "")")
        }
    }

    /// One of `allowed` (case-sensitive as SageMaker is); nil when absent.
    func choice(_ key: String, _ allowed: [String]) throws -> String? {
        guard let v = raw(key) else { return nil }
        guard allowed.contains(v) else { throw invalid(key, "expected one of \(allowed.joined(separator: ", "))") }
        return v
    }

    /// A list of names: `["msd", "ssd"]` (SDK JSON), `[msd,ssd]` (Spark) or `msd,ssd`.
    func list(_ key: String) -> [String]? {
        guard let v = raw(key) else { return nil }
        let inner = v.hasPrefix("[") && v.hasSuffix("]") ? String(v.dropFirst().dropLast()) : v
        return inner.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"'")) }.filter { !$0.isEmpty }
    }

    private func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound == Int.min, range.upperBound == Int.max) {
        case (true, true): ""
        case (false, true): " >= \(range.lowerBound)"
        case (true, false): " <= \(range.upperBound)"
        case (false, false): " in [\(range.lowerBound), \(range.upperBound)]"
        }
    }
}
