import AWSWire
import Foundation
import HTTPTypes
import Hummingbird
import KilnChecksums
import Metadata
import NIOCore
import ObjectStore
import SigV4

/// Response headers S3 stores with an object and returns on GET/HEAD.
let storedSystemHeaders = ["content-encoding", "content-disposition", "cache-control", "content-language", "expires"]

extension S3Handler {
    /// User metadata (`x-amz-meta-*`) and stored system headers from a request.
    func objectHeaders(_ r: IncomingRequest) -> (user: [String: String], system: [String: String], contentType: String?) {
        var user: [String: String] = [:]
        var system: [String: String] = [:]
        for (name, value) in r.signable.headers {
            if name.hasPrefix("x-amz-meta-") {
                let k = String(name.dropFirst("x-amz-meta-".count))
                user[k] = user[k].map { "\($0),\(value)" } ?? value
            } else if storedSystemHeaders.contains(name) {
                if name == "content-encoding" {
                    // aws-chunked is transport framing, not a property of the object.
                    let rest = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "aws-chunked" }
                    if !rest.isEmpty { system[name] = rest.joined(separator: ",") }
                } else {
                    system[name] = value
                }
            }
        }
        return (user, system, r.header("content-type"))
    }

    func putObject(_ r: IncomingRequest, body: RequestBody, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        try checkMetadataSize(objectHeaders(r).user)
        // Conditional writes: If-None-Match: * and If-Match.
        let existing = try await metadata.object(bucket: bucket, key: key)
        try checkWriteConditions(r, existing: existing)
        let receiver = PayloadReceiver(request: r, caller: caller)
        try receiver.checkDeclaredLength(max: S3Handler.maximumObjectSize)
        let writer = try blobs.makeWriter(checksums: receiver.checksumAlgorithms)
        let received = try await receiver.receive(body, into: writer)
        let headers = objectHeaders(r)
        let checksum = received.blob.checksums.first
        let record = ObjectRecord(
            bucket: bucket, key: key, blobId: received.blob.id, size: received.blob.size, etag: received.blob.md5.hexString,
            contentType: headers.contentType, userMetadata: headers.user, systemMetadata: headers.system,
            checksumAlgorithm: checksum?.key.rawValue, checksumValue: checksum?.value, lastModified: wholeSecondNow(), partCount: nil)
        // The conditions are checked again where the write commits, so concurrent writers cannot both win.
        let requireAbsent = r.header("if-none-match")?.trimmingCharacters(in: .whitespaces) == "*"
        let requireETag = r.header("if-match").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        let replaced: String?
        do {
            replaced = try await metadata.putObject(record, requireAbsent: requireAbsent, requireETag: requireETag)
        } catch {
            blobs.delete(id: received.blob.id)
            switch error {
            case MetadataError.alreadyExists, MetadataError.preconditionFailed: throw S3Errors.preconditionFailed
            case MetadataError.notFound: throw S3Errors.noSuchKey(key)
            default: throw error
            }
        }
        if let replaced { blobs.delete(id: replaced) }
        var h = HTTPFields()
        h[.eTag] = "\"\(record.etag)\""
        for (alg, value) in received.blob.checksums { h.set(alg.headerName, value) }
        return emptyResponse(r, headers: h)
    }

    /// S3 allows 2 KB of user-defined metadata (names and values, as sent).
    func checkMetadataSize(_ user: [String: String]) throws {
        let size = user.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if size > 2048 {
            throw AWSError("MetadataTooLarge", status: 400, "Your metadata headers exceed the maximum allowed metadata size",
                           details: [("Size", String(size)), ("MaxSizeAllowed", "2048")])
        }
    }

    /// S3 keeps modification times to the second (listings show `.000Z`, headers whole seconds).
    func wholeSecondNow() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    func checkWriteConditions(_ r: IncomingRequest, existing: ObjectRecord?) throws {
        if let inm = r.header("if-none-match") {
            if inm.trimmingCharacters(in: .whitespaces) == "*" {
                if existing != nil { throw S3Errors.preconditionFailed }
            } else {
                throw S3Errors.notImplemented("If-None-Match with a value other than *")
            }
        }
        if let im = r.header("if-match") {
            guard let existing else { throw S3Errors.noSuchKey("") }
            if !etagMatches(im, existing.etag) { throw S3Errors.preconditionFailed }
        }
    }

    func etagMatches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let t = part.trimmingCharacters(in: .whitespaces)
            return t == "*" || t.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == etag
        }
    }

    func getObject(_ r: IncomingRequest, bucket: String, key: String, caller: Caller, head: Bool) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        guard let object = try await metadata.object(bucket: bucket, key: key) else { throw S3Errors.noSuchKey(key) }
        // Conditional reads, in S3's precedence order.
        let ifMatch = r.header("if-match"), ifNoneMatch = r.header("if-none-match")
        if let im = ifMatch, !etagMatches(im, object.etag) { throw S3Errors.preconditionFailed }
        let modified = Date(timeIntervalSince1970: object.lastModified.timeIntervalSince1970.rounded(.down))
        if ifMatch == nil, let ius = r.header("if-unmodified-since").flatMap(AWSTimestamp.parseHTTPDate), modified > ius {
            throw S3Errors.preconditionFailed
        }
        if let inm = ifNoneMatch, etagMatches(inm, object.etag) { return notModified(r, object) }
        if ifNoneMatch == nil, let ims = r.header("if-modified-since").flatMap(AWSTimestamp.parseHTTPDate), modified <= ims {
            return notModified(r, object)
        }
        var h = objectResponseHeaders(object, r)
        var start: Int64 = 0
        var length = object.size
        var status = 200
        if object.size > 0, let rangeHeader = r.header("range"), let range = try parseRange(rangeHeader, size: object.size) {
            start = range.lowerBound
            length = range.upperBound - range.lowerBound
            status = 206
            h.set("content-range", "bytes \(start)-\(range.upperBound - 1)/\(object.size)")
        } else if r.header("x-amz-checksum-mode")?.uppercased() == "ENABLED", let alg = object.checksumAlgorithm, let value = object.checksumValue {
            h.set("x-amz-checksum-\(alg.lowercased())", value)
            if value.contains("-") { h.set("x-amz-checksum-type", "COMPOSITE") } else { h.set("x-amz-checksum-type", "FULL_OBJECT") }
        }
        h[.contentLength] = String(length)
        if head {
            return Response(status: .init(code: status), headers: h, body: .init())
        }
        let reader: BlobReader
        do {
            reader = try blobs.openReader(id: object.blobId)
        } catch BlobError.io(_, ENOENT) {
            // Overwritten or deleted after the lookup: answer from the current state.
            return try await getObject(r, bucket: bucket, key: key, caller: caller, head: head)
        }
        let (rangeStart, rangeLength) = (start, length)
        let body = ResponseBody(contentLength: Int(length)) { writer in
            var offset = rangeStart
            let end = rangeStart + rangeLength
            let chunk = 1 << 20
            while offset < end {
                let want = Int(min(Int64(chunk), end - offset))
                var buffer = ByteBufferAllocator().buffer(capacity: want)
                let n = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
                    try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), at: offset)
                }
                guard n > 0 else { throw S3Errors.incompleteBody }
                offset += Int64(n)
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
        return Response(status: .init(code: status), headers: h, body: body)
    }

    func notModified(_ r: IncomingRequest, _ object: ObjectRecord) -> Response {
        var h = HTTPFields()
        h[.eTag] = "\"\(object.etag)\""
        h[.lastModified] = AWSTimestamp.httpDate(object.lastModified)
        h.set("x-amz-request-id", r.requestId)
        return Response(status: .notModified, headers: h, body: .init())
    }

    func objectResponseHeaders(_ o: ObjectRecord, _ r: IncomingRequest) -> HTTPFields {
        var h = HTTPFields()
        h.set("x-amz-request-id", r.requestId)
        h[.eTag] = "\"\(o.etag)\""
        h[.lastModified] = AWSTimestamp.httpDate(o.lastModified)
        h[.acceptRanges] = "bytes"
        h[.contentType] = o.contentType ?? "binary/octet-stream"
        for (k, v) in o.systemMetadata { h.set(k, v) }
        for (k, v) in o.userMetadata { h.set("x-amz-meta-\(k)", v) }
        if let parts = o.partCount, r.hasQuery("partNumber") { h.set("x-amz-mp-parts-count", String(parts)) }
        // response-* query parameters override the stored headers (used by presigned URLs).
        for (param, header) in [("response-content-type", "content-type"), ("response-content-language", "content-language"),
                                ("response-expires", "expires"), ("response-cache-control", "cache-control"),
                                ("response-content-disposition", "content-disposition"), ("response-content-encoding", "content-encoding")] {
            if let v = r.queryValue(param) { h.set(header, v) }
        }
        return h
    }

    /// Parses a single `bytes=` range; nil means "serve the whole object" (S3 ignores malformed ranges).
    func parseRange(_ header: String, size: Int64) throws -> Range<Int64>? {
        let h = header.trimmingCharacters(in: .whitespaces)
        guard h.hasPrefix("bytes="), !h.contains(",") else { return nil }
        let spec = h.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        let a = spec[..<dash], b = spec[spec.index(after: dash)...]
        if a.isEmpty {
            guard let suffix = Int64(b), suffix >= 0 else { return nil }
            if suffix == 0 { throw S3Errors.invalidRange(size: size) }
            return max(0, size - suffix)..<size
        }
        guard let first = Int64(a) else { return nil }
        if b.isEmpty {
            guard first < size else { throw S3Errors.invalidRange(size: size) }
            return first..<size
        }
        guard let last = Int64(b), last >= first else { return nil }
        guard first < size else { throw S3Errors.invalidRange(size: size) }
        return first..<(min(last, size - 1) + 1)
    }

    func deleteObject(_ r: IncomingRequest, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        if let removed = try await metadata.deleteObject(bucket: bucket, key: key) { blobs.delete(id: removed) }
        return emptyResponse(r, status: 204)
    }

    func deleteObjects(_ r: IncomingRequest, body: RequestBody, bucket: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        guard let doc = try await readXML(body, request: r, caller: caller), doc.name == "Delete" else { throw S3Errors.malformedXML }
        let quiet = doc.value("Quiet")?.lowercased() == "true"
        let objects = doc.all("Object")
        guard objects.count <= 1000, !objects.isEmpty else { throw S3Errors.malformedXML }
        var x = XMLWriter()
        var deleted: [String] = []
        var errors: [(String, AWSError)] = []
        for o in objects {
            guard let key = o.value("Key") else { throw S3Errors.malformedXML }
            if key.utf8.count > 1024 { errors.append((key, S3Errors.keyTooLong)); continue }
            if let removed = try await metadata.deleteObject(bucket: bucket, key: key) { blobs.delete(id: removed) }
            deleted.append(key)
        }
        x.element("DeleteResult", namespace: Self.namespace) { x in
            if !quiet {
                for key in deleted { x.element("Deleted") { x in x.element("Key", key) } }
            }
            for (key, e) in errors {
                x.element("Error") { x in
                    x.element("Key", key)
                    x.element("Code", e.code)
                    x.element("Message", e.message)
                }
            }
        }
        return xmlResponse(x, r)
    }

    /// The bucket and key named by `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, `?versionId=null` allowed).
    func copySource(_ r: IncomingRequest) throws -> (bucket: String, key: String) {
        var source = r.header("x-amz-copy-source") ?? ""
        if let q = source.firstIndex(of: "?") {
            let params = source[source.index(after: q)...]
            if params.hasPrefix("versionId=") && params.dropFirst("versionId=".count) != "null" {
                throw AWSError("NoSuchVersion", status: 404, "The specified version does not exist.")
            }
            source = String(source[..<q])
        }
        guard let decoded = URIEncoding.decode(source) else { throw S3Errors.invalidArgument("Invalid copy source encoding") }
        let trimmed = decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded
        guard let slash = trimmed.firstIndex(of: "/"), trimmed.index(after: slash) < trimmed.endIndex else {
            throw S3Errors.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", name: "x-amz-copy-source", value: source)
        }
        return (String(trimmed[..<slash]), String(trimmed[trimmed.index(after: slash)...]))
    }

    func copyObject(_ r: IncomingRequest, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let (srcBucket, srcKey) = try copySource(r)
        _ = try await ownedBucket(srcBucket, caller: caller)
        guard let src = try await metadata.object(bucket: srcBucket, key: srcKey) else { throw S3Errors.noSuchKey(srcKey) }
        // Copy-source conditions.
        if let im = r.header("x-amz-copy-source-if-match"), !etagMatches(im, src.etag) { throw S3Errors.preconditionFailed }
        if let inm = r.header("x-amz-copy-source-if-none-match"), etagMatches(inm, src.etag) { throw S3Errors.preconditionFailed }
        let directive = r.header("x-amz-metadata-directive")?.uppercased() ?? "COPY"
        guard directive == "COPY" || directive == "REPLACE" else {
            throw S3Errors.invalidArgument("Unknown metadata directive.", name: "x-amz-metadata-directive", value: directive)
        }
        if srcBucket == bucket && srcKey == key && directive == "COPY" {
            throw S3Errors.invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
        }
        if directive == "REPLACE" { try checkMetadataSize(objectHeaders(r).user) }
        // Blobs are immutable: a hard link is a durable copy in O(1) (with a byte copy where links are unsupported).
        let newId = UUID().uuidString.lowercased()
        do {
            try blobs.link(existing: src.blobId, as: newId)
        } catch BlobError.io(_, ENOENT) {
            throw S3Errors.noSuchKey(srcKey)
        }
        var record = src
        record.bucket = bucket
        record.key = key
        record.blobId = newId
        record.lastModified = wholeSecondNow()
        if directive == "REPLACE" {
            let headers = objectHeaders(r)
            record.userMetadata = headers.user
            record.systemMetadata = headers.system
            record.contentType = headers.contentType
        }
        let replaced: String?
        do {
            replaced = try await metadata.putObject(record)
        } catch {
            blobs.delete(id: newId)
            throw error
        }
        if let replaced { blobs.delete(id: replaced) }
        var x = XMLWriter()
        x.element("CopyObjectResult", namespace: Self.namespace) { x in
            x.element("ETag", "\"\(record.etag)\"")
            x.element("LastModified", AWSTimestamp.iso8601(record.lastModified))
            if let alg = record.checksumAlgorithm, let v = record.checksumValue, !v.contains("-") { x.element("Checksum\(alg)", v) }
        }
        return xmlResponse(x, r)
    }
}
