/// A parsed XML element: enough of XML for the small request bodies S3 receives
/// (CompleteMultipartUpload, Delete, CreateBucketConfiguration). No DTDs, no processing instructions kept.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var children: [XMLNode] = []
    public var text: String = ""

    public init(name: String, children: [XMLNode] = [], text: String = "") {
        (self.name, self.children, self.text) = (name, children, text)
    }

    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    public func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    public func value(_ name: String) -> String? { child(name)?.text }
}

public struct XMLParseError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// A small, strict, non-validating XML parser. Namespace prefixes are stripped from element names.
public enum XMLParser {
    public static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLNode {
        var p = Cursor(bytes: bytes)
        p.skipProlog()
        guard let root = try p.element(depth: 0) else { throw XMLParseError(description: "no root element") }
        return root
    }

    struct Cursor {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() { while i < bytes.count, [9, 10, 13, 32].contains(bytes[i]) { i += 1 } }

        func startsWith(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= bytes.count && Array(bytes[i..<(i + u.count)]) == u
        }

        mutating func skipPast(_ s: String) {
            while i < bytes.count && !startsWith(s) { i += 1 }
            i = min(bytes.count, i + s.utf8.count)
        }

        mutating func skipProlog() {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
            while true {
                skipSpace()
                if startsWith("<?") { skipPast("?>") } else if startsWith("<!--") { skipPast("-->") } else if startsWith("<!") { skipPast(">") } else { return }
            }
        }

        mutating func name() -> String {
            let start = i
            while i < bytes.count, !([9, 10, 13, 32, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "=")].contains(bytes[i])) { i += 1 }
            let full = String(decoding: bytes[start..<i], as: UTF8.self)
            return full.split(separator: ":").last.map(String.init) ?? full
        }

        mutating func element(depth: Int) throws(XMLParseError) -> XMLNode? {
            guard depth < 64 else { throw XMLParseError(description: "XML nested too deeply") }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { return nil }
            i += 1
            var node = XMLNode(name: name())
            guard !node.name.isEmpty else { throw XMLParseError(description: "empty element name") }
            // Attributes are skipped (S3 request bodies carry only xmlns).
            while i < bytes.count, bytes[i] != UInt8(ascii: ">") && !(bytes[i] == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: ">")) {
                if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                    let q = bytes[i]
                    i += 1
                    while i < bytes.count && bytes[i] != q { i += 1 }
                }
                i += 1
            }
            guard i < bytes.count else { throw XMLParseError(description: "unterminated start tag <\(node.name)>") }
            if bytes[i] == UInt8(ascii: "/") { i += 2; return node }
            i += 1
            var text: [UInt8] = []
            while true {
                guard i < bytes.count else { throw XMLParseError(description: "missing </\(node.name)>") }
                if startsWith("</") {
                    i += 2
                    let closing = name()
                    guard closing == node.name else { throw XMLParseError(description: "expected </\(node.name)> but found </\(closing)>") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw XMLParseError(description: "bad end tag") }
                    i += 1
                    node.text = try XMLParser.unescape(text)
                    return node
                } else if startsWith("<!--") {
                    skipPast("-->")
                } else if startsWith("<![CDATA[") {
                    i += 9
                    while i < bytes.count && !startsWith("]]>") { text.append(bytes[i]); i += 1 }
                    i += 3
                } else if bytes[i] == UInt8(ascii: "<") {
                    if let child = try element(depth: depth + 1) { node.children.append(child) }
                } else {
                    text.append(bytes[i])
                    i += 1
                }
            }
        }
    }

    static func unescape(_ raw: [UInt8]) throws(XMLParseError) -> String {
        let s = String(decoding: raw, as: UTF8.self)
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { throw XMLParseError(description: "bad entity") }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                if entity.hasPrefix("#x"), let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                    out.unicodeScalars.append(u)
                } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let u = Unicode.Scalar(v) {
                    out.unicodeScalars.append(u)
                } else {
                    throw XMLParseError(description: "unknown entity &\(entity);")
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
