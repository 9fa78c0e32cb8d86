import Foundation
import KilnChecksums
import Metadata
import ObjectStore
#if canImport(Glibc)
import Glibc
#endif

/// Kiln's own reads and writes of S3 objects (training input and model output), with the caller's account's
/// ownership rules but without HTTP.
struct InternalObjects: Sendable {
    let metadata: any MetadataStore
    let blobs: BlobStore

    struct Failure: Error { var message: String }

    func bucket(_ name: String, accountId: String) async throws -> BucketRecord {
        guard let b = try await metadata.bucket(named: name) else { throw Failure(message: "The specified bucket does not exist: \(name)") }
        guard b.accountId == accountId else { throw Failure(message: "Access Denied to bucket \(name)") }
        return b
    }

    /// Every key under a prefix, in order.
    func keys(bucket: String, prefix: String, accountId: String) async throws -> [String] {
        do { _ = try await self.bucket(bucket, accountId: accountId) } catch let e as Failure {
            throw TrainingJobRunner.JobFailure(reason: "ClientError: \(e.message)")
        }
        var out: [String] = []
        var after: String? = nil
        while true {
            let page = try await metadata.listObjects(bucket: bucket, prefix: prefix, after: after, from: nil, limit: 1000)
            out += page.map(\.key)
            guard page.count == 1000 else { return out }
            after = page.last?.key
        }
    }

    /// Copies an object's bytes to a new file (blocking I/O on the thread pool).
    func copy(bucket: String, key: String, to path: String, accountId: String) async throws {
        _ = try await self.bucket(bucket, accountId: accountId)
        guard let object = try await metadata.object(bucket: bucket, key: key) else { throw Failure(message: "NoSuchKey: s3://\(bucket)/\(key)") }
        let source = blobs.path(of: object.blobId)
        try await Task.detached {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw Failure(message: "cannot create \(path)") }
            let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? input.close(); try? output.close() }
            while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        }.value
    }

    /// A stable snapshot of an object at `path`: a hard link to its immutable blob (a copy where links fail).
    func snapshot(bucket: String, key: String, to path: String, accountId: String) async throws {
        _ = try await self.bucket(bucket, accountId: accountId)
        guard let object = try await metadata.object(bucket: bucket, key: key) else { throw Failure(message: "NoSuchKey: s3://\(bucket)/\(key)") }
        if link(blobs.path(of: object.blobId), path) != 0 {
            try await copy(bucket: bucket, key: key, to: path, accountId: accountId)
        }
    }

    func read(bucket: String, key: String, accountId: String, limit: Int) async throws -> Data {
        _ = try await self.bucket(bucket, accountId: accountId)
        guard let object = try await metadata.object(bucket: bucket, key: key) else { throw Failure(message: "NoSuchKey: s3://\(bucket)/\(key)") }
        guard object.size <= limit else { throw Failure(message: "s3://\(bucket)/\(key) is larger than \(limit) bytes") }
        return try Data(contentsOf: URL(fileURLWithPath: blobs.path(of: object.blobId)))
    }

    /// Stores a local file as an object (atomically, like PutObject).
    func put(file: String, bucket: String, key: String, contentType: String, accountId: String) async throws {
        _ = try await self.bucket(bucket, accountId: accountId)
        let blobs = self.blobs
        let blob = try await Task.detached { () throws -> BlobInfo in
            let writer = try blobs.makeWriter()
            do {
                let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
                defer { try? input.close() }
                while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty {
                    try chunk.withUnsafeBytes { try writer.write($0) }
                }
                return try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
        }.value
        let record = ObjectRecord(bucket: bucket, key: key, blobId: blob.id, size: blob.size, etag: blob.md5.hexString, contentType: contentType,
                                  userMetadata: [:], systemMetadata: [:], checksumAlgorithm: nil, checksumValue: nil,
                                  lastModified: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)), partCount: nil)
        do {
            if let replaced = try await metadata.putObject(record) { blobs.delete(id: replaced) }
        } catch {
            blobs.delete(id: blob.id)
            throw error
        }
    }
}
