import AWSWire
import Foundation
import HTTPTypes
import Hummingbird
import Metadata
import ObjectStore
import SigV4

/// The S3 REST-XML API over the local object store.
struct S3Handler: Sendable {
    let metadata: any MetadataStore
    let blobs: BlobStore
    /// Host suffixes that mark virtual-host style requests (`bucket.<suffix>`).
    let virtualHostSuffixes: [String]

    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"
    /// The largest single PUT (and part) S3 accepts.
    static let maximumObjectSize: Int64 = 5 * 1024 * 1024 * 1024

    /// The bucket and key a request addresses, from the Host header or the path.
    func address(of request: IncomingRequest) throws -> (bucket: String?, key: String?) {
        let hostname = request.host.split(separator: ":").first.map(String.init)?.lowercased() ?? ""
        var bucket: String? = nil
        for suffix in virtualHostSuffixes where hostname.hasSuffix("." + suffix) {
            bucket = String(hostname.dropLast(suffix.count + 1))
            break
        }
        var path = Substring(request.rawPath)
        if path.hasPrefix("/") { path = path.dropFirst() }
        if bucket == nil {
            guard !path.isEmpty else { return (nil, nil) }
            if let slash = path.firstIndex(of: "/") {
                bucket = URIEncoding.decode(path[..<slash])
                path = path[path.index(after: slash)...]
            } else {
                return (URIEncoding.decode(path), nil)
            }
        }
        if path.isEmpty { return (bucket, nil) }
        guard let key = URIEncoding.decode(path) else {
            throw S3Errors.invalidArgument("Object key is not valid UTF-8")
        }
        guard key.utf8.count <= 1024 else { throw S3Errors.keyTooLong }
        return (bucket, key)
    }

    /// The operation name for metrics and logs.
    func operationName(_ r: IncomingRequest, bucket: String?, key: String?) -> String {
        switch (r.method, bucket, key) {
        case ("GET", nil, _): return "ListBuckets"
        case (_, _, nil):
            switch r.method {
            case "PUT": return "CreateBucket"
            case "HEAD": return "HeadBucket"
            case "DELETE": return "DeleteBucket"
            case "POST": return r.hasQuery("delete") ? "DeleteObjects" : "PostBucket"
            default:
                if r.hasQuery("location") { return "GetBucketLocation" }
                if r.hasQuery("versions") { return "ListObjectVersions" }
                if r.hasQuery("uploads") { return "ListMultipartUploads" }
                if r.hasQuery("versioning") { return "GetBucketVersioning" }
                return r.queryValue("list-type") == "2" ? "ListObjectsV2" : "ListObjects"
            }
        default:
            switch r.method {
            case "PUT":
                if r.hasQuery("uploadId") { return r.header("x-amz-copy-source") != nil ? "UploadPartCopy" : "UploadPart" }
                return r.header("x-amz-copy-source") != nil ? "CopyObject" : "PutObject"
            case "GET": return r.hasQuery("uploadId") ? "ListParts" : "GetObject"
            case "HEAD": return "HeadObject"
            case "DELETE": return r.hasQuery("uploadId") ? "AbortMultipartUpload" : "DeleteObject"
            case "POST":
                if r.hasQuery("uploads") { return "CreateMultipartUpload" }
                if r.hasQuery("uploadId") { return "CompleteMultipartUpload" }
                return "PostObject"
            default: return "Unknown"
            }
        }
    }

    /// Sub-resources Kiln does not implement: answered with S3's NotImplemented rather than misread as another call.
    static let unsupportedSubresources = ["acl", "policy", "tagging", "cors", "lifecycle", "website", "logging", "notification",
                                          "replication", "encryption", "object-lock", "retention", "legal-hold", "torrent",
                                          "restore", "select", "accelerate", "requestPayment", "analytics", "inventory",
                                          "metrics", "ownershipControls", "publicAccessBlock", "intelligent-tiering", "attributes"]

