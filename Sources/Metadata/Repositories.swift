import Foundation

/// Errors a metadata store reports to its callers.
public enum MetadataError: Error, Equatable, Sendable {
    case alreadyExists
    case notFound
    case notEmpty
    case preconditionFailed
}

extension ObjectRepository {
    public func putObject(_ object: ObjectRecord) async throws -> String? {
        try await putObject(object, requireAbsent: false, requireETag: nil)
    }
}

public protocol AccessKeyRepository: Sendable {
    func accessKey(id: String) async throws -> AccessKey?
    func insertAccessKey(_ key: AccessKey) async throws
    /// The oldest key of the account, used as its root credentials.
    func firstAccessKey(accountId: String) async throws -> AccessKey?
}

public protocol BucketRepository: Sendable {
    func insertBucket(_ bucket: BucketRecord) async throws
    func bucket(named name: String) async throws -> BucketRecord?
    func buckets(accountId: String) async throws -> [BucketRecord]
    /// Deletes an empty bucket; throws `.notEmpty` if objects or uploads remain.
    func deleteBucket(named name: String) async throws
}

public protocol ObjectRepository: Sendable {
    func object(bucket: String, key: String) async throws -> ObjectRecord?
    /// Inserts or replaces; returns the blob id the replaced object used, so the caller can delete it.
    /// In the same transaction: `requireAbsent` fails with `.alreadyExists` if the key exists, and `requireETag`
    /// fails with `.notFound` / `.preconditionFailed` unless the current object has that ETag.
    func putObject(_ object: ObjectRecord, requireAbsent: Bool, requireETag: String?) async throws -> String?
    /// Deletes; returns the removed object's blob id.
    func deleteObject(bucket: String, key: String) async throws -> String?
    /// Objects whose keys start with `prefix`, strictly after `after` and at or after the raw bytes `from`,
    /// in byte order, at most `limit`.
    func listObjects(bucket: String, prefix: String, after: String?, from: Data?, limit: Int) async throws -> [ObjectRecord]
    /// Blob ids referenced by any object or part (for orphan collection).
    func referencedBlobIds() async throws -> Set<String>

    func insertUpload(_ upload: UploadRecord) async throws
    func upload(id: String) async throws -> UploadRecord?
    func uploads(bucket: String, prefix: String, limit: Int) async throws -> [UploadRecord]
    /// Inserts or replaces a part; returns the replaced part's blob id.
    func putPart(_ part: PartRecord) async throws -> String?
    func parts(uploadId: String) async throws -> [PartRecord]
    /// Removes the upload and its parts; returns the parts' blob ids.
    func deleteUpload(id: String) async throws -> [String]
    /// In one transaction: store the completed object and drop the upload.
    /// Returns the blob ids no longer referenced (the parts' and the replaced object's).
    func completeUpload(id: String, object: ObjectRecord) async throws -> [String]
}

public protocol LogRepository: Sendable {
    func createLogGroup(_ scope: LogScope, name: String, createdAt: Int64) async throws
    func deleteLogGroup(_ scope: LogScope, name: String) async throws
    func logGroups(_ scope: LogScope, prefix: String?, after: String?, limit: Int) async throws -> [LogGroupRecord]
    func logGroup(_ scope: LogScope, name: String) async throws -> LogGroupRecord?
    func createLogStream(_ scope: LogScope, group: String, name: String, createdAt: Int64) async throws
    func logStream(_ scope: LogScope, group: String, name: String) async throws -> LogStreamRecord?
    /// Every stream of a group whose name starts with `prefix`.
    func logStreams(_ scope: LogScope, group: String, prefix: String?) async throws -> [LogStreamRecord]
    /// Appends events (already sorted by timestamp) to a stream.
    func appendLogEvents(_ scope: LogScope, group: String, stream: String, events: [(timestamp: Int64, message: String)],
                         ingestionTime: Int64) async throws
    /// Events of one stream in (timestamp, sequence) order, strictly after / before the given positions,
    /// within `[startTime, endTime)`; `backward` takes the last `limit` instead of the first (returned newest first).
    func logEvents(_ scope: LogScope, group: String, stream: String, after: LogPosition?, before: LogPosition?,
                   startTime: Int64?, endTime: Int64?, limit: Int, backward: Bool) async throws -> [LogEventRecord]
    /// Events across streams of a group, in (timestamp, sequence) order, starting after a cursor.
    func filterLogEvents(_ scope: LogScope, group: String, streams: [String]?, streamPrefix: String?, startTime: Int64?,
                         endTime: Int64?, after: (timestamp: Int64, sequence: Int64)?, limit: Int) async throws -> [LogEventRecord]
}

public protocol TrainingJobRepository: Sendable {
    /// Throws `.alreadyExists` if the account already has a job of that name in that region.
    func insertTrainingJob(_ job: TrainingJobRecord) async throws
    func trainingJob(accountId: String, region: String, name: String) async throws -> TrainingJobRecord?
    func updateTrainingJob(_ job: TrainingJobRecord) async throws
    /// Read-modify-write in one transaction, so concurrent changes never overwrite each other.
    @discardableResult
    func mutateTrainingJob(accountId: String, region: String, name: String,
                           _ transform: @Sendable (TrainingJobRecord) throws -> TrainingJobRecord) async throws -> TrainingJobRecord
    /// All jobs of an account and region, newest first.
    func trainingJobs(accountId: String, region: String) async throws -> [TrainingJobRecord]
    /// Jobs in any of the given statuses, across accounts (used at start-up to settle jobs a restart interrupted).
    func trainingJobs(statuses: [String]) async throws -> [TrainingJobRecord]
}

/// Named resources of one kind per account and region (names compare case-insensitively, as SageMaker's do).
public protocol ResourceRepository: Sendable {
    /// Throws `.alreadyExists` when the name is taken.
    func insertResource(_ r: ResourceRecord) async throws
    func resource(kind: String, accountId: String, region: String, name: String) async throws -> ResourceRecord?
    /// Throws `.notFound` when missing.
    func updateResource(_ r: ResourceRecord) async throws
    /// Read-modify-write in one transaction; throws `.notFound` when missing.
    @discardableResult
    func mutateResource(kind: String, accountId: String, region: String, name: String,
                        _ transform: @Sendable (ResourceRecord) throws -> ResourceRecord) async throws -> ResourceRecord
    /// Throws `.notFound` when missing.
    func deleteResource(kind: String, accountId: String, region: String, name: String) async throws
    func resources(kind: String, accountId: String, region: String) async throws -> [ResourceRecord]
    /// Every resource of a kind across accounts (start-up recovery).
    func resources(kind: String) async throws -> [ResourceRecord]
}

/// A place in a log stream: events are ordered by timestamp, then by arrival.
public struct LogPosition: Sendable, Equatable {
    public var timestamp: Int64
    public var sequence: Int64
    public init(timestamp: Int64, sequence: Int64) { (self.timestamp, self.sequence) = (timestamp, sequence) }
}

/// Everything Kiln keeps as metadata.
public typealias MetadataStore = AccessKeyRepository & BucketRepository & ObjectRepository & LogRepository & TrainingJobRepository & ResourceRepository
