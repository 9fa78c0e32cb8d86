import AWSWire
import Foundation
import HTTPTypes
import Hummingbird
import KilnChecksums
import Metadata
import NIOPosix
import ObjectStore

extension S3Handler {
    static let minimumPartSize: Int64 = 5 * 1024 * 1024

    func createUpload(_ r: IncomingRequest, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let headers = objectHeaders(r)
        try checkMetadataSize(headers.user)
        var algorithm: String? = nil
        if let a = r.header("x-amz-checksum-algorithm") {
            guard let alg = ChecksumAlgorithm(rawValue: a.uppercased()) else {
                throw S3Errors.invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
            }
            algorithm = alg.rawValue
        }
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + UUID().uuidString.prefix(8).lowercased()
        try await metadata.insertUpload(UploadRecord(uploadId: id, bucket: bucket, key: key, initiated: Date(), contentType: headers.contentType,
                                                     userMetadata: headers.user, systemMetadata: headers.system, checksumAlgorithm: algorithm))
        var x = XMLWriter()
        x.element("InitiateMultipartUploadResult", namespace: Self.namespace) { x in
            x.element("Bucket", bucket)
            x.element("Key", key)
            x.element("UploadId", id)
        }
        var h = HTTPFields()
        if let algorithm { h.set("x-amz-checksum-algorithm", algorithm) }
        return xmlResponse(x, r, headers: h)
    }

    func upload(_ r: IncomingRequest, bucket: String, key: String) async throws -> UploadRecord {
        let id = r.queryValue("uploadId") ?? ""
        guard let u = try await metadata.upload(id: id), u.bucket == bucket, u.key == key else { throw S3Errors.noSuchUpload(id) }
        return u
    }

    func uploadPart(_ r: IncomingRequest, body: RequestBody, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        guard let text = r.queryValue("partNumber"), let number = Int(text), (1...10000).contains(number) else {
            throw S3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", name: "partNumber", value: r.queryValue("partNumber"))
        }
        let u = try await upload(r, bucket: bucket, key: key)
        let algorithm = u.checksumAlgorithm.flatMap(ChecksumAlgorithm.init(rawValue:))
        let blob: BlobInfo
        let copied: Bool
        if r.header("x-amz-copy-source") != nil {
            blob = try await copyPartSource(r, caller: caller, algorithm: algorithm)
            copied = true
        } else {
            let receiver = PayloadReceiver(request: r, caller: caller)
            try receiver.checkDeclaredLength(max: S3Handler.maximumObjectSize)
            var algs = receiver.checksumAlgorithms
            if let a = algorithm, !algs.contains(a) { algs.append(a) }
            blob = try await receiver.receive(body, into: try blobs.makeWriter(checksums: algs)).blob
            copied = false
        }
        let checksum = algorithm.flatMap { blob.checksums[$0] }
        let part = PartRecord(uploadId: u.uploadId, partNumber: number, blobId: blob.id, size: blob.size,
                              etag: blob.md5.hexString, checksumValue: checksum, lastModified: wholeSecondNow())
        do {
            if let replaced = try await metadata.putPart(part) { blobs.delete(id: replaced) }
        } catch {
            blobs.delete(id: blob.id)
            if case MetadataError.notFound = error { throw S3Errors.noSuchUpload(u.uploadId) }
            throw error
        }
        var h = HTTPFields()
        if copied {
            var x = XMLWriter()
            x.element("CopyPartResult", namespace: Self.namespace) { x in
                x.element("ETag", "\"\(part.etag)\"")
                x.element("LastModified", AWSTimestamp.iso8601(part.lastModified))
                if let alg = u.checksumAlgorithm, let v = checksum { x.element("Checksum\(alg)", v) }
            }
            return xmlResponse(x, r)
        }
        h[.eTag] = "\"\(part.etag)\""
        for (alg, value) in blob.checksums { h.set(alg.headerName, value) }
        return emptyResponse(r, headers: h)
    }

