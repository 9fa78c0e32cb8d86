/// Why a request's signature was refused. Each protocol maps these to its own error codes.
public enum AuthFailure: Error, Equatable, Sendable {
    /// No signature of any kind.
    case missingAuthentication
    /// The Authorization header or presigned query is malformed; the message says how.
    case malformed(String)
    /// The access key id is not known.
    case unknownAccessKey(String)
    /// The computed signature differs; carries the canonical request and string to sign for the error body.
    case signatureMismatch(canonicalRequest: String, stringToSign: String)
    /// X-Amz-Date is more than 15 minutes away from the server's clock.
    case requestTimeTooSkewed(requestTime: String, serverTime: String)
    /// A presigned URL whose expiry has passed.
    case expired(expiredAt: String, serverTime: String)
    /// An `x-amz-*` header that changes the request's meaning was not signed.
    case unsignedHeaders(String)
    /// The body's SHA-256 differs from `x-amz-content-sha256`.
    case contentSHA256Mismatch(claimed: String, computed: String)
}
