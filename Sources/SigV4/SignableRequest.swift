/// What the verifier needs to know of an HTTP request, exactly as it arrived on the wire.
public struct SignableRequest: Sendable {
    public var method: String
    /// The request target's path, still percent-encoded as sent.
    public var rawPath: String
    /// The query string without `?`, still percent-encoded; empty if none.
    public var rawQuery: String
    /// Header names lower-cased; repeated headers keep every value in order.
    public var headers: [(name: String, value: String)]

    public init(method: String, rawPath: String, rawQuery: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
    }

    /// Every value of a header (name in any case), in arrival order.
    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name == lower }.map(\.value)
    }

    public func header(_ name: String) -> String? { values(name).first }

    /// Query parameters as decoded (name, value) pairs, in order; names without `=` get "".
    public var queryItems: [(name: String, value: String)] {
        QueryString.parse(rawQuery)
    }
}

/// Splits a raw query string into percent-decoded pairs (SigV4 style: `+` stays `+`).
public enum QueryString {
    public static func parse(_ raw: String) -> [(name: String, value: String)] {
        guard !raw.isEmpty else { return [] }
        return raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                let name = String(decoding: URIEncoding.decodeToBytes(pair[..<eq]), as: UTF8.self)
                let value = String(decoding: URIEncoding.decodeToBytes(pair[pair.index(after: eq)...]), as: UTF8.self)
                return (name, value)
            }
            return (String(decoding: URIEncoding.decodeToBytes(pair), as: UTF8.self), "")
        }
    }
}
