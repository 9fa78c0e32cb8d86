import Foundation
import GRDB

extension SQLiteMetadataStore: TrainingJobRepository {
    public func insertTrainingJob(_ job: TrainingJobRecord) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM training_jobs WHERE account_id = ? AND region = ? AND name = ?",
                                arguments: [job.accountId, job.region, job.name]) != nil {
                throw MetadataError.alreadyExists
            }
            try db.execute(sql: """
                INSERT INTO training_jobs (account_id, region, name, status, creation_time, last_modified_time, document)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [job.accountId, job.region, job.name, job.status, job.creationTime.timeIntervalSince1970,
                                 job.lastModifiedTime.timeIntervalSince1970, job.document])
        }
    }

    public func trainingJob(accountId: String, region: String, name: String) async throws -> TrainingJobRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM training_jobs WHERE account_id = ? AND region = ? AND name = ?",
                             arguments: [accountId, region, name]).map(Self.trainingJob)
        }
    }

    public func updateTrainingJob(_ job: TrainingJobRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE training_jobs SET status = ?, last_modified_time = ?, document = ?
                WHERE account_id = ? AND region = ? AND name = ?
                """, arguments: [job.status, job.lastModifiedTime.timeIntervalSince1970, job.document, job.accountId, job.region, job.name])
            guard db.changesCount == 1 else { throw MetadataError.notFound }
        }
    }

    public func mutateTrainingJob(accountId: String, region: String, name: String,
                                  _ transform: @Sendable (TrainingJobRecord) throws -> TrainingJobRecord) async throws -> TrainingJobRecord {
        try await pool.write { db in
            guard let current = try Row.fetchOne(db, sql: "SELECT * FROM training_jobs WHERE account_id = ? AND region = ? AND name = ?",
                                                 arguments: [accountId, region, name]).map(Self.trainingJob) else {
                throw MetadataError.notFound
            }
            let job = try transform(current)
            try db.execute(sql: """
                UPDATE training_jobs SET status = ?, last_modified_time = ?, document = ?
                WHERE account_id = ? AND region = ? AND name = ?
                """, arguments: [job.status, job.lastModifiedTime.timeIntervalSince1970, job.document, accountId, region, name])
            return job
        }
    }

    public func trainingJobs(accountId: String, region: String) async throws -> [TrainingJobRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM training_jobs WHERE account_id = ? AND region = ? ORDER BY creation_time DESC, name",
                             arguments: [accountId, region]).map(Self.trainingJob)
        }
    }

    public func trainingJobs(statuses: [String]) async throws -> [TrainingJobRecord] {
        guard !statuses.isEmpty else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM training_jobs WHERE status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))",
                             arguments: StatementArguments(statuses)).map(Self.trainingJob)
        }
    }

    static func trainingJob(_ row: Row) -> TrainingJobRecord {
        TrainingJobRecord(accountId: row["account_id"], region: row["region"], name: row["name"], status: row["status"],
                          creationTime: date(row["creation_time"]), lastModifiedTime: date(row["last_modified_time"]),
                          document: row["document"])
    }
}