    /// UploadPartCopy: the part's bytes come from (a range of) an existing object.
    func copyPartSource(_ r: IncomingRequest, caller: Caller, algorithm: ChecksumAlgorithm?) async throws -> BlobInfo {
        let (srcBucket, srcKey) = try copySource(r)
        _ = try await ownedBucket(srcBucket, caller: caller)
        guard let src = try await metadata.object(bucket: srcBucket, key: srcKey) else { throw S3Errors.noSuchKey(srcKey) }
        if let im = r.header("x-amz-copy-source-if-match"), !etagMatches(im, src.etag) { throw S3Errors.preconditionFailed }
        if let inm = r.header("x-amz-copy-source-if-none-match"), etagMatches(inm, src.etag) { throw S3Errors.preconditionFailed }
        var range: Range<Int64> = 0..<src.size
        if let text = r.header("x-amz-copy-source-range") {
            // Unlike GET, a copy range must be exact: `bytes=first-last` inside the object.
            let spec = text.hasPrefix("bytes=") ? text.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false) : []
            guard spec.count == 2, let first = Int64(spec[0]), let last = Int64(spec[1]), first <= last, last < src.size else {
                throw S3Errors.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                                               name: "x-amz-copy-source-range", value: text)
            }
            range = first..<(last + 1)
        }
        let blobs = self.blobs
        let blobId = src.blobId
        let copyRange = range
        return try await NIOThreadPool.singleton.runIfActive {
            let reader: BlobReader
            do { reader = try blobs.openReader(id: blobId) } catch BlobError.io(_, ENOENT) { throw S3Errors.noSuchKey(srcKey) }
            let writer = try blobs.makeWriter(checksums: algorithm.map { [$0] } ?? [])
            do {
                try Self.copy(reader, range: copyRange, into: writer)
                return try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
        }
    }

    /// Copies a byte range of a blob into a writer, a megabyte at a time (blocking: run it off the event loops).
    static func copy(_ reader: BlobReader, range: Range<Int64>, into writer: BlobWriter) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = range.lowerBound
        while offset < range.upperBound {
            let want = Int(min(Int64(buffer.count), range.upperBound - offset))
            let n = try buffer.withUnsafeMutableBytes { try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset) }
            guard n > 0 else { throw S3Errors.incompleteBody }
            try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += Int64(n)
        }
    }

    func completeUpload(_ r: IncomingRequest, body: RequestBody, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let u = try await upload(r, bucket: bucket, key: key)
        guard let doc = try await readXML(body, request: r, caller: caller), doc.name == "CompleteMultipartUpload" else {
            throw S3Errors.malformedXML
        }
        let requested = doc.all("Part")
        guard !requested.isEmpty else {
            throw S3Errors.malformedXML
        }
        let stored = Dictionary(uniqueKeysWithValues: try await metadata.parts(uploadId: u.uploadId).map { ($0.partNumber, $0) })
        var chosen: [PartRecord] = []
        var last = 0
        for p in requested {
            guard let n = p.value("PartNumber").flatMap(Int.init) else { throw S3Errors.malformedXML }
            guard n > last else { throw S3Errors.invalidPartOrder }
            last = n
            let etag = (p.value("ETag") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            guard let part = stored[n], part.etag == etag else { throw S3Errors.invalidPart }
            chosen.append(part)
        }
        for part in chosen.dropLast() where part.size < Self.minimumPartSize {
            throw S3Errors.entityTooSmall
        }
        // Concatenate the parts into one new blob, off the event loops; the parts' blobs go once the metadata commits.
        let blobs = self.blobs
        let uploadId = u.uploadId
        let parts = chosen
        let blob = try await NIOThreadPool.singleton.runIfActive {
            let writer = try blobs.makeWriter(computeMD5: false)
            do {
                for part in parts {
                    let reader: BlobReader
                    do { reader = try blobs.openReader(id: part.blobId) } catch BlobError.io(_, ENOENT) { throw S3Errors.noSuchUpload(uploadId) }
                    try Self.copy(reader, range: 0..<reader.size, into: writer)
                }
                return try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
        }
        var md5s = [UInt8]()
        for part in chosen { md5s += bytesFromHex(part.etag) ?? [] }
        let etag = Digest.md5(md5s).hexString + "-\(chosen.count)"
        var checksumValue: String? = nil
        if let alg = u.checksumAlgorithm.flatMap(ChecksumAlgorithm.init(rawValue:)), chosen.allSatisfy({ $0.checksumValue != nil }) {
            var composite = alg.makeHasher()
            for part in chosen { composite.update(Data(base64Encoded: part.checksumValue!) ?? Data()) }
            checksumValue = composite.finalizeBase64() + "-\(chosen.count)"
        }
        let record = ObjectRecord(bucket: bucket, key: key, blobId: blob.id, size: blob.size, etag: etag, contentType: u.contentType,
                                  userMetadata: u.userMetadata, systemMetadata: u.systemMetadata,
                                  checksumAlgorithm: checksumValue == nil ? nil : u.checksumAlgorithm, checksumValue: checksumValue,
                                  lastModified: wholeSecondNow(), partCount: chosen.count)
        let unused: [String]
        do {
            unused = try await metadata.completeUpload(id: u.uploadId, object: record)
        } catch {
            blobs.delete(id: blob.id)
            if case MetadataError.notFound = error { throw S3Errors.noSuchUpload(u.uploadId) }
            throw error
        }
        for id in unused { blobs.delete(id: id) }
        var x = XMLWriter()
        x.element("CompleteMultipartUploadResult", namespace: Self.namespace) { x in
            x.element("Location", "/\(bucket)/\(key)")
            x.element("Bucket", bucket)
            x.element("Key", key)
            x.element("ETag", "\"\(etag)\"")
            if let alg = record.checksumAlgorithm, let v = checksumValue { x.element("Checksum\(alg)", v) }
        }
        return xmlResponse(x, r)
    }

    func abortUpload(_ r: IncomingRequest, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let u = try await upload(r, bucket: bucket, key: key)
        for id in try await metadata.deleteUpload(id: u.uploadId) { blobs.delete(id: id) }
        return emptyResponse(r, status: 204)
    }

    func listParts(_ r: IncomingRequest, bucket: String, key: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let u = try await upload(r, bucket: bucket, key: key)
        let max = try maxKeys(r, name: "max-parts")
        let after = Int(r.queryValue("part-number-marker") ?? "0") ?? 0
        let all = try await metadata.parts(uploadId: u.uploadId).filter { $0.partNumber > after }
        let page = Array(all.prefix(max))
        var x = XMLWriter()
        x.element("ListPartsResult", namespace: Self.namespace) { x in
            x.element("Bucket", bucket)
            x.element("Key", key)
            x.element("UploadId", u.uploadId)
            x.element("PartNumberMarker", String(after))
            if let lastPart = page.last { x.element("NextPartNumberMarker", String(lastPart.partNumber)) }
            x.element("MaxParts", String(max))
            x.element("IsTruncated", all.count > page.count ? "true" : "false")
            if let alg = u.checksumAlgorithm { x.element("ChecksumAlgorithm", alg) }
            x.element("StorageClass", "STANDARD")
            for p in page {
                x.element("Part") { x in
                    x.element("PartNumber", String(p.partNumber))
                    x.element("LastModified", AWSTimestamp.iso8601(p.lastModified))
                    x.element("ETag", "\"\(p.etag)\"")
                    x.element("Size", String(p.size))
                    if let alg = u.checksumAlgorithm, let v = p.checksumValue { x.element("Checksum\(alg)", v) }
                }
            }
        }
        return xmlResponse(x, r)
    }

    func listUploads(_ r: IncomingRequest, bucket: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let prefix = r.queryValue("prefix") ?? ""
        let max = try maxKeys(r, name: "max-uploads")
        let keyMarker = r.queryValue("key-marker") ?? ""
        let idMarker = r.queryValue("upload-id-marker") ?? ""
        // Uploads order by key, then initiation; a page resumes after (key-marker, upload-id-marker).
        var all = try await metadata.uploads(bucket: bucket, prefix: prefix, limit: Int.max)
        if !keyMarker.isEmpty {
            if !idMarker.isEmpty, let at = all.firstIndex(where: { $0.key == keyMarker && $0.uploadId == idMarker }) {
                all = Array(all[(at + 1)...])
            } else {
                all = all.filter { Array(keyMarker.utf8).lexicographicallyPrecedes(Array($0.key.utf8)) }
            }
        }
        let page = Array(all.prefix(max))
        var x = XMLWriter()
        x.element("ListMultipartUploadsResult", namespace: Self.namespace) { x in
            x.element("Bucket", bucket)
            x.element("KeyMarker", keyMarker)
            x.element("UploadIdMarker", r.queryValue("upload-id-marker") ?? "")
            if let last = page.last {
                x.element("NextKeyMarker", last.key)
                x.element("NextUploadIdMarker", last.uploadId)
            }
            x.element("Prefix", prefix)
            x.element("MaxUploads", String(max))
            x.element("IsTruncated", all.count > page.count ? "true" : "false")
            for u in page {
                x.element("Upload") { x in
                    x.element("Key", u.key)
                    x.element("UploadId", u.uploadId)
                    x.element("Initiator") { x in x.element("ID", caller.accountId); x.element("DisplayName", caller.userName) }
                    x.element("Owner") { x in x.element("ID", caller.accountId); x.element("DisplayName", caller.userName) }
                    x.element("StorageClass", "STANDARD")
                    x.element("Initiated", AWSTimestamp.iso8601(u.initiated))
                    if let alg = u.checksumAlgorithm { x.element("ChecksumAlgorithm", alg) }
                }
            }
        }
        return xmlResponse(x, r)
    }
}
