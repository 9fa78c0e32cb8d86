import Foundation
import GRDB

extension SQLiteMetadataStore: LogRepository {
    public func createLogGroup(_ scope: LogScope, name: String, createdAt: Int64) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM log_groups WHERE account_id = ? AND region = ? AND name = ?",
                                arguments: [scope.accountId, scope.region, name]) != nil {
                throw MetadataError.alreadyExists
            }
            try db.execute(sql: "INSERT INTO log_groups (account_id, region, name, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [scope.accountId, scope.region, name, createdAt])
        }
    }

    public func deleteLogGroup(_ scope: LogScope, name: String) async throws {
        try await pool.write { db in
            let args: StatementArguments = [scope.accountId, scope.region, name]
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM log_groups WHERE account_id = ? AND region = ? AND name = ?", arguments: args) != nil
            else { throw MetadataError.notFound }
            try db.execute(sql: "DELETE FROM log_events WHERE account_id = ? AND region = ? AND group_name = ?", arguments: args)
            try db.execute(sql: "DELETE FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ?", arguments: args)
            try db.execute(sql: "DELETE FROM log_groups WHERE account_id = ? AND region = ? AND name = ?", arguments: args)
        }
    }

    public func logGroups(_ scope: LogScope, prefix: String?, after: String?, limit: Int) async throws -> [LogGroupRecord] {
        try await pool.read { db in
            var sql = """
                SELECT g.name, g.created_at, g.retention_days,
                       (SELECT COALESCE(SUM(s.stored_bytes), 0) FROM log_streams s
                        WHERE s.account_id = g.account_id AND s.region = g.region AND s.group_name = g.name) AS stored
                FROM log_groups g WHERE g.account_id = ? AND g.region = ?
                """
            var args: [(any DatabaseValueConvertible)?] = [scope.accountId, scope.region]
            if let prefix, !prefix.isEmpty {
                sql += " AND substr(g.name, 1, ?) = ?"
                args += [prefix.unicodeScalars.count, prefix]
            }
            if let after {
                sql += " AND g.name > ?"
                args.append(after)
            }
            sql += " ORDER BY g.name LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map {
                LogGroupRecord(name: $0["name"], createdAt: $0["created_at"], retentionInDays: $0["retention_days"], storedBytes: $0["stored"])
            }
        }
    }

    public func logGroup(_ scope: LogScope, name: String) async throws -> LogGroupRecord? {
        try await logGroups(scope, prefix: name, after: nil, limit: 1000).first { $0.name == name }
    }

    public func createLogStream(_ scope: LogScope, group: String, name: String, createdAt: Int64) async throws {
        try await pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM log_groups WHERE account_id = ? AND region = ? AND name = ?",
                                   arguments: [scope.accountId, scope.region, group]) != nil
            else { throw MetadataError.notFound }
            if try Row.fetchOne(db, sql: "SELECT 1 FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ? AND name = ?",
                                arguments: [scope.accountId, scope.region, group, name]) != nil {
                throw MetadataError.alreadyExists
            }
            try db.execute(sql: "INSERT INTO log_streams (account_id, region, group_name, name, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [scope.accountId, scope.region, group, name, createdAt])
        }
    }

    public func logStream(_ scope: LogScope, group: String, name: String) async throws -> LogStreamRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ? AND name = ?",
                             arguments: [scope.accountId, scope.region, group, name]).map(Self.stream)
        }
    }

    public func logStreams(_ scope: LogScope, group: String, prefix: String?) async throws -> [LogStreamRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ?"
            var args: [(any DatabaseValueConvertible)?] = [scope.accountId, scope.region, group]
            if let prefix, !prefix.isEmpty {
                sql += " AND substr(name, 1, ?) = ?"
                args += [prefix.unicodeScalars.count, prefix]
            }
            sql += " ORDER BY name"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.stream)
        }
    }

    public func appendLogEvents(_ scope: LogScope, group: String, stream: String, events: [(timestamp: Int64, message: String)],
                                ingestionTime: Int64) async throws {
        guard !events.isEmpty else { return }
        try await pool.write { db in
            guard let current = try Row.fetchOne(
                db, sql: "SELECT * FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ? AND name = ?",
                arguments: [scope.accountId, scope.region, group, stream]).map(Self.stream)
            else { throw MetadataError.notFound }
            var bytes: Int64 = 0
            for e in events {
                try db.execute(sql: """
                    INSERT INTO log_events (account_id, region, group_name, stream_name, event_time, ingestion_time, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [scope.accountId, scope.region, group, stream, e.timestamp, ingestionTime, e.message])
                bytes += Int64(e.message.utf8.count)
            }
            let first = min(current.firstEventTimestamp ?? Int64.max, events.map(\.timestamp).min()!)
            let last = max(current.lastEventTimestamp ?? Int64.min, events.map(\.timestamp).max()!)
            try db.execute(sql: """
                UPDATE log_streams SET first_event = ?, last_event = ?, last_ingestion = ?, stored_bytes = stored_bytes + ?
                WHERE account_id = ? AND region = ? AND group_name = ? AND name = ?
                """, arguments: [first, last, ingestionTime, bytes, scope.accountId, scope.region, group, stream])
        }
    }

    public func logEvents(_ scope: LogScope, group: String, stream: String, after: LogPosition?, before: LogPosition?,
                          startTime: Int64?, endTime: Int64?, limit: Int, backward: Bool) async throws -> [LogEventRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM log_events WHERE account_id = ? AND region = ? AND group_name = ? AND stream_name = ?"
            var args: [(any DatabaseValueConvertible)?] = [scope.accountId, scope.region, group, stream]
            if let after {
                sql += " AND (event_time > ? OR (event_time = ? AND seq > ?))"
                args += [after.timestamp, after.timestamp, after.sequence]
            }
            if let before {
                sql += " AND (event_time < ? OR (event_time = ? AND seq < ?))"
                args += [before.timestamp, before.timestamp, before.sequence]
            }
            if let startTime { sql += " AND event_time >= ?"; args.append(startTime) }
            if let endTime { sql += " AND event_time < ?"; args.append(endTime) }
            sql += backward ? " ORDER BY event_time DESC, seq DESC LIMIT ?" : " ORDER BY event_time, seq LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.event)
        }
    }

    public func filterLogEvents(_ scope: LogScope, group: String, streams: [String]?, streamPrefix: String?, startTime: Int64?,
                                endTime: Int64?, after: (timestamp: Int64, sequence: Int64)?, limit: Int) async throws -> [LogEventRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM log_events WHERE account_id = ? AND region = ? AND group_name = ?"
            var args: [(any DatabaseValueConvertible)?] = [scope.accountId, scope.region, group]
            if let streams, !streams.isEmpty {
                sql += " AND stream_name IN (\(streams.map { _ in "?" }.joined(separator: ",")))"
                args += streams
            }
            if let streamPrefix, !streamPrefix.isEmpty {
                sql += " AND substr(stream_name, 1, ?) = ?"
                args += [streamPrefix.unicodeScalars.count, streamPrefix]
            }
            if let startTime { sql += " AND event_time >= ?"; args.append(startTime) }
            if let endTime { sql += " AND event_time <= ?"; args.append(endTime) }
            if let after {
                sql += " AND (event_time > ? OR (event_time = ? AND seq > ?))"
                args += [after.timestamp, after.timestamp, after.sequence]
            }
            sql += " ORDER BY event_time, seq LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.event)
        }
    }

    static func stream(_ row: Row) -> LogStreamRecord {
        LogStreamRecord(groupName: row["group_name"], name: row["name"], createdAt: row["created_at"], firstEventTimestamp: row["first_event"],
                        lastEventTimestamp: row["last_event"], lastIngestionTime: row["last_ingestion"], storedBytes: row["stored_bytes"])
    }

    static func event(_ row: Row) -> LogEventRecord {
        LogEventRecord(sequence: row["seq"], streamName: row["stream_name"], timestamp: row["event_time"],
                       ingestionTime: row["ingestion_time"], message: row["message"])
    }
}
