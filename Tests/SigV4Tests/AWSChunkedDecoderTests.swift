import Crypto
import Foundation
import KilnChecksums
import Testing
@testable import SigV4

nonisolated(unsafe) private let chunked: [String: Any] = {
    let url = Bundle.module.url(forResource: "Vectors/aws_chunked", withExtension: "json")!
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}()

/// Feeds `body` to a decoder in pieces of `step` bytes (to exercise state kept across calls).
private func decode(_ body: [UInt8], signing: AWSChunkedDecoder.ChunkSigning?, trailerSigned: Bool = false, step: Int) throws
    -> (payload: [UInt8], trailers: [String: String]) {
    var decoder = AWSChunkedDecoder(signing: signing, trailerSigned: trailerSigned)
    var payload = [UInt8]()
    var i = 0
    while i < body.count {
        let end = min(body.count, i + step)
        try body[i..<end].withUnsafeBytes { raw in try decoder.feed(raw) { payload += $0 } }
        i = end
    }
    try decoder.finish()
    return (payload, Dictionary(uniqueKeysWithValues: decoder.trailers.map { ($0.name, $0.value) }))
}

private func bodyOf(_ v: [String: Any]) -> [UInt8] {
    if let b = v["bodyBase64"] as? String { return Array(Data(base64Encoded: b)!) }
    return expandSegments(v["bodySegments"] as! [[String: Any]])
}

private func signingOf(_ v: [String: Any]) -> AWSChunkedDecoder.ChunkSigning? {
    guard let s = v["signing"] as? [String: String] else { return nil }
    let parts = s["scope"]!.split(separator: "/").map(String.init)
    let scope = CredentialScope(accessKeyId: s["accessKeyId"]!, date: parts[0], region: parts[1], service: parts[2])
    return .init(seedSignature: s["seedSignature"]!, signingKey: SigV4Crypto.signingKey(secret: s["secretAccessKey"]!, scope: scope),
                 amzDate: s["date"]!, scope: s["scope"]!)
}

private func check(_ v: [String: Any], payload: [UInt8], trailers: [String: String]) {
    if let b64 = v["expectedPayloadBase64"] as? String {
        #expect(payload == Array(Data(base64Encoded: b64)!))
    } else {
        #expect(payload.count == v["expectedPayloadLength"] as? Int)
        #expect(SigV4Crypto.sha256Hex(payload) == v["expectedPayloadSha256"] as? String)
    }
    #expect(trailers == (v["expectedTrailer"] as? [String: String] ?? [:]))
}

@Suite struct AWSChunkedDecoderTests {
    @Test("botocore's unsigned-trailer bodies decode, in any split", arguments: [1, 7, 4096, 1 << 20])
    func unsignedTrailer(step: Int) throws {
        for v in chunked["unsignedTrailer"] as! [[String: Any]] {
            let (payload, trailers) = try decode(bodyOf(v), signing: nil, step: step)
            check(v, payload: payload, trailers: trailers)
            // The trailer checksum is the checksum of the payload.
            if let (name, value) = trailers.first, let alg = ChecksumAlgorithm(headerName: name) {
                var h = alg.makeHasher()
                h.update(payload)
                #expect(h.finalizeBase64() == value, "\(v["name"]!)")
            }
        }
    }

    @Test("AWS's signed-chunk examples verify every chunk signature", arguments: [3, 1000, 1 << 20])
    func signedChunks(step: Int) throws {
        for v in chunked["signedChunks"] as! [[String: Any]] {
            let trailerSigned = (v["contentSha256Header"] as? String)?.hasSuffix("TRAILER") ?? false
            let (payload, trailers) = try decode(bodyOf(v), signing: signingOf(v), trailerSigned: trailerSigned, step: step)
            check(v, payload: payload, trailers: trailers)
        }
    }

    @Test func tamperedChunkIsRefused() throws {
        let v = (chunked["signedChunks"] as! [[String: Any]])[0]
        var body = bodyOf(v)
        body[200] ^= 1
        #expect(throws: ChunkedDecodingError.chunkSignatureMismatch) { try decode(body, signing: signingOf(v), step: 4096) }
    }

    @Test func truncatedBodyIsIncomplete() throws {
        let body = Array("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n".utf8)
        #expect(throws: ChunkedDecodingError.incomplete) { try decode(body, signing: nil, step: 3) }
    }

    @Test func endlessLineIsRejected() {
        let body = [UInt8](repeating: UInt8(ascii: "f"), count: 10_000)
        #expect(throws: ChunkedDecodingError.self) { try decode(body, signing: nil, step: 100) }
    }
}
