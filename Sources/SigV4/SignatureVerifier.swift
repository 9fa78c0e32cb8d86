import Crypto
import Foundation

/// The outcome of a successful verification: who signed, for which scope, and what chunk signatures chain from.
public struct VerifiedSignature: Sendable {
    public var scope: CredentialScope
    /// The request's signature (seed for aws-chunked chunk signatures).
    public var signature: String
    public var amzDate: String
    public var signingKey: SymmetricKey
    /// `x-amz-content-sha256` for S3 (hex, `UNSIGNED-PAYLOAD` or a `STREAMING-…` value), else the body hash used.
    public var payloadHash: String
    public var kind: Kind

    public enum Kind: Sendable { case header, presignedV4, presignedV2 }
}

/// How a request claims to be authenticated, parsed but not yet checked.
public enum AuthClaim: Sendable {
    case none
    case header(scope: CredentialScope, signedHeaders: [String], signature: String)
    case presignedV4(scope: CredentialScope, signedHeaders: [String], signature: String, amzDate: String, expires: Int)
    case presignedV2(accessKeyId: String, signature: String, expires: Int)

    public var accessKeyId: String? {
        switch self {
        case .none: nil
        case .header(let s, _, _), .presignedV4(let s, _, _, _, _): s.accessKeyId
        case .presignedV2(let id, _, _): id
        }
    }

    /// The service named in the credential scope (SigV2 presigned URLs are S3 only).
    public var service: String? {
        switch self {
        case .none: nil
        case .header(let s, _, _), .presignedV4(let s, _, _, _, _): s.service
        case .presignedV2: "s3"
        }
    }

    public var region: String? {
        switch self {
        case .none, .presignedV2: nil
        case .header(let s, _, _), .presignedV4(let s, _, _, _, _): s.region
        }
    }

