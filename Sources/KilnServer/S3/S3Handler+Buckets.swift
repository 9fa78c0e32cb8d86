import AWSWire
import Foundation
import HTTPTypes
import Hummingbird
import Metadata

extension S3Handler {
    func listBuckets(_ r: IncomingRequest, caller: Caller) async throws -> Response {
        let buckets = try await metadata.buckets(accountId: caller.accountId)
        var x = XMLWriter()
        x.element("ListAllMyBucketsResult", namespace: Self.namespace) { x in
            x.element("Owner") { x in
                x.element("ID", caller.accountId)
                x.element("DisplayName", caller.userName)
            }
            x.element("Buckets") { x in
                for b in buckets {
                    x.element("Bucket") { x in
                        x.element("Name", b.name)
                        x.element("CreationDate", AWSTimestamp.iso8601(b.createdAt))
                        x.element("BucketRegion", b.region)
                    }
                }
            }
        }
        return xmlResponse(x, r)
    }

    func createBucket(_ r: IncomingRequest, body: RequestBody, bucket: String, caller: Caller) async throws -> Response {
        guard BucketNames.isValid(bucket) else { throw S3Errors.invalidBucketName(bucket) }
        let config = try await readXML(body, request: r, caller: caller)
        var region = caller.region
        if let config {
            guard config.name == "CreateBucketConfiguration" else { throw S3Errors.malformedXML }
            if let constraint = config.value("LocationConstraint"), !constraint.isEmpty {
                if caller.region != "us-east-1" && constraint != caller.region {
                    throw AWSError("IllegalLocationConstraintException", status: 400,
                                   "The \(constraint) location constraint is incompatible for the region specific endpoint this request was sent to.")
                }
                region = constraint == "EU" ? "eu-west-1" : constraint
            } else {
                region = "us-east-1"
            }
        } else if caller.region != "us-east-1" {
            throw AWSError("IllegalLocationConstraintException", status: 400,
                           "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
        }
        do {
            try await metadata.insertBucket(BucketRecord(name: bucket, accountId: caller.accountId, region: region, createdAt: Date()))
        } catch MetadataError.alreadyExists {
            let existing = try await metadata.bucket(named: bucket)
            if existing?.accountId == caller.accountId {
                // us-east-1 keeps its legacy answer: re-creating your own bucket succeeds.
                if region == "us-east-1" && existing?.region == "us-east-1" {
                    var h = HTTPFields()
                    h[.location] = "/\(bucket)"
                    return emptyResponse(r, headers: h)
                }
                throw S3Errors.alreadyOwned(bucket)
            }
            throw S3Errors.alreadyExists(bucket)
        }
        var h = HTTPFields()
        h[.location] = "/\(bucket)"
        return emptyResponse(r, headers: h)
    }

    func headBucket(_ r: IncomingRequest, bucket: String, caller: Caller) async throws -> Response {
        let b = try await ownedBucket(bucket, caller: caller)
        if let expected = r.header("x-amz-expected-bucket-owner"), expected != b.accountId { throw S3Errors.accessDenied }
        var h = HTTPFields()
        h.set("x-amz-bucket-region", b.region)
        return emptyResponse(r, headers: h)
    }

    func deleteBucket(_ r: IncomingRequest, bucket: String, caller: Caller) async throws -> Response {
        _ = try await ownedBucket(bucket, caller: caller)
        do {
            try await metadata.deleteBucket(named: bucket)
        } catch MetadataError.notEmpty {
            throw S3Errors.bucketNotEmpty(bucket)
        } catch MetadataError.notFound {
            throw S3Errors.noSuchBucket(bucket)
        }
        return emptyResponse(r, status: 204)
    }

    func bucketLocation(_ r: IncomingRequest, bucket: String, caller: Caller) async throws -> Response {
        let b = try await ownedBucket(bucket, caller: caller)
        var x = XMLWriter()
        if b.region == "us-east-1" {
            x.element("LocationConstraint", namespace: Self.namespace) { _ in }
        } else {
            x.element("LocationConstraint", namespace: Self.namespace) { x in x.raw(XMLWriter.escape(b.region)) }
        }
        return xmlResponse(x, r)
    }
}