    func handle(_ r: IncomingRequest, body: RequestBody, caller: Caller, operation: String) async throws -> Response {
        let (bucket, key) = try address(of: r)
        if let sub = Self.unsupportedSubresources.first(where: { r.hasQuery($0) }) {
            throw S3Errors.notImplemented("?\(sub)")
        }
        guard let bucket else {
            guard r.method == "GET" else { throw S3Errors.methodNotAllowed }
            return try await listBuckets(r, caller: caller)
        }
        if let expected = r.header("x-amz-expected-bucket-owner"), let b = try await metadata.bucket(named: bucket), b.accountId != expected {
            throw S3Errors.accessDenied
        }
        switch operation {
        case "CreateBucket": return try await createBucket(r, body: body, bucket: bucket, caller: caller)
        case "HeadBucket": return try await headBucket(r, bucket: bucket, caller: caller)
        case "DeleteBucket": return try await deleteBucket(r, bucket: bucket, caller: caller)
        case "GetBucketLocation": return try await bucketLocation(r, bucket: bucket, caller: caller)
        case "GetBucketVersioning":
            _ = try await ownedBucket(bucket, caller: caller)
            var x = XMLWriter()
            x.element("VersioningConfiguration", namespace: Self.namespace) { _ in }
            return xmlResponse(x, r)
        case "ListObjects", "ListObjectsV2": return try await listObjects(r, bucket: bucket, caller: caller, v2: operation == "ListObjectsV2")
        case "ListObjectVersions": return try await listObjectVersions(r, bucket: bucket, caller: caller)
        case "ListMultipartUploads": return try await listUploads(r, bucket: bucket, caller: caller)
        case "DeleteObjects": return try await deleteObjects(r, body: body, bucket: bucket, caller: caller)
        case "PutObject": return try await putObject(r, body: body, bucket: bucket, key: key!, caller: caller)
        case "CopyObject": return try await copyObject(r, bucket: bucket, key: key!, caller: caller)
        case "GetObject", "HeadObject": return try await getObject(r, bucket: bucket, key: key!, caller: caller, head: operation == "HeadObject")
        case "DeleteObject": return try await deleteObject(r, bucket: bucket, key: key!, caller: caller)
        case "CreateMultipartUpload": return try await createUpload(r, bucket: bucket, key: key!, caller: caller)
        case "UploadPart": return try await uploadPart(r, body: body, bucket: bucket, key: key!, caller: caller)
        case "CompleteMultipartUpload": return try await completeUpload(r, body: body, bucket: bucket, key: key!, caller: caller)
        case "AbortMultipartUpload": return try await abortUpload(r, bucket: bucket, key: key!, caller: caller)
        case "ListParts": return try await listParts(r, bucket: bucket, key: key!, caller: caller)
        case "UploadPartCopy": return try await uploadPart(r, body: body, bucket: bucket, key: key!, caller: caller)
        default: throw S3Errors.methodNotAllowed
        }
    }

    // MARK: Shared helpers

    /// The bucket, if it exists and the caller's account owns it.
    func ownedBucket(_ name: String, caller: Caller) async throws -> BucketRecord {
        guard let b = try await metadata.bucket(named: name) else { throw S3Errors.noSuchBucket(name) }
        guard b.accountId == caller.accountId else { throw S3Errors.accessDenied }
        return b
    }

    func xmlResponse(_ x: XMLWriter, _ r: IncomingRequest, status: Int = 200, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/xml"
        h.set("x-amz-request-id", r.requestId)
        return Response.make(status: status, headers: h, text: x.text)
    }

    func emptyResponse(_ r: IncomingRequest, status: Int = 200, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h.set("x-amz-request-id", r.requestId)
        return Response.make(status: status, headers: h)
    }

    /// Reads a small XML request body (CompleteMultipartUpload, Delete, CreateBucketConfiguration).
    func readXML(_ body: RequestBody, limit: Int = 2 * 1024 * 1024, request: IncomingRequest, caller: Caller) async throws -> XMLNode? {
        var collected = [UInt8]()
        let contentSHA = request.header("x-amz-content-sha256")
        if let contentSHA, contentSHA.hasPrefix("STREAMING-") {
            var signing: AWSChunkedDecoder.ChunkSigning? = nil
            if contentSHA.hasPrefix("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), let v = caller.verified {
                signing = .init(seedSignature: v.signature, signingKey: v.signingKey, amzDate: v.amzDate, scope: v.scope.scopeString)
            }
            var decoder = AWSChunkedDecoder(signing: signing, trailerSigned: contentSHA.hasSuffix("-TRAILER") && signing != nil)
            for try await buf in body {
                do {
                    try buf.withUnsafeReadableBytes { raw in try decoder.feed(raw) { collected += $0 } }
                } catch ChunkedDecodingError.chunkSignatureMismatch {
                    throw S3Errors.signatureDoesNotMatchChunk
                } catch is ChunkedDecodingError {
                    throw S3Errors.invalidRequest("Malformed aws-chunked body")
                }
                guard collected.count <= limit else { throw S3Errors.malformedXML }
            }
            guard decoder.isComplete else { throw S3Errors.incompleteBody }
        } else {
            for try await buf in body {
                collected += buf.readableBytesView
                guard collected.count <= limit else { throw S3Errors.malformedXML }
            }
            if let claimed = contentSHA, claimed != "UNSIGNED-PAYLOAD", claimed.count == 64 {
                let computed = SigV4Crypto.sha256Hex(collected)
                guard computed == claimed.lowercased() else { throw S3Errors.contentSHA256Mismatch(claimed: claimed, computed: computed) }
            }
        }
        if collected.allSatisfy({ [9, 10, 13, 32].contains($0) }) { return nil }
        do { return try XMLParser.parse(collected) } catch { throw S3Errors.malformedXML }
    }
}