    /// Reads the Authorization header or the presigned query parameters.
    public static func parse(_ request: SignableRequest) throws(AuthFailure) -> AuthClaim {
        if let auth = request.header("authorization") {
            return try parseAuthorizationHeader(auth)
        }
        let query = Dictionary(request.queryItems.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        if let algorithm = query["X-Amz-Algorithm"] {
            guard algorithm == "AWS4-HMAC-SHA256" else { throw .malformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"") }
            guard let credential = query["X-Amz-Credential"], let signature = query["X-Amz-Signature"],
                  let signed = query["X-Amz-SignedHeaders"], let date = query["X-Amz-Date"], let expiresText = query["X-Amz-Expires"]
            else {
                throw .malformed("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
            }
            guard let expires = Int(expiresText), expires >= 0 else { throw .malformed("X-Amz-Expires should be a number") }
            guard expires <= 604_800 else { throw .malformed("X-Amz-Expires must be less than a week (in seconds) that is 604800") }
            return .presignedV4(scope: try CredentialScope(parsing: credential), signedHeaders: signed.split(separator: ";").map(String.init),
                                signature: signature, amzDate: date, expires: expires)
        }
        if let key = query["AWSAccessKeyId"] {
            guard let signature = query["Signature"], let expiresText = query["Expires"], let expires = Int(expiresText) else {
                throw .malformed("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
            }
            return .presignedV2(accessKeyId: key, signature: signature, expires: expires)
        }
        return .none
    }

    static func parseAuthorizationHeader(_ value: String) throws(AuthFailure) -> AuthClaim {
        let prefix = "AWS4-HMAC-SHA256 "
        guard value.utf8.starts(with: prefix.utf8) else {
            if value.hasPrefix("AWS ") { throw .malformed("Signature Version 2 header authentication is not supported; use Signature Version 4") }
            throw .malformed("Unsupported Authorization Type")
        }
        // Byte-level: `Name=value` pairs separated by commas (this runs on every request).
        var credential: String?, signed: String?, signature: String?
        let bytes = Array(value.utf8)
        var i = prefix.utf8.count
        while i < bytes.count {
            var end = i
            while end < bytes.count, bytes[end] != UInt8(ascii: ",") { end += 1 }
            var a = i, b = end
            while a < b, bytes[a] == 32 || bytes[a] == 9 { a += 1 }
            while b > a, bytes[b - 1] == 32 || bytes[b - 1] == 9 { b -= 1 }
            if let eq = bytes[a ..< b].firstIndex(of: UInt8(ascii: "=")) {
                let name = bytes[a ..< eq]
                let text = String(decoding: bytes[(eq + 1) ..< b], as: UTF8.self)
                if name.elementsEqual("Credential".utf8) { credential = text }
                else if name.elementsEqual("SignedHeaders".utf8) { signed = text }
                else if name.elementsEqual("Signature".utf8) { signature = text }
            }
            i = end + 1
        }
        guard let credential, let signed, let signature else {
            throw .malformed("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters")
        }
        return .header(scope: try CredentialScope(parsing: credential), signedHeaders: signed.utf8.split(separator: UInt8(ascii: ";")).map { String(decoding: $0, as: UTF8.self) },
                       signature: signature)
    }
}

/// Verifies SigV4 header and presigned signatures (and SigV2 presigned S3 URLs).
public struct SignatureVerifier: Sendable {
    /// Allowed distance between the request's X-Amz-Date and now.
    public var maxSkew: TimeInterval = 15 * 60

    public init() {}

    /// - Parameters:
    ///   - bodySHA256: hex SHA-256 of the buffered body, for services whose body is hashed into the signature
    ///     (everything but S3). S3 signs `x-amz-content-sha256` instead, which the caller checks as the body streams.
    public func verify(
        _ request: SignableRequest, claim: AuthClaim, secret: String, bodySHA256: String?, now: Date = Date()
    ) throws(AuthFailure) -> VerifiedSignature {
        switch claim {
        case .none:
            throw .missingAuthentication
        case .header(let scope, let signedHeaders, let signature):
            guard let amzDate = request.header("x-amz-date") ?? request.header("date").flatMap(Self.amzDateFromHTTPDate) else {
                throw .malformed("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
            }
            guard let requestTime = AmzDate.parse(amzDate) else { throw .malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"") }
            guard abs(requestTime.timeIntervalSince(now)) <= maxSkew else {
                throw .requestTimeTooSkewed(requestTime: amzDate, serverTime: AmzDate.format(now))
            }
            try checkScopeDate(scope, amzDate: amzDate)
            let isS3 = scope.service == "s3"
            let payloadHash: String
            if isS3 {
                guard let claimed = request.header("x-amz-content-sha256") else {
                    throw .malformed("Missing required header for this request: x-amz-content-sha256")
                }
                payloadHash = claimed
            } else {
                payloadHash = request.header("x-amz-content-sha256") ?? bodySHA256 ?? SigV4Crypto.emptySHA256
                if let body = bodySHA256, payloadHash != body, payloadHash != "UNSIGNED-PAYLOAD" {
                    throw .contentSHA256Mismatch(claimed: payloadHash, computed: body)
                }
            }
            guard signedHeaders.contains("host") else { throw .malformed("'Host' must be a signed header") }
            if isS3 { try Self.requireSignedAmzHeaders(request, signedHeaders: signedHeaders, allowUnsigned: []) }
            return try check(request, scope: scope, signedHeaders: signedHeaders, signature: signature, amzDate: amzDate,
                             payloadHash: payloadHash, s3Style: isS3, secret: secret, kind: .header)
        case .presignedV4(let scope, let signedHeaders, let signature, let amzDate, let expires):
            guard let signedAt = AmzDate.parse(amzDate) else { throw .malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"") }
            if signedAt.timeIntervalSince(now) > maxSkew {
                throw .requestTimeTooSkewed(requestTime: amzDate, serverTime: AmzDate.format(now))
            }
            let expiry = signedAt.addingTimeInterval(TimeInterval(expires))
            guard now <= expiry else { throw .expired(expiredAt: Self.iso(expiry), serverTime: Self.iso(now)) }
            try checkScopeDate(scope, amzDate: amzDate)
            let isS3 = scope.service == "s3"
            if isS3 { try Self.requireSignedAmzHeaders(request, signedHeaders: signedHeaders, allowUnsigned: ["x-amz-content-sha256"]) }
            let payloadHash = isS3 ? "UNSIGNED-PAYLOAD" : (bodySHA256 ?? SigV4Crypto.emptySHA256)
            return try check(request, scope: scope, signedHeaders: signedHeaders, signature: signature, amzDate: amzDate,
                             payloadHash: payloadHash, s3Style: isS3, secret: secret, kind: .presignedV4, excludeQuery: ["X-Amz-Signature"])
        case .presignedV2(let accessKeyId, let signature, let expires):
            let expiry = Date(timeIntervalSince1970: TimeInterval(expires))
            guard now <= expiry else { throw .expired(expiredAt: Self.iso(expiry), serverTime: Self.iso(now)) }
            let stringToSign = SigV2.stringToSign(request, expires: expires)
            let expected = SigV2.sign(stringToSign, secret: secret)
            guard SigV4Crypto.constantTimeEquals(expected, signature) else {
                throw .signatureMismatch(canonicalRequest: "", stringToSign: stringToSign)
            }
            let scope = CredentialScope(accessKeyId: accessKeyId, date: "", region: "us-east-1", service: "s3")
            return VerifiedSignature(scope: scope, signature: signature, amzDate: AmzDate.format(now),
                                     signingKey: SymmetricKey(data: [UInt8]()), payloadHash: "UNSIGNED-PAYLOAD", kind: .presignedV2)
        }
    }

    private func check(
        _ request: SignableRequest, scope: CredentialScope, signedHeaders: [String], signature: String, amzDate: String,
        payloadHash: String, s3Style: Bool, secret: String, kind: VerifiedSignature.Kind, excludeQuery: Set<String> = []
    ) throws(AuthFailure) -> VerifiedSignature {
        let canonical = CanonicalRequest.build(request, signedHeaders: signedHeaders, payloadHash: payloadHash,
                                               s3Style: s3Style, excludeQuery: excludeQuery)
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope.scopeString, SigV4Crypto.sha256Hex(Array(canonical.utf8))]
            .joined(separator: "\n")
        let key = SigV4Crypto.signingKey(secret: secret, scope: scope)
        let expected = SigV4Crypto.hmacHex(stringToSign, key: key)
        guard SigV4Crypto.constantTimeEquals(expected, signature.lowercased()) else {
            throw .signatureMismatch(canonicalRequest: canonical, stringToSign: stringToSign)
        }
        return VerifiedSignature(scope: scope, signature: expected, amzDate: amzDate, signingKey: key, payloadHash: payloadHash, kind: kind)
    }

    /// S3 refuses `x-amz-*` headers that the signature does not cover: they change what a request does
    /// (`x-amz-copy-source` turns a PUT into a copy), so a presigned URL must not be extendable with them.
    static func requireSignedAmzHeaders(_ request: SignableRequest, signedHeaders: [String], allowUnsigned: Set<String>) throws(AuthFailure) {
        let signed = Set(signedHeaders)
        for (name, _) in request.headers where name.hasPrefix("x-amz-") && !signed.contains(name) && !allowUnsigned.contains(name) {
            throw .unsignedHeaders(name)
        }
    }

    private func checkScopeDate(_ scope: CredentialScope, amzDate: String) throws(AuthFailure) {
        guard amzDate.hasPrefix(scope.date) else {
            throw .malformed("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(scope.date)' != '\(amzDate.prefix(8))'")
        }
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// Converts an RFC 1123 `Date:` header to the basic ISO form, for clients that sign `date` instead of `x-amz-date`.
    static func amzDateFromHTTPDate(_ value: String) -> String? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: value).map(AmzDate.format)
    }
}
