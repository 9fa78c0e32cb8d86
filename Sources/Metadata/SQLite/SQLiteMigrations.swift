import GRDB

/// Schema versions, applied in order; never edit a shipped migration, add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-keys-buckets-objects-logs") { db in
            try db.execute(sql: """
                CREATE TABLE access_keys (
                    access_key_id TEXT PRIMARY KEY,
                    secret_access_key TEXT NOT NULL,
                    account_id TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
                );
                CREATE TABLE buckets (
                    name TEXT PRIMARY KEY,
                    account_id TEXT NOT NULL,
                    region TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
                );
                CREATE TABLE objects (
                    bucket TEXT NOT NULL REFERENCES buckets(name),
                    object_key BLOB NOT NULL,
                    blob_id TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    etag TEXT NOT NULL,
                    content_type TEXT,
                    user_metadata TEXT NOT NULL,
                    system_metadata TEXT NOT NULL,
                    checksum_algorithm TEXT,
                    checksum_value TEXT,
                    last_modified DOUBLE PRECISION NOT NULL,
                    part_count INTEGER,
                    PRIMARY KEY (bucket, object_key)
                );
                CREATE TABLE uploads (
                    upload_id TEXT PRIMARY KEY,
                    bucket TEXT NOT NULL REFERENCES buckets(name),
                    object_key BLOB NOT NULL,
                    initiated DOUBLE PRECISION NOT NULL,
                    content_type TEXT,
                    user_metadata TEXT NOT NULL,
                    system_metadata TEXT NOT NULL,
                    checksum_algorithm TEXT
                );
                CREATE INDEX uploads_by_key ON uploads(bucket, object_key);
                CREATE TABLE parts (
                    upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
                    part_number INTEGER NOT NULL,
                    blob_id TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    etag TEXT NOT NULL,
                    checksum_value TEXT,
                    last_modified DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (upload_id, part_number)
                );
                CREATE TABLE log_groups (
                    account_id TEXT NOT NULL,
                    region TEXT NOT NULL,
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    retention_days INTEGER,
                    PRIMARY KEY (account_id, region, name)
                );
                CREATE TABLE log_streams (
                    account_id TEXT NOT NULL,
                    region TEXT NOT NULL,
                    group_name TEXT NOT NULL,
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    first_event BIGINT,
                    last_event BIGINT,
                    last_ingestion BIGINT,
                    stored_bytes BIGINT NOT NULL DEFAULT 0,
                    PRIMARY KEY (account_id, region, group_name, name)
                );
                CREATE TABLE log_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    account_id TEXT NOT NULL,
                    region TEXT NOT NULL,
                    group_name TEXT NOT NULL,
                    stream_name TEXT NOT NULL,
                    event_time BIGINT NOT NULL,
                    ingestion_time BIGINT NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX log_events_by_stream ON log_events(account_id, region, group_name, stream_name, seq);
                CREATE INDEX log_events_by_time ON log_events(account_id, region, group_name, event_time, seq);
                """)
        }
        m.registerMigration("v2-log-events-by-stream-time") { db in
            try db.execute(sql: "CREATE INDEX log_events_by_stream_time ON log_events(account_id, region, group_name, stream_name, event_time, seq)")
        }
        m.registerMigration("v3-training-jobs") { db in
            try db.execute(sql: """
                CREATE TABLE training_jobs (
                    account_id TEXT NOT NULL,
                    region TEXT NOT NULL,
                    name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    creation_time DOUBLE PRECISION NOT NULL,
                    last_modified_time DOUBLE PRECISION NOT NULL,
                    document BLOB NOT NULL,
                    PRIMARY KEY (account_id, region, name)
                );
                CREATE INDEX training_jobs_by_status ON training_jobs(status);
                """)
        }
        m.registerMigration("v4-resources") { db in
            try db.execute(sql: """
                CREATE TABLE resources (
                    kind TEXT NOT NULL,
                    account_id TEXT NOT NULL,
                    region TEXT NOT NULL,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    creation_time DOUBLE PRECISION NOT NULL,
                    document BLOB NOT NULL,
                    PRIMARY KEY (kind, account_id, region, name_key)
                );
                """)
        }
        return m
    }
}
