/// Builds XML documents the way S3 and the query protocols answer: no pretty-printing, escaped text.
public struct XMLWriter: Sendable {
    public private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    public init() {}

    /// Opens `name`, writes the children `body` adds, and closes it.
    public mutating func element(_ name: String, namespace: String? = nil, _ body: (inout XMLWriter) -> Void) {
        text += namespace.map { "<\(name) xmlns=\"\($0)\">" } ?? "<\(name)>"
        body(&self)
        text += "</\(name)>"
    }

    /// A leaf element with escaped text.
    public mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>\(XMLWriter.escape(value))</\(name)>"
    }

    /// A leaf element only when the value is present.
    public mutating func element(_ name: String, ifPresent value: String?) {
        if let value { element(name, value) }
    }

    /// Appends already-escaped text.
    public mutating func raw(_ escaped: String) { text += escaped }

    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0 text.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" {
                    out += "&#\(ch.value);"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }
}
