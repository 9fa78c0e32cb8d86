import Foundation

/// Builds the SigV4 canonical request from what arrived on the wire.
public enum CanonicalRequest {
    /// - Parameters:
    ///   - s3Style: S3 encodes the path once and never normalises it; other services encode twice and normalise.
    ///   - excludeQuery: query keys to leave out (the presigned signature itself).
    public static func build(
        _ request: SignableRequest, signedHeaders: [String], payloadHash: String, s3Style: Bool, excludeQuery: Set<String> = []
    ) -> String {
        let uri = canonicalURI(request.rawPath, s3Style: s3Style)
        let query = canonicalQuery(request.rawQuery, excluding: excludeQuery)
        var headerLines = ""
        for name in signedHeaders {
            let values = request.values(name).map(trimAndCollapse)
            headerLines += "\(name):\(values.joined(separator: ","))\n"
        }
        return [request.method, uri, query, headerLines, signedHeaders.joined(separator: ";"), payloadHash].joined(separator: "\n")
    }

    public static func canonicalURI(_ rawPath: String, s3Style: Bool) -> String {
        let path = rawPath.isEmpty ? "/" : rawPath
        if s3Style {
            return URIEncoding.encode(URIEncoding.decodeToBytes(path), keepSlash: true)
        }
        // Other services: normalise dot segments and empty segments, then encode the (still encoded) path again.
        let normalized = normalizePath(path)
        return URIEncoding.encode(Array(normalized.utf8), keepSlash: true)
    }

    static func normalizePath(_ path: String) -> String {
        var out: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(segment)
        }
        var result = "/" + out.joined(separator: "/")
        if path.hasSuffix("/") && result != "/" { result += "/" }
        return result
    }

    public static func canonicalQuery(_ rawQuery: String, excluding: Set<String>) -> String {
        var pairs: [(key: String, value: String)] = []
        for item in QueryString.parse(rawQuery) where !excluding.contains(item.name) {
            pairs.append((URIEncoding.encode(item.name, keepSlash: false), URIEncoding.encode(item.value, keepSlash: false)))
        }
        pairs.sort { (a: (key: String, value: String), b: (key: String, value: String)) -> Bool in
            a.key == b.key ? a.value < b.value : a.key < b.key
        }
        return pairs.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    /// Trims a header value and collapses inner runs of spaces to one, as SigV4 requires.
    static func trimAndCollapse(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for ch in value.trimmingOptionalWhitespace {
            if ch == " " || ch == "\t" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(ch)
                lastWasSpace = false
            }
        }
        return out
    }
}

