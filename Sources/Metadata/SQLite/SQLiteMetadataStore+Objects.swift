import Foundation
import GRDB

extension SQLiteMetadataStore: ObjectRepository {
    public func object(bucket: String, key: String) async throws -> ObjectRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM objects WHERE bucket = ? AND object_key = ?", arguments: [bucket, keyBlob(key)])
                .map(Self.object)
        }
    }

    public func putObject(_ object: ObjectRecord, requireAbsent: Bool, requireETag: String?) async throws -> String? {
        try await pool.write { db in
            if requireAbsent || requireETag != nil {
                let current = try String.fetchOne(db, sql: "SELECT etag FROM objects WHERE bucket = ? AND object_key = ?",
                                                  arguments: [object.bucket, keyBlob(object.key)])
                if requireAbsent && current != nil { throw MetadataError.alreadyExists }
                if let wanted = requireETag {
                    guard let current else { throw MetadataError.notFound }
                    if wanted != "*" && current != wanted { throw MetadataError.preconditionFailed }
                }
            }
            return try Self.upsert(object, db)
        }
    }

    static func upsert(_ o: ObjectRecord, _ db: Database) throws -> String? {
        let old = try String.fetchOne(db, sql: "SELECT blob_id FROM objects WHERE bucket = ? AND object_key = ?",
                                      arguments: [o.bucket, keyBlob(o.key)])
        try db.execute(sql: """
            INSERT INTO objects (bucket, object_key, blob_id, size, etag, content_type, user_metadata, system_metadata,
                                 checksum_algorithm, checksum_value, last_modified, part_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (bucket, object_key) DO UPDATE SET
                blob_id = excluded.blob_id, size = excluded.size, etag = excluded.etag, content_type = excluded.content_type,
                user_metadata = excluded.user_metadata, system_metadata = excluded.system_metadata,
                checksum_algorithm = excluded.checksum_algorithm, checksum_value = excluded.checksum_value,
                last_modified = excluded.last_modified, part_count = excluded.part_count
            """, arguments: [o.bucket, keyBlob(o.key), o.blobId, o.size, o.etag, o.contentType, json(o.userMetadata),
                             json(o.systemMetadata), o.checksumAlgorithm, o.checksumValue, o.lastModified.timeIntervalSince1970,
                             o.partCount])
        return old == o.blobId ? nil : old
    }

    public func deleteObject(bucket: String, key: String) async throws -> String? {
        try await pool.write { db in
            let old = try String.fetchOne(db, sql: "SELECT blob_id FROM objects WHERE bucket = ? AND object_key = ?",
                                          arguments: [bucket, keyBlob(key)])
            try db.execute(sql: "DELETE FROM objects WHERE bucket = ? AND object_key = ?", arguments: [bucket, keyBlob(key)])
            return old
        }
    }

    public func listObjects(bucket: String, prefix: String, after: String?, from: Data?, limit: Int) async throws -> [ObjectRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM objects WHERE bucket = ? AND object_key >= ?"
            var args: [(any DatabaseValueConvertible)?] = [bucket, keyBlob(prefix)]
            if let upper = prefixUpperBound(prefix), !prefix.isEmpty {
                sql += " AND object_key < ?"
                args.append(upper)
            }
            if let after {
                sql += " AND object_key > ?"
                args.append(keyBlob(after))
            }
            if let from {
                sql += " AND object_key >= ?"
                args.append(from)
            }
            sql += " ORDER BY object_key LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.object)
        }
    }

    public func referencedBlobIds() async throws -> Set<String> {
        try await pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT blob_id FROM objects UNION SELECT blob_id FROM parts"))
        }
    }

    public func insertUpload(_ u: UploadRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO uploads (upload_id, bucket, object_key, initiated, content_type, user_metadata, system_metadata, checksum_algorithm)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [u.uploadId, u.bucket, keyBlob(u.key), u.initiated.timeIntervalSince1970, u.contentType,
                                 Self.json(u.userMetadata), Self.json(u.systemMetadata), u.checksumAlgorithm])
        }
    }

    public func upload(id: String) async throws -> UploadRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM uploads WHERE upload_id = ?", arguments: [id]).map(Self.upload)
        }
    }

    public func uploads(bucket: String, prefix: String, limit: Int) async throws -> [UploadRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM uploads WHERE bucket = ? AND object_key >= ?"
            var args: [(any DatabaseValueConvertible)?] = [bucket, keyBlob(prefix)]
            if let upper = prefixUpperBound(prefix), !prefix.isEmpty {
                sql += " AND object_key < ?"
                args.append(upper)
            }
            sql += " ORDER BY object_key, initiated LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.upload)
        }
    }

    public func putPart(_ p: PartRecord) async throws -> String? {
        try await pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM uploads WHERE upload_id = ?", arguments: [p.uploadId]) != nil else {
                throw MetadataError.notFound
            }
            let old = try String.fetchOne(db, sql: "SELECT blob_id FROM parts WHERE upload_id = ? AND part_number = ?",
                                          arguments: [p.uploadId, p.partNumber])
            try db.execute(sql: """
                INSERT INTO parts (upload_id, part_number, blob_id, size, etag, checksum_value, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (upload_id, part_number) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size,
                    etag = excluded.etag, checksum_value = excluded.checksum_value, last_modified = excluded.last_modified
                """, arguments: [p.uploadId, p.partNumber, p.blobId, p.size, p.etag, p.checksumValue, p.lastModified.timeIntervalSince1970])
            return old
        }
    }

    public func parts(uploadId: String) async throws -> [PartRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM parts WHERE upload_id = ? ORDER BY part_number", arguments: [uploadId]).map(Self.part)
        }
    }

    public func deleteUpload(id: String) async throws -> [String] {
        try await pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM uploads WHERE upload_id = ?", arguments: [id]) != nil else {
                throw MetadataError.notFound
            }
            let blobs = try String.fetchAll(db, sql: "SELECT blob_id FROM parts WHERE upload_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM parts WHERE upload_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM uploads WHERE upload_id = ?", arguments: [id])
            return blobs
        }
    }

    public func completeUpload(id: String, object: ObjectRecord) async throws -> [String] {
        try await pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM uploads WHERE upload_id = ?", arguments: [id]) != nil else {
                throw MetadataError.notFound
            }
            var unused = try String.fetchAll(db, sql: "SELECT blob_id FROM parts WHERE upload_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM parts WHERE upload_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM uploads WHERE upload_id = ?", arguments: [id])
            if let old = try Self.upsert(object, db) { unused.append(old) }
            return unused.filter { $0 != object.blobId }
        }
    }

    static func object(_ row: Row) -> ObjectRecord {
        let keyData: Data = row["object_key"]
        return ObjectRecord(
            bucket: row["bucket"], key: String(decoding: keyData, as: UTF8.self), blobId: row["blob_id"], size: row["size"],
            etag: row["etag"], contentType: row["content_type"], userMetadata: dict(row["user_metadata"]),
            systemMetadata: dict(row["system_metadata"]), checksumAlgorithm: row["checksum_algorithm"],
            checksumValue: row["checksum_value"], lastModified: date(row["last_modified"]), partCount: row["part_count"])
    }

    static func upload(_ row: Row) -> UploadRecord {
        let keyData: Data = row["object_key"]
        return UploadRecord(uploadId: row["upload_id"], bucket: row["bucket"], key: String(decoding: keyData, as: UTF8.self),
                            initiated: date(row["initiated"]), contentType: row["content_type"],
                            userMetadata: dict(row["user_metadata"]), systemMetadata: dict(row["system_metadata"]),
                            checksumAlgorithm: row["checksum_algorithm"])
    }

    static func part(_ row: Row) -> PartRecord {
        PartRecord(uploadId: row["upload_id"], partNumber: row["part_number"], blobId: row["blob_id"], size: row["size"],
                   etag: row["etag"], checksumValue: row["checksum_value"], lastModified: date(row["last_modified"]))
    }
}
