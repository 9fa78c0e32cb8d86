import AWSWire
import Foundation
import Hummingbird
import KilnChecksums
import NIOCore
import ObjectStore
import SigV4

/// Receives an S3 upload body into a blob: strips aws-chunked framing, checks `x-amz-content-sha256`,
/// `Content-MD5`, `x-amz-checksum-*` headers and trailers, and the declared lengths. Streams; never buffers the body.
struct PayloadReceiver {
    let request: IncomingRequest
    let caller: Caller

    /// The checksum algorithms to compute: the one the client declared, by header, trailer or sdk hint.
    var checksumAlgorithms: [ChecksumAlgorithm] {
        var algs: [ChecksumAlgorithm] = []
        for (name, _) in request.signable.headers {
            if let a = ChecksumAlgorithm(headerName: name), !algs.contains(a) { algs.append(a) }
        }
        if let trailer = request.header("x-amz-trailer"), let a = ChecksumAlgorithm(headerName: trailer.trimmingCharacters(in: .whitespaces)),
           !algs.contains(a) { algs.append(a) }
        for hint in [request.header("x-amz-sdk-checksum-algorithm"), request.header("x-amz-checksum-algorithm")] {
            if let h = hint, let a = ChecksumAlgorithm(rawValue: h.uppercased()), !algs.contains(a) { algs.append(a) }
        }
        return algs
    }

    /// Refuses a body whose declared size exceeds `max` before reading it.
    func checkDeclaredLength(max: Int64) throws {
        let declared = request.header("x-amz-decoded-content-length").flatMap(Int64.init) ?? request.header("content-length").flatMap(Int64.init)
        if let declared, declared > max { throw S3Errors.entityTooLarge }
    }

    struct Received {
        var blob: BlobInfo
        /// Checksums the client supplied and we verified, by algorithm.
        var verifiedChecksums: [ChecksumAlgorithm: String]
    }

    /// Streams `body` into `writer`, verifies it, and commits the blob. On any error the blob is discarded.
    func receive(_ body: RequestBody, into writer: BlobWriter) async throws -> Received {
        do {
            return try await receiveUnchecked(body, into: writer)
        } catch {
            writer.abort()
            throw error
        }
    }

    private func receiveUnchecked(_ body: RequestBody, into writer: BlobWriter) async throws -> Received {
        let contentSHA = request.header("x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD"
        // Only the signed x-amz-content-sha256 decides the framing; Content-Encoding is not signed.
        let isChunked = contentSHA.hasPrefix("STREAMING-")
        var decoder: AWSChunkedDecoder? = nil
        if isChunked {
            var signing: AWSChunkedDecoder.ChunkSigning? = nil
            let signedChunks = contentSHA.hasPrefix("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
            if signedChunks, let v = caller.verified {
                signing = .init(seedSignature: v.signature, signingKey: v.signingKey, amzDate: v.amzDate, scope: v.scope.scopeString)
            }
            decoder = AWSChunkedDecoder(signing: signing, trailerSigned: contentSHA.hasSuffix("-TRAILER") && signing != nil)
        } else if contentSHA.hasPrefix("STREAMING-") == false, contentSHA != "UNSIGNED-PAYLOAD", bytesFromHex(contentSHA)?.count != 32 {
            throw AWSError("InvalidArgument", status: 400, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
        }
        var sha = (!isChunked && contentSHA != "UNSIGNED-PAYLOAD") ? SHA256Hasher() : nil
        for try await buffer in body {
            // Bodies without a declared length (HTTP chunked) are bounded as they stream.
            guard writer.size <= S3Handler.maximumObjectSize else { throw S3Errors.entityTooLarge }
            try buffer.withUnsafeReadableBytes { raw in
                if decoder != nil {
                    do {
                        try decoder!.feed(raw) { try writer.write($0) }
                    } catch ChunkedDecodingError.chunkSignatureMismatch {
                        throw S3Errors.signatureDoesNotMatchChunk
                    } catch let e as ChunkedDecodingError {
                        throw S3Errors.invalidRequest("Malformed aws-chunked body: \(e)")
                    }
                } else {
                    sha?.update(raw)
                    try writer.write(raw)
                }
            }
        }
        var trailers: [(name: String, value: String)] = []
        if let decoder {
            guard decoder.isComplete else { throw S3Errors.incompleteBody }
            trailers = decoder.trailers
            if let declared = request.header("x-amz-trailer")?.lowercased().trimmingCharacters(in: .whitespaces),
               !trailers.contains(where: { $0.name == declared }) {
                throw S3Errors.invalidRequest("The x-amz-trailer header names \(declared) but the body carried no such trailer")
            }
            if let declared = request.header("x-amz-decoded-content-length"), let n = Int64(declared), n != writer.size {
                throw S3Errors.incompleteBody
            }
        } else if let expected = request.header("content-length").flatMap(Int64.init), expected != writer.size {
            throw S3Errors.incompleteBody
        }
        if let sha {
            let computed = sha.finalizeHex()
            if computed != contentSHA.lowercased() {
                throw S3Errors.contentSHA256Mismatch(claimed: contentSHA, computed: computed)
            }
        }
        let digests = writer.digests()
        if let md5Header = request.header("content-md5") {
            guard let claimed = Data(base64Encoded: md5Header), claimed.count == 16 else { throw S3Errors.invalidDigest }
            guard Array(claimed) == digests.md5 || digests.md5.isEmpty else { throw S3Errors.badDigest() }
        }
        var verified: [ChecksumAlgorithm: String] = [:]
        var claims: [(ChecksumAlgorithm, String)] = []
        for (name, value) in request.signable.headers {
            if let a = ChecksumAlgorithm(headerName: name) { claims.append((a, value)) }
        }
        for (name, value) in trailers {
            if let a = ChecksumAlgorithm(headerName: name) { claims.append((a, value)) }
        }
        for (alg, claimed) in claims {
            guard let computed = digests.checksums[alg] else { continue }
            guard claimed == computed else { throw S3Errors.invalidChecksum(alg.rawValue.lowercased()) }
            verified[alg] = computed
        }
        let blob = try writer.commit()
        return Received(blob: blob, verifiedChecksums: verified)
    }
}
