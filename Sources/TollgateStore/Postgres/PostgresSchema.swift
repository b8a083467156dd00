/// The shared store's tables, as numbered migrations. Each instance applies the steps the
/// database has not seen yet at start-up, holding an advisory lock, so instances that start
/// together wait for one another instead of racing on `CREATE` (PostgreSQL's catalog would
/// reject the loser). A later change appends a step; steps are never edited once shipped.
enum PostgresSchema {
    /// `pg_advisory_lock` key: "tollgate" in ASCII, truncated to fit a bigint.
    static let lockKey: Int64 = 0x746F_6C6C_6761_7465

    static let versionTable = """
        CREATE TABLE IF NOT EXISTS tollgate_schema (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    static let steps: [[String]] = [
        // 1: counters, quotas, request logs, async jobs.
        [
            """
            CREATE TABLE usage_counters (
                subject text NOT NULL,
                window_name text NOT NULL,
                window_start bigint NOT NULL,
                requests bigint NOT NULL DEFAULT 0,
                input_tokens bigint NOT NULL DEFAULT 0,
                output_tokens bigint NOT NULL DEFAULT 0,
                cost_usd double precision NOT NULL DEFAULT 0,
                PRIMARY KEY (subject, window_name, window_start)
            )
            """,
            // One row per key: the lock every decision about the key takes, and its two GCRA
            // buckets (when each would be empty again, in the database's clock).
            """
            CREATE TABLE quota_keys (
                subject text PRIMARY KEY,
                requests_tat double precision NOT NULL DEFAULT 0,
                tokens_tat double precision NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE quota_reservations (
                id text PRIMARY KEY,
                subject text NOT NULL,
                cost_usd double precision NOT NULL,
                tokens bigint NOT NULL,
                expires_at double precision NOT NULL
            )
            """,
            "CREATE INDEX quota_reservations_subject ON quota_reservations (subject, expires_at)",
            """
            CREATE TABLE request_logs (
                id bigserial PRIMARY KEY,
                time double precision NOT NULL,
                request_id text NOT NULL,
                route text NOT NULL,
                virtual_key text,
                provider text,
                model text,
                status integer NOT NULL,
                latency_ms double precision NOT NULL,
                ttft_ms double precision,
                input_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                cost_usd double precision,
                error text,
                stream boolean NOT NULL,
                request_body text,
                response_body text
            )
            """,
            // Retention deletes by time through this index, never scanning the table.
            "CREATE INDEX request_logs_time ON request_logs (time)",
            "CREATE INDEX request_logs_vk ON request_logs (virtual_key, time)",
            """
            CREATE TABLE async_jobs (
                id text PRIMARY KEY,
                owner text,
                route_id text NOT NULL,
                uri text NOT NULL,
                headers text NOT NULL,
                body bytea NOT NULL,
                state text NOT NULL,
                result_status integer,
                result_body bytea,
                created_at double precision NOT NULL,
                finished_at double precision,
                ttl_seconds integer NOT NULL,
                expires_at double precision,
                lease_owner text,
                lease_until double precision
            )
            """,
            "CREATE INDEX async_jobs_unfinished ON async_jobs (created_at) WHERE state IN ('pending', 'running')",
            "CREATE INDEX async_jobs_expires ON async_jobs (expires_at)",
            admitFunctionV1,
            settleFunctionV1,
        ],
        // 2: a key's live reservations as a running total on its row, so a decision reads one
        // row instead of summing the reservations table, whose index keeps the entries of
        // settled reservations until vacuum (4,400 of them cost 0.56 ms a decision, measured).
        [
            "ALTER TABLE quota_keys ADD COLUMN reserved_usd double precision NOT NULL DEFAULT 0",
            "ALTER TABLE quota_keys ADD COLUMN swept_at double precision NOT NULL DEFAULT 0",
            admitFunction,
            settleBatchFunction,
            // The cache plugin's answers (plugins/cache/README.md), shared by the fleet.
            """
            CREATE TABLE cache_answers (
                key text PRIMARY KEY,
                partition text NOT NULL,
                embedding bytea,
                status integer NOT NULL,
                content_type text NOT NULL,
                body bytea NOT NULL,
                created_at double precision NOT NULL,
                expires_at double precision NOT NULL
            )
            """,
            "CREATE INDEX cache_answers_partition ON cache_answers (partition, created_at)",
            "CREATE INDEX cache_answers_created ON cache_answers (created_at)",
            "CREATE INDEX cache_answers_expires ON cache_answers (expires_at)",
            "ALTER TABLE request_logs ADD COLUMN cache text",
        ],
    ]

    /// One admission, atomically: the key's row is locked, so concurrent decisions about one key
    /// (from any instance) run one after another, and each sees the others' reservations.
    /// Checks only read until one fails; an admitted request takes its request slot, its token
    /// reservation and its budget reservation together. Rate limits use the database's clock,
    /// so instances with skewed clocks still share one bucket; budget windows come from the
    /// gateway (they are aligned to the period, so instances agree).
    static let admitFunctionV1 = """
        CREATE OR REPLACE FUNCTION tollgate_admit(
            p_subject text, p_rpm bigint, p_tpm bigint, p_reserve_tokens bigint,
            p_window text, p_window_start bigint, p_window_end bigint, p_max_usd double precision,
            p_reserve_usd double precision, p_gateway_now double precision,
            p_reservation text, p_lease double precision,
            OUT verdict text, OUT retry_after double precision, OUT spent double precision)
        LANGUAGE plpgsql AS $$
        DECLARE
            k quota_keys%ROWTYPE;
            db_now double precision := extract(epoch from clock_timestamp());
            reserved double precision;
            step double precision;
            tat double precision;
            new_tokens double precision;
            new_requests double precision;
        BEGIN
            -- This transaction's commit does not wait for its WAL to reach the disk (about a
            -- millisecond of fsync a request otherwise, under the key's row lock, so every
            -- request of the key would queue behind it). A PostgreSQL crash can lose the last
            -- few milliseconds of quota changes; it never breaks their consistency.
            PERFORM set_config('synchronous_commit', 'off', true);
            verdict := 'allowed'; retry_after := 0; spent := 0;
            INSERT INTO quota_keys (subject) VALUES (p_subject) ON CONFLICT (subject) DO NOTHING;
            SELECT * INTO k FROM quota_keys WHERE subject = p_subject FOR UPDATE;
            new_tokens := k.tokens_tat;
            new_requests := k.requests_tat;
            IF p_window IS NOT NULL THEN
                DELETE FROM quota_reservations WHERE subject = p_subject AND expires_at <= db_now;
                SELECT coalesce(sum(cost_usd), 0) INTO spent FROM usage_counters
                    WHERE subject = p_subject AND window_name = p_window AND window_start = p_window_start;
                SELECT coalesce(sum(cost_usd), 0) INTO reserved FROM quota_reservations WHERE subject = p_subject;
                IF spent >= p_max_usd OR spent + p_reserve_usd > p_max_usd THEN
                    verdict := 'budget'; retry_after := p_window_end - p_gateway_now; RETURN;
                END IF;
                IF spent + reserved + p_reserve_usd > p_max_usd THEN
                    -- Requests in flight hold the rest; they settle within their answer's time.
                    verdict := 'budget-held'; retry_after := 1; RETURN;
                END IF;
            END IF;
            IF p_tpm IS NOT NULL AND p_tpm > 0 THEN
                step := 60.0 / p_tpm;
                tat := greatest(k.tokens_tat, db_now);
                IF p_reserve_tokens = 0 THEN
                    IF tat - db_now >= 60 - 1e-9 THEN
                        verdict := 'tokens'; retry_after := tat - db_now - 60; RETURN;
                    END IF;
                ELSIF tat + p_reserve_tokens * step - db_now > 60 + 1e-9 THEN
                    verdict := 'tokens'; retry_after := tat + p_reserve_tokens * step - 60 - db_now; RETURN;
                END IF;
                new_tokens := tat + p_reserve_tokens * step;
            END IF;
            IF p_rpm IS NOT NULL AND p_rpm > 0 THEN
                step := 60.0 / p_rpm;
                tat := greatest(k.requests_tat, db_now);
                IF tat - db_now > 60 - step + 1e-9 THEN
                    verdict := 'requests'; retry_after := tat - (60 - step) - db_now; RETURN;
                END IF;
                new_requests := tat + step;
            END IF;
            UPDATE quota_keys SET tokens_tat = new_tokens, requests_tat = new_requests WHERE subject = p_subject;
            IF p_window IS NOT NULL AND p_reserve_usd > 0 THEN
                INSERT INTO quota_reservations (id, subject, cost_usd, tokens, expires_at)
                    VALUES (p_reservation, p_subject, p_reserve_usd, p_reserve_tokens, db_now + p_lease)
                    ON CONFLICT (id) DO NOTHING;
            END IF;
        END $$
        """

    /// Replaces a reservation with what was used: frees the budget reservation, gives back (or
    /// takes more of) the token allowance, and adds the usage to the key's counters. Takes the
    /// key's row lock first, as `tollgate_admit` does, so a decision never sees the reservation
    /// gone without its cost counted.
    static let settleFunctionV1 = """
        CREATE OR REPLACE FUNCTION tollgate_settle(
            p_subject text, p_reservation text, p_tpm bigint, p_reserved_tokens bigint,
            p_input bigint, p_output bigint, p_cost double precision, p_window text, p_window_start bigint)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            db_now double precision := extract(epoch from clock_timestamp());
            delta bigint := p_input + p_output - p_reserved_tokens;
        BEGIN
            PERFORM set_config('synchronous_commit', 'off', true);  -- as in tollgate_admit
            INSERT INTO quota_keys (subject) VALUES (p_subject) ON CONFLICT (subject) DO NOTHING;
            PERFORM 1 FROM quota_keys WHERE subject = p_subject FOR UPDATE;
            IF p_reservation IS NOT NULL THEN
                DELETE FROM quota_reservations WHERE id = p_reservation;
            END IF;
            IF p_tpm IS NOT NULL AND p_tpm > 0 AND delta <> 0 THEN
                UPDATE quota_keys SET tokens_tat = CASE WHEN delta > 0
                    THEN greatest(tokens_tat, db_now) + delta * (60.0 / p_tpm)
                    ELSE tokens_tat + delta * (60.0 / p_tpm) END
                    WHERE subject = p_subject;
            END IF;
            INSERT INTO usage_counters AS c (subject, window_name, window_start, requests, input_tokens, output_tokens, cost_usd)
                VALUES (p_subject, 'total', 0, 1, p_input, p_output, p_cost)
                ON CONFLICT (subject, window_name, window_start) DO UPDATE SET
                    requests = c.requests + 1, input_tokens = c.input_tokens + EXCLUDED.input_tokens,
                    output_tokens = c.output_tokens + EXCLUDED.output_tokens, cost_usd = c.cost_usd + EXCLUDED.cost_usd;
            IF p_window IS NOT NULL THEN
                INSERT INTO usage_counters AS c (subject, window_name, window_start, requests, input_tokens, output_tokens, cost_usd)
                    VALUES (p_subject, p_window, p_window_start, 1, p_input, p_output, p_cost)
                    ON CONFLICT (subject, window_name, window_start) DO UPDATE SET
                        requests = c.requests + 1, input_tokens = c.input_tokens + EXCLUDED.input_tokens,
                        output_tokens = c.output_tokens + EXCLUDED.output_tokens, cost_usd = c.cost_usd + EXCLUDED.cost_usd;
            END IF;
        END $$
        """
}
