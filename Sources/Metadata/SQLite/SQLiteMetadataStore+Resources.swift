import Foundation
import GRDB

extension SQLiteMetadataStore: ResourceRepository {
    public func insertResource(_ r: ResourceRecord) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM resources WHERE kind = ? AND account_id = ? AND region = ? AND name_key = ?",
                                arguments: [r.kind, r.accountId, r.region, r.name.lowercased()]) != nil {
                throw MetadataError.alreadyExists
            }
            try db.execute(sql: """
                INSERT INTO resources (kind, account_id, region, name, name_key, creation_time, document) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.kind, r.accountId, r.region, r.name, r.name.lowercased(), r.creationTime.timeIntervalSince1970, r.document])
        }
    }

    public func resource(kind: String, accountId: String, region: String, name: String) async throws -> ResourceRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM resources WHERE kind = ? AND account_id = ? AND region = ? AND name_key = ?",
                             arguments: [kind, accountId, region, name.lowercased()]).map(Self.resource)
        }
    }

    public func updateResource(_ r: ResourceRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE resources SET document = ? WHERE kind = ? AND account_id = ? AND region = ? AND name_key = ?",
                           arguments: [r.document, r.kind, r.accountId, r.region, r.name.lowercased()])
            guard db.changesCount == 1 else { throw MetadataError.notFound }
        }
    }

    public func mutateResource(kind: String, accountId: String, region: String, name: String,
                               _ transform: @Sendable (ResourceRecord) throws -> ResourceRecord) async throws -> ResourceRecord {
        try await pool.write { db in
            guard let current = try Row.fetchOne(db, sql: "SELECT * FROM resources WHERE kind = ? AND account_id = ? AND region = ? AND name_key = ?",
                                                 arguments: [kind, accountId, region, name.lowercased()]).map(Self.resource) else {
                throw MetadataError.notFound
            }
            let r = try transform(current)
            try db.execute(sql: "UPDATE resources SET document = ? WHERE kind = ? AND account_id = ? AND region = ? AND name_key = ?",
                           arguments: [r.document, kind, accountId, region, name.lowercased()])
            return r
        }
    }

    public func deleteResource(kind: String, accountId: String, region: String, name: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM resources WHERE kind = ? AND account_id = ? AND region = ? AND name_key = ?",
                           arguments: [kind, accountId, region, name.lowercased()])
            guard db.changesCount == 1 else { throw MetadataError.notFound }
        }
    }

    public func resources(kind: String, accountId: String, region: String) async throws -> [ResourceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM resources WHERE kind = ? AND account_id = ? AND region = ? ORDER BY creation_time DESC, name",
                             arguments: [kind, accountId, region]).map(Self.resource)
        }
    }

    public func resources(kind: String) async throws -> [ResourceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM resources WHERE kind = ?", arguments: [kind]).map(Self.resource)
        }
    }

    static func resource(_ row: Row) -> ResourceRecord {
        ResourceRecord(kind: row["kind"], accountId: row["account_id"], region: row["region"], name: row["name"],
                       creationTime: date(row["creation_time"]), document: row["document"])
    }
}
