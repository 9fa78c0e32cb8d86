import Crypto
import Foundation

/// Signature Version 2 query authentication, which `generate_presigned_url` uses by default for S3.
enum SigV2 {
    /// Sub-resources that are part of the canonicalised resource, per the S3 SigV2 rules.
    static let subresources: Set<String> = [
        "acl", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy", "requestPayment",
        "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
        "response-content-type", "response-expires", "restore", "tagging", "torrent", "uploadId", "uploads", "versionId",
        "versioning", "versions", "website", "cors", "replication", "encryption", "object-lock", "retention", "legal-hold",
    ]

    static func stringToSign(_ request: SignableRequest, expires: Int) -> String {
        let md5 = request.header("content-md5") ?? ""
        let type = request.header("content-type") ?? ""
        var amzHeaders: [String: [String]] = [:]
        for (name, value) in request.headers where name.hasPrefix("x-amz-") {
            amzHeaders[name, default: []].append(value.trimmingCharacters(in: .whitespaces))
        }
        let amz = amzHeaders.keys.sorted().map { "\($0):\(amzHeaders[$0]!.joined(separator: ","))\n" }.joined()
        var resource = request.rawPath.isEmpty ? "/" : request.rawPath
        let subs = request.queryItems.filter { subresources.contains($0.name) }.sorted { $0.name < $1.name }
        if !subs.isEmpty {
            resource += "?" + subs.map { $0.value.isEmpty ? $0.name : "\($0.name)=\($0.value)" }.joined(separator: "&")
        }
        return "\(request.method)\n\(md5)\n\(type)\n\(expires)\n\(amz)\(resource)"
    }

    static func sign(_ stringToSign: String, secret: String) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return Data(mac).base64EncodedString()
    }
}
