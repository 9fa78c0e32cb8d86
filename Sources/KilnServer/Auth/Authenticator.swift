import Foundation
import Metadata
import SigV4
import Synchronization

/// How strictly signatures are checked.
public enum AuthMode: String, Sendable, CaseIterable {
    /// Real SigV4 verification against the keys in the metadata store.
    case sigv4
    /// Development only: any well-formed signature passes; the region still comes from its scope.
    case acceptAny = "accept-any"
}

/// Who made a request, once authenticated.
struct Caller: Sendable {
    var accountId: String
    var accessKeyId: String
    var userName: String
    /// The region from the credential scope (AWS namespaces resources by it).
    var region: String
    /// Present when the signature was actually verified; seeds aws-chunked chunk signatures.
    var verified: VerifiedSignature?

    var arn: String { userName == "root" ? "arn:aws:iam::\(accountId):root" : "arn:aws:iam::\(accountId):user/\(userName)" }
}

/// Checks request signatures against the access keys in the metadata store, caching keys in memory.
final class Authenticator: Sendable {
    let mode: AuthMode
    let keys: any AccessKeyRepository
    let defaultAccountId: String
    let defaultRegion: String
    private let cache = Mutex<[String: AccessKey]>([:])
    private let verifier = SignatureVerifier()

    init(mode: AuthMode, keys: any AccessKeyRepository, defaultAccountId: String, defaultRegion: String) {
        (self.mode, self.keys, self.defaultAccountId, self.defaultRegion) = (mode, keys, defaultAccountId, defaultRegion)
    }

    /// Key ids that were not found, remembered in accept-any mode only (where any id is accepted, so a client
    /// may sign with a made-up one on every request); bounded like the signing-key cache.
    private let unknownIds = Mutex<Set<String>>([])

    func lookup(_ id: String) async throws -> AccessKey? {
        if let hit = cache.withLock({ $0[id] }) { return hit }
        if mode == .acceptAny, unknownIds.withLock({ $0.contains(id) }) { return nil }
        guard let key = try await keys.accessKey(id: id) else {
            if mode == .acceptAny {
                unknownIds.withLock {
                    if $0.count >= 1024 { $0.removeAll() }
                    $0.insert(id)
                }
            }
            return nil
        }
        cache.withLock { $0[id] = key }
        return key
    }

    /// Cheap checks that need no body: a signature is present and, in sigv4 mode, its key exists.
    func precheck(_ claim: AuthClaim) async throws {
        guard let id = claim.accessKeyId else { throw AuthFailure.missingAuthentication }
        if mode == .sigv4, try await lookup(id) == nil { throw AuthFailure.unknownAccessKey(id) }
    }

    /// - Parameter bodySHA256: hex SHA-256 of the body for services that sign it (all but S3).
    func authenticate(_ request: IncomingRequest, claim: AuthClaim, bodySHA256: String?, now: Date = Date()) async throws -> Caller {
        guard let accessKeyId = claim.accessKeyId else { throw AuthFailure.missingAuthentication }
        let key = try await lookup(accessKeyId)
        let region = claim.region ?? defaultRegion
        switch mode {
        case .acceptAny:
            return Caller(accountId: key?.accountId ?? defaultAccountId, accessKeyId: accessKeyId, userName: key?.userName ?? "root",
                          region: region, verified: nil)
        case .sigv4:
            guard let key else { throw AuthFailure.unknownAccessKey(accessKeyId) }
            let verified = try verifier.verify(request.signable, claim: claim, secret: key.secretAccessKey, bodySHA256: bodySHA256, now: now)
            return Caller(accountId: key.accountId, accessKeyId: accessKeyId, userName: key.userName, region: region, verified: verified)
        }
    }
}
