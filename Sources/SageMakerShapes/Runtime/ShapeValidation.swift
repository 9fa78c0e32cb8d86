// Hand-written runtime for the generated validators: constraint rules, patterns, AWS's
// message format. Codegen/README.md records where each convention comes from.
//
// One violation reads
//   Value 'abc' at 'inputDataConfig.1.member.channelName' failed to satisfy constraint: <constraint>
// with the value quoted (numbers too), `null` bare, and nothing at all for sensitive members
// (`Value at 'x' failed ...`). The request's message is
//   1 validation error detected: <violation>
//   N validation errors detected: <violation>; <violation>; ...
// listing at most `validationMessageLimit` violations.

import Foundation

/// How many violations a `ValidationException` message lists (and counts).
public let validationMessageLimit = 10

/// The `ValidationException` message for `shape`, or nil when it satisfies every constraint.
public func validationMessage(for shape: some ValidatableShape, limit: Int = validationMessageLimit) -> String? {
    validationMessage(errors: shape.validationErrors(), limit: limit)
}

/// Joins violations the way AWS does: `N validation error(s) detected: a; b; c`.
public func validationMessage(errors: [String], limit: Int = validationMessageLimit) -> String? {
    guard !errors.isEmpty else { return nil }
    let listed = errors.prefix(max(1, limit))
    let count = listed.count
    return "\(count) validation error\(count == 1 ? "" : "s") detected: " + listed.joined(separator: "; ")
}

// MARK: - Paths

/// Builds member paths in AWS's notation.
public enum ShapePath {
    /// `parent.member` (or just `member` at the top level).
    public static func member(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : parent + "." + name
    }

    /// The path of list element `index` (0-based): `list.N.member`, N 1-based.
    public static func element(_ list: String, _ index: Int) -> String {
        list + "." + String(index + 1) + ".member"
    }

    /// The path of a map's value: `map.key.member`.
    public static func mapValue(_ map: String, _ key: String) -> String {
        map + "." + key + ".member"
    }

    /// AWS lowers only the first character of a member name (`SSESpecification` -> `sSESpecification`).
    public static func lowerFirst(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }
}

// MARK: - Patterns

/// A model pattern, compiled once with NSRegularExpression and matched against the whole value.
///
/// `source` is the pattern as the model writes it (and as messages quote it); `icuSource` is
/// what is compiled, when the generator had to rewrite a Java-only construct. A pattern that
/// cannot be compiled is never enforced: `matches` returns nil and `compileFailures` lists it.
public final class ShapePattern: @unchecked Sendable, CustomStringConvertible {
    public let source: String
    public let icuSource: String
    private let regex: NSRegularExpression?

    public init(_ source: String, icu: String? = nil) {
        self.source = source
        self.icuSource = icu ?? source
        self.regex = PatternCache.shared.regex(for: icuSource)
    }

    /// Whether NSRegularExpression accepted the pattern.
    public var isEnforced: Bool { regex != nil }

    /// Whether the whole of `value` matches, or nil if the pattern could not be compiled.
    public func matches(_ value: String) -> Bool? {
        guard let regex else { return nil }
        let range = NSRange(value.startIndex..<value.endIndex, in: value)
        return regex.firstMatch(in: value, options: [], range: range) != nil
    }

    public var description: String { source }

    /// The patterns (ICU form) that failed to compile so far; their checks are skipped.
    public static var compileFailures: [String] { PatternCache.shared.failures }
}

/// Compiled patterns by ICU source, shared by every rule that uses the same pattern.
final class PatternCache: @unchecked Sendable {
    static let shared = PatternCache()

    private let lock = NSLock()
    private var compiled: [String: NSRegularExpression] = [:]
    private var failed: [String] = []

    func regex(for pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let regex = compiled[pattern] { return regex }
        if failed.contains(pattern) { return nil }
        // Java's matches() semantics: the pattern must match the whole value.
        guard let regex = try? NSRegularExpression(pattern: "\\A(?:" + pattern + ")\\z") else {
            failed.append(pattern)
            return nil
        }
        compiled[pattern] = regex
        return regex
    }

