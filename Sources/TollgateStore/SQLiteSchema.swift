/// The tables of the embedded store. `CREATE … IF NOT EXISTS` on every open: a new file gets
/// them, an existing one keeps its rows. A column added later goes in `addedColumns`, which an
/// older file gets by `ALTER TABLE`.
enum SQLiteSchema {
    /// (table, column, type): columns newer than the first release of their table.
    static let addedColumns = [
        ("async_jobs", "lease_owner", "TEXT"),
        ("request_logs", "cache", "TEXT"),
    ]

    static let pragmas = [
        // WAL: readers (an admin query) never block the background writer, and a commit is one
        // append rather than a rewrite of the page.
        "PRAGMA journal_mode=WAL",
        // With WAL, NORMAL loses at most the last commits on power loss, never integrity.
        "PRAGMA synchronous=NORMAL",
        "PRAGMA busy_timeout=5000",
    ]

    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS usage_counters (
            subject TEXT NOT NULL,
            window TEXT NOT NULL,
            window_start INTEGER NOT NULL,
            requests INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost_usd REAL NOT NULL,
            PRIMARY KEY (subject, window, window_start)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS request_logs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            request_id TEXT NOT NULL,
            route TEXT NOT NULL,
            virtual_key TEXT,
            provider TEXT,
            model TEXT,
            status INTEGER NOT NULL,
            latency_ms REAL NOT NULL,
            ttft_ms REAL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost_usd REAL,
            error TEXT,
            stream INTEGER NOT NULL,
            request_body TEXT,
            response_body TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS request_logs_time ON request_logs (time)",
        "CREATE INDEX IF NOT EXISTS request_logs_vk ON request_logs (virtual_key, time)",
        """
        CREATE TABLE IF NOT EXISTS async_jobs (
            id TEXT PRIMARY KEY,
            owner TEXT,
            route_id TEXT NOT NULL,
            uri TEXT NOT NULL,
            headers TEXT NOT NULL,
            body BLOB NOT NULL,
            state TEXT NOT NULL,
            result_status INTEGER,
            result_body BLOB,
            created_at REAL NOT NULL,
            finished_at REAL,
            ttl_seconds INTEGER NOT NULL,
            expires_at REAL,
            lease_owner TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS async_jobs_state ON async_jobs (state)",
        """
        CREATE TABLE IF NOT EXISTS rate_limits (
            subject TEXT NOT NULL,
            kind TEXT NOT NULL,
            theoretical_arrival REAL NOT NULL,
            PRIMARY KEY (subject, kind)
        )
        """,
        "CREATE INDEX IF NOT EXISTS async_jobs_expires ON async_jobs (expires_at)",
        """
        CREATE TABLE IF NOT EXISTS cache_answers (
            key TEXT PRIMARY KEY,
            partition TEXT NOT NULL,
            embedding BLOB,
            status INTEGER NOT NULL,
            content_type TEXT NOT NULL,
            body BLOB NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS cache_answers_partition ON cache_answers (partition, created_at)",
        "CREATE INDEX IF NOT EXISTS cache_answers_created ON cache_answers (created_at)",
        "CREATE INDEX IF NOT EXISTS cache_answers_expires ON cache_answers (expires_at)",
    ]
}
