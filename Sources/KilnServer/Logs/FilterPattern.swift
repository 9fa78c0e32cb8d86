import AWSWire
import Foundation

/// CloudWatch Logs' term filter patterns for unstructured events: `ERROR`, `"exact phrase"`, `ERROR -DEBUG`
/// (all terms must match, `-term` excludes), `?ERROR ?WARN` (any of). JSON and space-delimited patterns are refused.
struct FilterPattern {
    var required: [String] = []
    var excluded: [String] = []
    var anyOf: [String] = []

    init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            throw AWSError("InvalidParameterException", status: 400, "Kiln supports term filter patterns only; JSON and space-delimited patterns are not implemented")
        }
        for term in Self.tokens(trimmed) {
            if term.hasPrefix("?") { anyOf.append(String(term.dropFirst())) }
            else if term.hasPrefix("-") && term.count > 1 { excluded.append(String(term.dropFirst())) }
            else { required.append(term) }
        }
    }

    func matches(_ message: String) -> Bool {
        if !anyOf.isEmpty && !anyOf.contains(where: { message.contains($0) }) { return false }
        return required.allSatisfy { message.contains($0) } && !excluded.contains { message.contains($0) }
    }

    static func tokens(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        for ch in s {
            if ch == "\"" { quoted.toggle(); continue }
            if ch == " " && !quoted {
                if !current.isEmpty { out.append(current); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