    var failures: [String] {
        lock.lock()
        defer { lock.unlock() }
        return failed
    }
}

// MARK: - Rules

/// The constraints on a scalar shape (string, number or blob).
public protocol ScalarRules: Sendable {
    associatedtype Value
    /// A sensitive member's value is never echoed in messages.
    var sensitive: Bool { get }
    /// The constraints `value` violates, each as AWS words it ("Member must ...").
    func violations(of value: Value) -> [String]
    /// Every constraint, violated or not, as AWS words it; a list or map whose elements
    /// break one reports all of them: `Member must satisfy constraint: [..., ...]`.
    var constraintDescriptions: [String] { get }
}

/// Length (in Unicode scalars), pattern and enum constraints of a string shape.
public struct StringRules: ScalarRules {
    public let minLength: Int?
    public let maxLength: Int?
    public let pattern: ShapePattern?
    public let allowedValues: [String]?
    public let sensitive: Bool
    private let allowedSet: Set<String>?

    public init(
        minLength: Int? = nil, maxLength: Int? = nil, pattern: ShapePattern? = nil,
        allowedValues: [String]? = nil, sensitive: Bool = false
    ) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.allowedValues = allowedValues
        self.sensitive = sensitive
        self.allowedSet = allowedValues.map(Set.init)
    }

    public func violations(of value: String) -> [String] {
        var result: [String] = []
        let length = value.unicodeScalars.count
        if let maxLength, length > maxLength { result.append(RuleText.maxLength(maxLength)) }
        if let minLength, length < minLength { result.append(RuleText.minLength(minLength)) }
        if let pattern, pattern.matches(value) == false { result.append(RuleText.pattern(pattern)) }
        if let allowedValues, let allowedSet, !allowedSet.contains(value) {
            result.append(RuleText.allowedValues(allowedValues))
        }
        return result
    }

    public var constraintDescriptions: [String] {
        var result: [String] = []
        if let maxLength { result.append(RuleText.maxLength(maxLength)) }
        if let minLength { result.append(RuleText.minLength(minLength)) }
        if let pattern { result.append(RuleText.pattern(pattern)) }
        if let allowedValues { result.append(RuleText.allowedValues(allowedValues)) }
        return result
    }
}

/// Range constraints of an integer or long shape.
public struct IntegerRules: ScalarRules {
    public let min: Int?
    public let max: Int?
    public var sensitive: Bool { false }

    public init(min: Int? = nil, max: Int? = nil) {
        self.min = min
        self.max = max
    }

    public func violations(of value: Int) -> [String] {
        var result: [String] = []
        if let max, value > max { result.append(RuleText.maxValue(String(max))) }
        if let min, value < min { result.append(RuleText.minValue(String(min))) }
        return result
    }

    public var constraintDescriptions: [String] {
        [max.map { RuleText.maxValue(String($0)) }, min.map { RuleText.minValue(String($0)) }].compactMap { $0 }
    }
}

/// Range constraints of a float or double shape.
public struct DoubleRules: ScalarRules {
    public let min: Double?
    public let max: Double?
    public var sensitive: Bool { false }

    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }

    public func violations(of value: Double) -> [String] {
        var result: [String] = []
        if let max, value > max { result.append(RuleText.maxValue(RuleText.bound(max))) }
        if let min, value < min { result.append(RuleText.minValue(RuleText.bound(min))) }
        return result
    }

    public var constraintDescriptions: [String] {
        [max.map { RuleText.maxValue(RuleText.bound($0)) }, min.map { RuleText.minValue(RuleText.bound($0)) }]
            .compactMap { $0 }
    }
}

/// Length constraints (in bytes) of a blob shape.
public struct BlobRules: ScalarRules {
    public let minLength: Int?
    public let maxLength: Int?
    public var sensitive: Bool { false }

