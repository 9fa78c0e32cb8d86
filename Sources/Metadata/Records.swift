import Foundation

/// An access key and the account it belongs to.
public struct AccessKey: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var accountId: String
    public var userName: String
    public var createdAt: Date
    public init(accessKeyId: String, secretAccessKey: String, accountId: String, userName: String, createdAt: Date) {
        (self.accessKeyId, self.secretAccessKey, self.accountId, self.userName, self.createdAt) =
            (accessKeyId, secretAccessKey, accountId, userName, createdAt)
    }
}

/// An S3 bucket. Names are global, as in AWS; each has an owning account and a region.
public struct BucketRecord: Sendable, Equatable {
    public var name: String
    public var accountId: String
    public var region: String
    public var createdAt: Date
    public init(name: String, accountId: String, region: String, createdAt: Date) {
        (self.name, self.accountId, self.region, self.createdAt) = (name, accountId, region, createdAt)
    }
}

/// The stored description of one object; its bytes live in the blob named by `blobId`.
public struct ObjectRecord: Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var blobId: String
    public var size: Int64
    /// Without quotes: `hex` or `hex-N` for multipart.
    public var etag: String
    public var contentType: String?
    /// `x-amz-meta-*` values by lower-cased name (without the prefix).
    public var userMetadata: [String: String]
    /// Stored response headers: content-encoding, content-disposition, cache-control, content-language, expires.
    public var systemMetadata: [String: String]
    public var checksumAlgorithm: String?
    /// Base64 digest; for multipart objects the composite `value-N` form.
    public var checksumValue: String?
    public var lastModified: Date
    public var partCount: Int?

    public init(bucket: String, key: String, blobId: String, size: Int64, etag: String, contentType: String?,
                userMetadata: [String: String], systemMetadata: [String: String], checksumAlgorithm: String?,
                checksumValue: String?, lastModified: Date, partCount: Int?) {
        self.bucket = bucket
        self.key = key
        self.blobId = blobId
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.userMetadata = userMetadata
        self.systemMetadata = systemMetadata
        self.checksumAlgorithm = checksumAlgorithm
        self.checksumValue = checksumValue
        self.lastModified = lastModified
        self.partCount = partCount
    }
}

/// A multipart upload in progress.
public struct UploadRecord: Sendable, Equatable {
    public var uploadId: String
    public var bucket: String
    public var key: String
    public var initiated: Date
    public var contentType: String?
    public var userMetadata: [String: String]
    public var systemMetadata: [String: String]
    public var checksumAlgorithm: String?
    public init(uploadId: String, bucket: String, key: String, initiated: Date, contentType: String?,
                userMetadata: [String: String], systemMetadata: [String: String], checksumAlgorithm: String?) {
        self.uploadId = uploadId
        self.bucket = bucket
        self.key = key
        self.initiated = initiated
        self.contentType = contentType
        self.userMetadata = userMetadata
        self.systemMetadata = systemMetadata
        self.checksumAlgorithm = checksumAlgorithm
    }
}

/// One uploaded part of a multipart upload.
public struct PartRecord: Sendable, Equatable {
    public var uploadId: String
    public var partNumber: Int
    public var blobId: String
    public var size: Int64
    public var etag: String
    public var checksumValue: String?
    public var lastModified: Date
    public init(uploadId: String, partNumber: Int, blobId: String, size: Int64, etag: String, checksumValue: String?, lastModified: Date) {
        (self.uploadId, self.partNumber, self.blobId, self.size, self.etag, self.checksumValue, self.lastModified) =
            (uploadId, partNumber, blobId, size, etag, checksumValue, lastModified)
    }
}

/// Where CloudWatch Logs resources live: each account and region has its own.
public struct LogScope: Sendable, Hashable {
    public var accountId: String
    public var region: String
    public init(accountId: String, region: String) { (self.accountId, self.region) = (accountId, region) }
}

public struct LogGroupRecord: Sendable, Equatable {
    public var name: String
    public var createdAt: Int64
    public var retentionInDays: Int?
    public var storedBytes: Int64
    public init(name: String, createdAt: Int64, retentionInDays: Int?, storedBytes: Int64) {
        (self.name, self.createdAt, self.retentionInDays, self.storedBytes) = (name, createdAt, retentionInDays, storedBytes)
    }
}

public struct LogStreamRecord: Sendable, Equatable {
    public var groupName: String
    public var name: String
    public var createdAt: Int64
    public var firstEventTimestamp: Int64?
    public var lastEventTimestamp: Int64?
    public var lastIngestionTime: Int64?
    public var storedBytes: Int64
    public init(groupName: String, name: String, createdAt: Int64, firstEventTimestamp: Int64?, lastEventTimestamp: Int64?,
                lastIngestionTime: Int64?, storedBytes: Int64) {
        self.groupName = groupName
        self.name = name
        self.createdAt = createdAt
        self.firstEventTimestamp = firstEventTimestamp
        self.lastEventTimestamp = lastEventTimestamp
        self.lastIngestionTime = lastIngestionTime
        self.storedBytes = storedBytes
    }
}

/// One log event; `sequence` orders events of a stream in arrival order and makes paging tokens stable.
public struct LogEventRecord: Sendable, Equatable {
    public var sequence: Int64
    public var streamName: String
    public var timestamp: Int64
    public var ingestionTime: Int64
    public var message: String
    public init(sequence: Int64, streamName: String, timestamp: Int64, ingestionTime: Int64, message: String) {
        (self.sequence, self.streamName, self.timestamp, self.ingestionTime, self.message) = (sequence, streamName, timestamp, ingestionTime, message)
    }
}

/// A training job as stored: a few indexed fields plus the whole description as an opaque JSON document
/// (the API layer owns its shape).
public struct TrainingJobRecord: Sendable, Equatable {
    public var accountId: String
    public var region: String
    public var name: String
    public var status: String
    public var creationTime: Date
    public var lastModifiedTime: Date
    public var document: Data
    public init(accountId: String, region: String, name: String, status: String, creationTime: Date, lastModifiedTime: Date, document: Data) {
        (self.accountId, self.region, self.name, self.status, self.creationTime, self.lastModifiedTime, self.document) =
            (accountId, region, name, status, creationTime, lastModifiedTime, document)
    }
}

/// A named API resource (model, endpoint configuration, endpoint, …) kept as an opaque JSON document.
public struct ResourceRecord: Sendable, Equatable {
    /// The resource type, e.g. `model`, `endpoint-config`, `endpoint`.
    public var kind: String
    public var accountId: String
    public var region: String
    public var name: String
    public var creationTime: Date
    public var document: Data
    public init(kind: String, accountId: String, region: String, name: String, creationTime: Date, document: Data) {
        (self.kind, self.accountId, self.region, self.name, self.creationTime, self.document) = (kind, accountId, region, name, creationTime, document)
    }
}
