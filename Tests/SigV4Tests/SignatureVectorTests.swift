import Crypto
import Foundation
import KilnChecksums
import Testing
@testable import SigV4

/// One vector from Vectors/*.json (see Vectors/README.md for where each came from).
struct SignatureVector: Sendable, CustomTestStringConvertible {
    let raw: [String: any Sendable]
    var name: String { raw["name"] as! String }
    var testDescription: String { name }

    static func load(_ file: String) -> [SignatureVector] {
        let url = Bundle.module.url(forResource: "Vectors/\(file)", withExtension: "json")!
        let obj = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (obj["vectors"] as! [[String: Any]]).map { SignatureVector(raw: $0.mapValues { $0 as! any Sendable }) }
    }

    var request: [String: Any] { raw["request"] as! [String: Any] }
    var expected: [String: Any] { raw["expected"] as! [String: Any] }
    var credentials: [String: String] { raw["credentials"] as! [String: String] }
    var isS3: Bool { (raw["service"] as? String) == "s3" }

    var body: [UInt8] {
        if let b64 = request["bodyBase64"] as? String { return Array(Data(base64Encoded: b64)!) }
        return expandSegments(request["bodySegments"] as? [[String: Any]] ?? [])
    }

    var signable: SignableRequest {
        let headers = (request["headers"] as! [[String]]).map { (name: $0[0], value: $0[1]) }
        return SignableRequest(method: request["method"] as! String, rawPath: request["rawPath"] as! String,
                               rawQuery: request["rawQuery"] as! String, headers: headers)
    }

    var now: Date { ISO8601DateFormatter().date(from: raw["now"] as! String)! }
}

/// Expands `{"text"}`, `{"repeat":{byte,count}}` and `{"mod251":{start,count}}` body segments.
func expandSegments(_ segments: [[String: Any]]) -> [UInt8] {
    var out = [UInt8]()
    for s in segments {
        if let t = s["text"] as? String { out += Array(t.utf8) }
        if let r = s["repeat"] as? [String: Int] { out += [UInt8](repeating: UInt8(r["byte"]!), count: r["count"]!) }
        if let m = s["mod251"] as? [String: Int] { out += (m["start"]!..<(m["start"]! + m["count"]!)).map { UInt8($0 % 251) } }
    }
    return out
}

/// Verifies a vector the way the server does: signature, then (S3) the body against `x-amz-content-sha256`.
func verify(_ v: SignatureVector) -> Result<VerifiedSignature, AuthFailure> {
    let request = v.signable
    do {
        let claim = try AuthClaim.parse(request)
        let body = v.body
        let verified = try SignatureVerifier().verify(request, claim: claim, secret: v.credentials["secretAccessKey"]!,
                                                      bodySHA256: v.isS3 ? nil : SigV4Crypto.sha256Hex(body), now: v.now)
        if v.isS3, let claimed = request.header("x-amz-content-sha256"), claimed.count == 64 {
            let computed = SigV4Crypto.sha256Hex(body)
            if computed != claimed { return .failure(.contentSHA256Mismatch(claimed: claimed, computed: computed)) }
        }
        return .success(verified)
    } catch {
        return .failure(error)
    }
}

let publishedVectors = SignatureVector.load("aws_published").filter {
    ($0.raw["serverReproducible"] as? Bool) != false && ($0.raw["kind"] as? String) != "chunked"
}
let botocoreVectors = SignatureVector.load("botocore_generated").filter {
    !((($0.raw["expected"] as? [String: Any])?["reason"] as? String)?.lowercased().contains("unknown") ?? false)
}

@Suite struct SignatureVectorTests {
    @Test("AWS's published SigV4 and S3 examples verify, with the same canonical request", arguments: publishedVectors)
    func published(_ v: SignatureVector) throws {
        let result = verify(v)
        guard case .success(let verified) = result else {
            Issue.record("\(v.name) rejected: \(result)")
            return
        }
        #expect(verified.signature == v.expected["signature"] as? String)
    }

    @Test("canonical requests match the published ones byte for byte", arguments: publishedVectors.filter { $0.expected["canonicalRequest"] != nil })
    func canonicalForm(_ v: SignatureVector) throws {
        let request = v.signable
        let claim = try AuthClaim.parse(request)
        guard case .header(let scope, let signed, _) = claim else { return }
        let payload = v.isS3 ? (request.header("x-amz-content-sha256") ?? "") : SigV4Crypto.sha256Hex(v.body)
        let canonical = CanonicalRequest.build(request, signedHeaders: signed, payloadHash: payload, s3Style: scope.service == "s3")
        #expect(canonical == v.expected["canonicalRequest"] as? String)
    }

    @Test("botocore-signed requests verify; tampered ones are refused", arguments: botocoreVectors)
    func botocore(_ v: SignatureVector) {
        let valid = (v.expected["valid"] as? Bool) ?? true
        switch verify(v) {
        case .success: #expect(valid, "\(v.name) should have been refused")
        case .failure(let f): #expect(!valid, "\(v.name) refused: \(f)")
        }
    }

    @Test func skewedClockIsRefused() throws {
        let v = publishedVectors.first { $0.name == "get-vanilla" }!
        let request = v.signable
        let later = v.now.addingTimeInterval(16 * 60)
        #expect(throws: AuthFailure.self) {
            try SignatureVerifier().verify(request, claim: try AuthClaim.parse(request), secret: v.credentials["secretAccessKey"]!, bodySHA256: SigV4Crypto.emptySHA256, now: later)
        }
    }
}