    public init(minLength: Int? = nil, maxLength: Int? = nil) {
        self.minLength = minLength
        self.maxLength = maxLength
    }

    public func violations(of value: Data) -> [String] {
        var result: [String] = []
        if let maxLength, value.count > maxLength { result.append(RuleText.maxLength(maxLength)) }
        if let minLength, value.count < minLength { result.append(RuleText.minLength(minLength)) }
        return result
    }

    public var constraintDescriptions: [String] {
        [maxLength.map(RuleText.maxLength), minLength.map(RuleText.minLength)].compactMap { $0 }
    }
}

/// Element-count constraints of a list or map shape.
public struct LengthRules: Sendable {
    public let min: Int?
    public let max: Int?

    public init(min: Int? = nil, max: Int? = nil) {
        self.min = min
        self.max = max
    }

    public func violations(count: Int) -> [String] {
        var result: [String] = []
        if let max, count > max { result.append(RuleText.maxLength(max)) }
        if let min, count < min { result.append(RuleText.minLength(min)) }
        return result
    }
}

/// AWS's wording of each constraint.
enum RuleText {
    static func maxLength(_ value: Int) -> String { "Member must have length less than or equal to \(value)" }
    static func minLength(_ value: Int) -> String { "Member must have length greater than or equal to \(value)" }
    static func maxValue(_ value: String) -> String { "Member must have value less than or equal to \(value)" }
    static func minValue(_ value: String) -> String { "Member must have value greater than or equal to \(value)" }
    static func pattern(_ pattern: ShapePattern) -> String {
        "Member must satisfy regular expression pattern: \(pattern.source)"
    }
    static func allowedValues(_ values: [String]) -> String {
        "Member must satisfy enum value set: [\(values.joined(separator: ", "))]"
    }

