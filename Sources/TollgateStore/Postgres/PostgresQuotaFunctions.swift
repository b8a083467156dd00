/// The quota functions as of schema step 2 (`PostgresSchema.steps`). Step 1's versions stay
/// in PostgresSchema.swift as shipped; `tollgate_admit` is replaced, and settlements go through
/// `tollgate_settle_batch` (step 1's `tollgate_settle` stays for instances of that version).
extension PostgresSchema {
    /// One admission, atomically: the key's row is locked, so concurrent decisions about one key
    /// (from any instance) run one after another, and each sees the others' reservations.
    /// Checks only read until one fails; an admitted request takes its request slot, its token
    /// reservation and its budget reservation together. Rate limits use the database's clock,
    /// so instances with skewed clocks still share one bucket; budget windows come from the
    /// gateway (they are aligned to the period, so instances agree).
    ///
    /// Every read is one row by its key: the live reservations are the row's `reserved_usd`,
    /// kept by this function and `tollgate_settle_batch`. Once a minute a decision also drops the
    /// key's expired reservations (an instance died before settling them) and recounts the
    /// total from the table, which also clears any rounding the running sum gathered.
    static let admitFunction = """
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
            SELECT * INTO k FROM quota_keys WHERE subject = p_subject FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO quota_keys (subject) VALUES (p_subject) ON CONFLICT (subject) DO NOTHING;
                SELECT * INTO k FROM quota_keys WHERE subject = p_subject FOR UPDATE;
            END IF;
            new_tokens := k.tokens_tat;
            new_requests := k.requests_tat;
            reserved := k.reserved_usd;
            IF p_window IS NOT NULL THEN
                IF k.swept_at <= db_now - 60 THEN
                    DELETE FROM quota_reservations WHERE subject = p_subject AND expires_at <= db_now;
                    SELECT coalesce(sum(cost_usd), 0) INTO reserved FROM quota_reservations WHERE subject = p_subject;
                    UPDATE quota_keys SET reserved_usd = reserved, swept_at = db_now WHERE subject = p_subject;
                END IF;
                SELECT c.cost_usd INTO spent FROM usage_counters c
                    WHERE c.subject = p_subject AND c.window_name = p_window AND c.window_start = p_window_start;
                spent := coalesce(spent, 0);
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
            IF p_window IS NOT NULL AND p_reserve_usd > 0 THEN
                INSERT INTO quota_reservations (id, subject, cost_usd, tokens, expires_at)
                    VALUES (p_reservation, p_subject, p_reserve_usd, p_reserve_tokens, db_now + p_lease)
                    ON CONFLICT (id) DO NOTHING;
                IF FOUND THEN reserved := reserved + p_reserve_usd; END IF;
            END IF;
            UPDATE quota_keys SET tokens_tat = new_tokens, requests_tat = new_requests, reserved_usd = reserved
                WHERE subject = p_subject;
        END $$
        """

    /// Settles one key's batch of requests at once: the gateway gathers settlements for a few
    /// milliseconds and sends one call per key (and budget window), so a busy key takes its
    /// row lock once per batch instead of once per request. Frees the batch's reservations,
    /// moves the token allowance by the batch's net difference from what was reserved, and
    /// adds its usage to the key's counters.
    static let settleBatchFunction = """
        CREATE OR REPLACE FUNCTION tollgate_settle_batch(
            p_subject text, p_reservations text[], p_tpm bigint, p_delta_tokens bigint, p_requests bigint,
            p_input bigint, p_output bigint, p_cost double precision, p_window text, p_window_start bigint)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            db_now double precision := extract(epoch from clock_timestamp());
            freed double precision := 0;
            rate double precision := 0;
        BEGIN
            PERFORM set_config('synchronous_commit', 'off', true);  -- as in tollgate_admit
            PERFORM 1 FROM quota_keys WHERE subject = p_subject FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO quota_keys (subject) VALUES (p_subject) ON CONFLICT (subject) DO NOTHING;
                PERFORM 1 FROM quota_keys WHERE subject = p_subject FOR UPDATE;
            END IF;
            IF cardinality(p_reservations) > 0 THEN
                WITH gone AS (DELETE FROM quota_reservations WHERE id = ANY (p_reservations) RETURNING cost_usd)
                SELECT coalesce(sum(cost_usd), 0) INTO freed FROM gone;
            END IF;
            IF p_tpm IS NOT NULL AND p_tpm > 0 THEN rate := 60.0 / p_tpm; END IF;
            IF freed > 0 OR (rate > 0 AND p_delta_tokens <> 0) THEN
                UPDATE quota_keys SET
                    reserved_usd = greatest(reserved_usd - freed, 0),
                    tokens_tat = CASE WHEN rate = 0 OR p_delta_tokens = 0 THEN tokens_tat
                        WHEN p_delta_tokens > 0 THEN greatest(tokens_tat, db_now) + p_delta_tokens * rate
                        ELSE tokens_tat + p_delta_tokens * rate END
                    WHERE subject = p_subject;
            END IF;
            INSERT INTO usage_counters AS c (subject, window_name, window_start, requests, input_tokens, output_tokens, cost_usd)
                VALUES (p_subject, 'total', 0, p_requests, p_input, p_output, p_cost)
                ON CONFLICT (subject, window_name, window_start) DO UPDATE SET
                    requests = c.requests + EXCLUDED.requests, input_tokens = c.input_tokens + EXCLUDED.input_tokens,
                    output_tokens = c.output_tokens + EXCLUDED.output_tokens, cost_usd = c.cost_usd + EXCLUDED.cost_usd;
            IF p_window IS NOT NULL THEN
                INSERT INTO usage_counters AS c (subject, window_name, window_start, requests, input_tokens, output_tokens, cost_usd)
                    VALUES (p_subject, p_window, p_window_start, p_requests, p_input, p_output, p_cost)
                    ON CONFLICT (subject, window_name, window_start) DO UPDATE SET
                        requests = c.requests + EXCLUDED.requests, input_tokens = c.input_tokens + EXCLUDED.input_tokens,
                        output_tokens = c.output_tokens + EXCLUDED.output_tokens, cost_usd = c.cost_usd + EXCLUDED.cost_usd;
            END IF;
        END $$
        """
}
