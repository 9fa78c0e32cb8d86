import AWSWire
import Foundation
import Hummingbird
import Metadata
import ObjectStore
import SigV4

extension S3Handler {
    func maxKeys(_ r: IncomingRequest, name: String = "max-keys") throws -> Int {
        guard let text = r.queryValue(name) else { return 1000 }
        guard let n = Int(text), n >= 0 else {
            throw S3Errors.invalidArgument("Provided max-keys not an integer or within integer range", name: name, value: text)
        }
        return min(n, 1000)
    }

    func encodingType(_ r: IncomingRequest) throws -> Bool {
        guard let e = r.queryValue("encoding-type") else { return false }
        guard e == "url" else { throw S3Errors.invalidArgument("Invalid Encoding Method specified in Request", name: "encoding-type", value: e) }
        return true
    }

    /// Keys in listings are URL-encoded when the client asks (`encoding-type=url`), keeping `/` readable.
    func encodeKey(_ key: String, _ urlEncode: Bool) -> String {
        urlEncode ? URIEncoding.encode(key, keepSlash: true) : key
    }

    func listObjects(_ r: IncomingRequest, bucket: String, caller: Caller, v2: Bool) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let prefix = r.queryValue("prefix") ?? ""
        let delimiter = r.queryValue("delimiter")
        let max = try maxKeys(r)
        let url = try encodingType(r)
        var marker: String?
        let token = r.queryValue("continuation-token")
        if v2 {
            if let token {
                guard let data = Data(base64Encoded: token), let decoded = String(data: data, encoding: .utf8) else {
                    throw S3Errors.invalidArgument("The continuation token provided is incorrect", name: "continuation-token", value: token)
                }
                marker = decoded
            } else if let startAfter = r.queryValue("start-after"), !startAfter.isEmpty {
                marker = startAfter
            }
        } else {
            marker = r.queryValue("marker").flatMap { $0.isEmpty ? nil : $0 }
        }
        let page = try await ObjectListing(objects: metadata).list(bucket: bucket, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: max)
        var x = XMLWriter()
        x.element("ListBucketResult", namespace: Self.namespace) { x in
            x.element("Name", bucket)
            x.element("Prefix", encodeKey(prefix, url))
            if v2 {
                if let token { x.element("ContinuationToken", token) }
                if let sa = r.queryValue("start-after") { x.element("StartAfter", encodeKey(sa, url)) }
                x.element("KeyCount", String(page.objects.count + page.commonPrefixes.count))
            } else {
                x.element("Marker", encodeKey(r.queryValue("marker") ?? "", url))
            }
            x.element("MaxKeys", String(max))
            if let delimiter { x.element("Delimiter", encodeKey(delimiter, url)) }
            if url { x.element("EncodingType", "url") }
            x.element("IsTruncated", page.isTruncated ? "true" : "false")
            if page.isTruncated, let next = page.nextMarker {
                if v2 {
                    x.element("NextContinuationToken", Data(next.utf8).base64EncodedString())
                } else if delimiter != nil {
                    x.element("NextMarker", encodeKey(next, url))
                }
            }
            for o in page.objects {
                x.element("Contents") { x in
                    x.element("Key", encodeKey(o.key, url))
                    x.element("LastModified", AWSTimestamp.iso8601(o.lastModified))
                    x.element("ETag", "\"\(o.etag)\"")
                    if let alg = o.checksumAlgorithm { x.element("ChecksumAlgorithm", alg) }
                    x.element("Size", String(o.size))
                    if !v2 || r.queryValue("fetch-owner") == "true" {
                        x.element("Owner") { x in
                            x.element("ID", caller.accountId)
                            x.element("DisplayName", caller.userName)
                        }
                    }
                    x.element("StorageClass", "STANDARD")
                }
            }
            for cp in page.commonPrefixes {
                x.element("CommonPrefixes") { x in x.element("Prefix", encodeKey(cp, url)) }
            }
        }
        return xmlResponse(x, r)
    }

    /// Versioning is not enabled on Kiln buckets, so every object is its only, latest version with id "null".
    func listObjectVersions(_ r: IncomingRequest, bucket: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        let prefix = r.queryValue("prefix") ?? ""
        let delimiter = r.queryValue("delimiter")
        let max = try maxKeys(r)
        let url = try encodingType(r)
        var marker = r.queryValue("key-marker").flatMap { $0.isEmpty ? nil : $0 }
        if let vm = r.queryValue("version-id-marker"), !vm.isEmpty {
            guard marker != nil else {
                throw S3Errors.invalidArgument("A version-id marker cannot be specified without a key marker.", name: "version-id-marker", value: vm)
            }
            guard vm == "null" else { throw S3Errors.invalidArgument("Invalid version id specified", name: "version-id-marker", value: vm) }
        }
        if marker == "" { marker = nil }
        let page = try await ObjectListing(objects: metadata).list(bucket: bucket, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: max)
        var x = XMLWriter()
        x.element("ListVersionsResult", namespace: Self.namespace) { x in
            x.element("Name", bucket)
            x.element("Prefix", encodeKey(prefix, url))
            x.element("KeyMarker", encodeKey(r.queryValue("key-marker") ?? "", url))
            x.element("VersionIdMarker", r.queryValue("version-id-marker") ?? "")
            x.element("MaxKeys", String(max))
            if let delimiter { x.element("Delimiter", encodeKey(delimiter, url)) }
            if url { x.element("EncodingType", "url") }
            x.element("IsTruncated", page.isTruncated ? "true" : "false")
            if page.isTruncated, let next = page.nextMarker {
                x.element("NextKeyMarker", encodeKey(next, url))
                x.element("NextVersionIdMarker", "null")
            }
            for o in page.objects {
                x.element("Version") { x in
                    x.element("Key", encodeKey(o.key, url))
                    x.element("VersionId", "null")
                    x.element("IsLatest", "true")
                    x.element("LastModified", AWSTimestamp.iso8601(o.lastModified))
                    x.element("ETag", "\"\(o.etag)\"")
                    x.element("Size", String(o.size))
                    x.element("Owner") { x in
                        x.element("ID", caller.accountId)
                        x.element("DisplayName", caller.userName)
                    }
                    x.element("StorageClass", "STANDARD")
                }
            }
            for cp in page.commonPrefixes {
                x.element("CommonPrefixes") { x in x.element("Prefix", encodeKey(cp, url)) }
            }
        }
        return xmlResponse(x, r)
    }
}
