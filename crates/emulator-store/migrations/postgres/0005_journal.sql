-- The request journal, as in the SQLite schema (see there): a ring per merchant numbered by
-- `seq` from `request_journal_heads`, `id` the order across merchants, `detail` a JSON document
-- only the emulator reads.
CREATE TABLE request_journal (
    id              BIGSERIAL PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    request_id      TEXT NOT NULL,
    at_us           BIGINT NOT NULL,
    virtual_at      BIGINT,
    operation       TEXT,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          BIGINT NOT NULL,
    reason_code     TEXT,
    latency_us      BIGINT NOT NULL,
    idempotency_key TEXT,
    replayed        BIGINT NOT NULL,
    detail          TEXT NOT NULL
);
CREATE UNIQUE INDEX request_journal_ring ON request_journal (merchant_id, seq);
CREATE INDEX request_journal_request_id ON request_journal (request_id);

CREATE TABLE request_journal_heads (
    merchant_id TEXT PRIMARY KEY,
    next_seq    BIGINT NOT NULL
);
