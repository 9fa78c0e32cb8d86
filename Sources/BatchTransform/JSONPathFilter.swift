import Foundation

/// The JSONPath subset SageMaker batch transform accepts in `InputFilter` and `OutputFilter`:
/// `$`, `.name`, `['name', …]`, `[i]`, `[i:j]`, `[a,b,…]` (indexes and slices mixed, negative from the end) and `*`.
///
/// On a CSV row the row is a JSON array of its cells, so only index, slice, union and `*` selectors apply; the
/// selected cells become the new row. On a JSON value the path walks objects and arrays.
public struct JSONPathFilter: Sendable, Equatable, CustomStringConvertible {
    public enum Selector: Sendable, Equatable {
        case index(Int)
        case slice(Int?, Int?)
        case key(String)
        case wildcard
    }

    /// One step after `$`: a set of selectors (a `.name` step is a one-key set).
    public let steps: [[Selector]]
    public let description: String

    /// `$` (or an empty filter): everything passes unchanged.
    public var isIdentity: Bool { steps.isEmpty }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws {
        description = text
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        if chars.isEmpty {
            steps = []
            return
        }
        func fail(_ why: String) -> ParseError {
            ParseError(description: "Invalid JSONPath expression '\(text)': \(why). Supported: $, $.name, $['a','b'], $[i], $[i:j], $[a,b], $[*]")
        }
        guard chars[0] == "$" else { throw fail("it must start with $") }
        var i = 1
        var parsed: [[Selector]] = []
        while i < chars.count {
            if chars[i] == "." {
                i += 1
                var name = ""
                while i < chars.count, chars[i] != ".", chars[i] != "[" {
                    name.append(chars[i])
                    i += 1
                }
                guard !name.isEmpty else { throw fail("a '.' must be followed by a name") }
                parsed.append([name == "*" ? .wildcard : .key(name)])
            } else if chars[i] == "[" {
                guard let close = chars[i...].firstIndex(of: "]") else { throw fail("'[' is not closed") }
                let inner = String(chars[(i + 1)..<close])
                i = close + 1
                var selectors: [Selector] = []
                for raw in inner.split(separator: ",", omittingEmptySubsequences: false) {
                    let part = raw.trimmingCharacters(in: .whitespaces)
                    if part == "*" {
                        selectors.append(.wildcard)
                    } else if part.count >= 2, let q = part.first, q == "'" || q == "\"", part.last == q {
                        selectors.append(.key(String(part.dropFirst().dropLast())))
                    } else if part.contains(":") {
                        let bounds = part.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                        guard bounds.count == 2 else { throw fail("slices are [start:end]") }
                        func bound(_ s: String) throws -> Int? {
                            if s.isEmpty { return nil }
                            guard let n = Int(s) else { throw fail("'\(s)' is not an integer") }
                            return n
                        }
                        selectors.append(.slice(try bound(bounds[0]), try bound(bounds[1])))
                    } else if let n = Int(part) {
                        selectors.append(.index(n))
                    } else {
                        throw fail("'\(part)' is not an index, slice, quoted name or *")
                    }
                }
                guard !selectors.isEmpty else { throw fail("empty brackets") }
                parsed.append(selectors)
            } else {
                throw fail("unexpected '\(chars[i])'")
            }
        }
        steps = parsed
    }

    /// The positions a step picks from an array of `count` elements, in order; nil if an index is out of range.
    static func positions(_ selectors: [Selector], count: Int) -> [Int]? {
        var out: [Int] = []
        for s in selectors {
            switch s {
            case .wildcard: out += Array(0..<count)
            case .index(let n):
                let k = n < 0 ? count + n : n
                guard k >= 0, k < count else { return nil }
                out.append(k)
            case .slice(let a, let b):
                func clamp(_ v: Int) -> Int { min(max(v < 0 ? count + v : v, 0), count) }
                let lo = clamp(a ?? 0), hi = clamp(b ?? count)
                if lo < hi { out += Array(lo..<hi) }
            case .key: return nil
            }
        }
        return out
    }

    /// Applies the filter to a CSV row's cells.
    public func apply(cells: [Substring]) throws -> [Substring] {
        guard !isIdentity else { return cells }
        guard steps.count == 1 else {
            throw ParseError(description: "JSONPath '\(description)' descends into nested values; a CSV row is a flat array, so use $[i], $[i:j] or $[a,b]")
        }
        guard let picked = Self.positions(steps[0], count: cells.count) else {
            throw ParseError(description: "JSONPath '\(description)' selects a column outside the row's \(cells.count) columns (or names a key, which CSV rows do not have)")
        }
        return picked.map { cells[$0] }
    }

    /// Applies the filter to a parsed JSON value (from `JSONSerialization`).
    public func apply(json value: Any) throws -> Any {
        var current = value
        for step in steps {
            let single = step.count == 1 && { if case .index = step[0] { return true }; if case .key = step[0] { return true }; return false }()
            if let array = current as? [Any] {
                guard let picked = Self.positions(step, count: array.count) else {
                    throw ParseError(description: "JSONPath '\(description)' selects an index outside an array of \(array.count) elements (or a key of an array)")
                }
                current = single ? array[picked[0]] : picked.map { array[$0] } as Any
            } else if let object = current as? [String: Any] {
                if step == [.wildcard] {
                    current = object.keys.sorted().map { object[$0]! } as Any
                    continue
                }
                var picked: [String: Any] = [:]
                for s in step {
                    guard case .key(let k) = s else {
                        throw ParseError(description: "JSONPath '\(description)' indexes a JSON object by position; name its keys instead")
                    }
                    guard let v = object[k] else { throw ParseError(description: "JSONPath '\(description)': the record has no key '\(k)'") }
                    picked[k] = v
                }
                if single, case .key(let k) = step[0] { current = picked[k]! } else { current = picked }
            } else {
                throw ParseError(description: "JSONPath '\(description)' descends into a value that is neither an array nor an object")
            }
        }
        return current
    }
}