    /// A bound as the model writes it: `0`, `1`, `0.5`.
    static func bound(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

// MARK: - Checks the generated validators call

/// The checks generated `validate(at:into:)` methods are made of. Each appends AWS-style
/// messages to `errors`; none stops at the first problem.
public enum ShapeValidation {
    /// `Member must not be null` when a required member is absent.
    public static func required<T>(
        _ value: T?, at path: String, sensitive: Bool = false, into errors: inout [String]
    ) {
        if value == nil {
            errors.append(failure(rendered: sensitive ? nil : "null", at: path, "Member must not be null"))
        }
    }

    /// A scalar member against its shape's rules.
    public static func check<R: ScalarRules>(_ value: R.Value?, _ rules: R, at path: String, into errors: inout [String]) {
        guard let value else { return }
        for violation in rules.violations(of: value) {
            errors.append(failure(rendered: rules.sensitive ? nil : quoted(value), at: path, violation))
        }
    }

    /// A list's or map's element count.
    public static func length<C: Collection>(_ value: C?, _ rules: LengthRules, at path: String, into errors: inout [String]) {
        guard let value else { return }
        for violation in rules.violations(count: value.count) {
            errors.append(failure(rendered: quoted(value), at: path, violation))
        }
    }

    /// A list of scalars: one message for the whole list when any element breaks a rule.
    public static func elements<R: ScalarRules>(_ value: [R.Value]?, _ rules: R, at path: String, into errors: inout [String]) {
        guard let value else { return }
        if value.contains(where: { !rules.violations(of: $0).isEmpty }) {
            let constraint = "Member must satisfy constraint: [\(rules.constraintDescriptions.joined(separator: ", "))]"
            errors.append(failure(rendered: rules.sensitive ? nil : quoted(value), at: path, constraint))
        }
    }

    /// A map's keys: one message for the whole map when any key breaks a rule.
    public static func mapKeys<V>(_ value: [String: V]?, _ rules: StringRules, at path: String, into errors: inout [String]) {
        guard let value else { return }
        if value.keys.contains(where: { !rules.violations(of: $0).isEmpty }) {
            let constraint = "Map key must satisfy constraint: [\(rules.constraintDescriptions.joined(separator: ", "))]"
            errors.append(failure(rendered: rules.sensitive ? nil : quoted(value), at: path, constraint))
        }
    }

    /// A map's scalar values: one message for the whole map when any value breaks a rule.
    public static func mapValues<R: ScalarRules>(
        _ value: [String: R.Value]?, _ rules: R, at path: String, into errors: inout [String]
    ) {
        guard let value else { return }
        if value.values.contains(where: { !rules.violations(of: $0).isEmpty }) {
            let constraint = "Map value must satisfy constraint: [\(rules.constraintDescriptions.joined(separator: ", "))]"
            errors.append(failure(rendered: rules.sensitive ? nil : quoted(value), at: path, constraint))
        }
    }

    /// Validates each element of a list of structures (or of lists) at `list.N.member`.
    public static func each<E>(
        _ value: [E]?, at path: String, into errors: inout [String], _ body: (E, String, inout [String]) -> Void
    ) {
        guard let value else { return }
        for (index, element) in value.enumerated() {
            body(element, ShapePath.element(path, index), &errors)
        }
    }

    /// Validates each value of a map of structures (or of collections) at `map.key.member`,
    /// in key order.
    public static func eachValue<V>(
        _ value: [String: V]?, at path: String, into errors: inout [String], _ body: (V, String, inout [String]) -> Void
    ) {
        guard let value else { return }
        for key in value.keys.sorted() {
            body(value[key]!, ShapePath.mapValue(path, key), &errors)
        }
    }

    /// `Value 'x' at 'path' failed to satisfy constraint: ...`; a nil rendering omits the value.
    public static func failure(rendered: String?, at path: String, _ constraint: String) -> String {
        let value = rendered.map { "Value \($0) " } ?? "Value "
        return "\(value)at '\(path)' failed to satisfy constraint: \(constraint)"
    }

    /// A value as AWS echoes it, in single quotes: strings as is, numbers in decimal, lists as
    /// `[a, b]`, maps as `{k=v, k2=v2}` (keys sorted).
    public static func quoted(_ value: Any) -> String {
        "'" + render(value) + "'"
    }

    static func render(_ value: Any) -> String {
        switch value {
        case let string as String: return string
        case let bool as Bool: return bool ? "true" : "false"
        case let int as Int: return String(int)
        case let double as Double: return renderDouble(double)
        case let date as Date: return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        case let data as Data: return data.base64EncodedString()
        case let json as JSONValue: return renderJSON(json)
        case let array as [Any]: return "[" + array.map(render).joined(separator: ", ") + "]"
        case let map as [String: Any]:
            return "{" + map.keys.sorted().map { "\($0)=\(render(map[$0]!))" }.joined(separator: ", ") + "}"
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                return mirror.children.first.map { render($0.value) } ?? "null"
            }
            guard mirror.displayStyle == .struct else { return String(describing: value) }
            let members = mirror.children.compactMap { child -> String? in
                guard let label = child.label else { return nil }
                let inner = Mirror(reflecting: child.value)
                if inner.displayStyle == .optional && inner.children.isEmpty { return nil }
                return "\(label)=\(render(child.value))"
            }
            return "{" + members.joined(separator: ", ") + "}"
        }
    }

    /// Java's Double.toString for ordinary magnitudes: `1.0`, `0.25`, `1.0E7`.
    static func renderDouble(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        let magnitude = abs(value)
        if magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e7) {
            return String(value)
        }
        let exponent = Int(floor(log10(magnitude)))
        var mantissa = String(value / pow(10, Double(exponent)))
        if !mantissa.contains(".") { mantissa += ".0" }
        return "\(mantissa)E\(exponent)"
    }

    static func renderJSON(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number): return renderDouble(number)
        case .string(let string): return string
        case .array(let array): return "[" + array.map(renderJSON).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { "\($0)=\(renderJSON(object[$0]!))" }.joined(separator: ", ") + "}"
        }
    }
}
