import Foundation
import GRDB

extension SQLiteMetadataStore: AccessKeyRepository {
    public func accessKey(id: String) async throws -> AccessKey? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_keys WHERE access_key_id = ?", arguments: [id]).map(Self.accessKey)
        }
    }

    public func insertAccessKey(_ key: AccessKey) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO access_keys (access_key_id, secret_access_key, account_id, user_name, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [key.accessKeyId, key.secretAccessKey, key.accountId, key.userName, key.createdAt.timeIntervalSince1970])
        }
    }

    public func firstAccessKey(accountId: String) async throws -> AccessKey? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_keys WHERE account_id = ? ORDER BY created_at LIMIT 1", arguments: [accountId])
                .map(Self.accessKey)
        }
    }

    static func accessKey(_ row: Row) -> AccessKey {
        AccessKey(accessKeyId: row["access_key_id"], secretAccessKey: row["secret_access_key"], accountId: row["account_id"],
                  userName: row["user_name"], createdAt: date(row["created_at"]))
    }
}

extension SQLiteMetadataStore: BucketRepository {
    public func insertBucket(_ bucket: BucketRecord) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM buckets WHERE name = ?", arguments: [bucket.name]) != nil {
                throw MetadataError.alreadyExists
            }
            try db.execute(sql: "INSERT INTO buckets (name, account_id, region, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [bucket.name, bucket.accountId, bucket.region, bucket.createdAt.timeIntervalSince1970])
        }
    }

    public func bucket(named name: String) async throws -> BucketRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM buckets WHERE name = ?", arguments: [name]).map(Self.bucket)
        }
    }

    public func buckets(accountId: String) async throws -> [BucketRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM buckets WHERE account_id = ? ORDER BY name", arguments: [accountId]).map(Self.bucket)
        }
    }

    public func deleteBucket(named name: String) async throws {
        try await pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM buckets WHERE name = ?", arguments: [name]) != nil else {
                throw MetadataError.notFound
            }
            if try Row.fetchOne(db, sql: "SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", arguments: [name]) != nil
                || Row.fetchOne(db, sql: "SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1", arguments: [name]) != nil {
                throw MetadataError.notEmpty
            }
            try db.execute(sql: "DELETE FROM buckets WHERE name = ?", arguments: [name])
        }
    }

    static func bucket(_ row: Row) -> BucketRecord {
        BucketRecord(name: row["name"], accountId: row["account_id"], region: row["region"], createdAt: date(row["created_at"]))
    }
}
