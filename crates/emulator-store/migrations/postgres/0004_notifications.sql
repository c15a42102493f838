-- Instant Payment Notifications (IPN).
--
-- A merchant's IPN settings: the SNS signature version its notifications are signed with and an
-- optional CA (PEM) the emulator trusts when it posts to the merchant's https endpoints.
CREATE TABLE ipn_settings (
    merchant_id       TEXT PRIMARY KEY REFERENCES merchants (merchant_id),
    signature_version BIGINT NOT NULL DEFAULT 2,
    ca_pem            TEXT
);

-- The endpoints of a merchant, per environment, in the order they were given.
CREATE TABLE ipn_endpoints (
    merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
    environment TEXT NOT NULL,
    position    BIGINT NOT NULL,
    url         TEXT NOT NULL,
    PRIMARY KEY (merchant_id, environment, position)
);

-- The outbox: one row per notification and endpoint, inserted in the transaction of the state
-- change that caused it (`INSERT ... SELECT` over the endpoints, so a merchant without endpoints
-- costs nothing). `seq` is the delivery's number and its order: a delivery waits for every
-- earlier pending delivery of the same charge permission to the same endpoint. `state` is
-- `pending`, `delivered` or `failed` (retries exhausted); times are unix milliseconds, real time.
CREATE TABLE notifications (
    seq                  BIGSERIAL PRIMARY KEY,
    notification_id      TEXT NOT NULL,
    message_id           TEXT NOT NULL,
    merchant_id          TEXT NOT NULL,
    environment          TEXT NOT NULL,
    endpoint             TEXT NOT NULL,
    charge_permission_id TEXT NOT NULL,
    object_type          TEXT NOT NULL,
    object_id            TEXT NOT NULL,
    notification_type    TEXT NOT NULL,
    message              TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    state                TEXT NOT NULL DEFAULT 'pending',
    attempts             BIGINT NOT NULL DEFAULT 0,
    next_attempt_at      BIGINT NOT NULL,
    lease_until          BIGINT,
    delivered_at         BIGINT
);
CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_order ON notifications (endpoint, charge_permission_id, seq) WHERE state = 'pending';
CREATE INDEX notifications_merchant ON notifications (merchant_id, seq);

-- Every delivery attempt: when, how long, the HTTP status or the transport error, and the first
-- bytes of the answer.
CREATE TABLE notification_attempts (
    seq           BIGINT NOT NULL,
    attempt       BIGINT NOT NULL,
    started_at    BIGINT NOT NULL,
    latency_ms    BIGINT NOT NULL,
    status        BIGINT,
    error         TEXT,
    response_head TEXT,
    PRIMARY KEY (seq, attempt)
);
