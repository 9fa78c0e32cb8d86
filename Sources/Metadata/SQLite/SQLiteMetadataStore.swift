import Foundation
import GRDB

/// The embedded metadata store: one SQLite database in WAL mode.
///
/// SQL here stays portable (no SQLite-only syntax beyond `INSERT … ON CONFLICT`, which PostgreSQL shares),
/// so a PostgreSQL implementation of the same repositories can reuse it.
public final class SQLiteMetadataStore: Sendable {
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            // FULL: an acknowledged write survives power loss, not just a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        config.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: config)
        try SQLiteMigrations.migrator.migrate(pool)
    }

    static func json(_ dict: [String: String]) -> String {
        guard !dict.isEmpty, let data = try? JSONSerialization.data(withJSONObject: dict, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func dict(_ text: String?) -> [String: String] {
        guard let text, let data = text.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return obj
    }

    static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
}

/// Key bytes: object keys are stored as BLOBs so ordering and prefix ranges are plain byte comparisons, as S3's.
func keyBlob(_ key: String) -> Data { Data(key.utf8) }

/// The smallest byte string greater than every string that starts with `prefix`; nil if there is none.
public func prefixUpperBound(_ prefix: String) -> Data? {
    var bytes = Array(prefix.utf8)
    while let last = bytes.last {
        if last < 0xFF {
            bytes[bytes.count - 1] = last + 1
            return Data(bytes)
        }
        bytes.removeLast()
    }
    return nil
}
