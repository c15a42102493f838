-- The request journal (`/__admin/journal`, docs/dashboard.md): one row per API request, a ring
-- per merchant. `seq` numbers a merchant's entries (allocated from `request_journal_heads`, so
-- several instances on one database number alike), and a batch deletes the entries more than
-- the ring size behind the newest: the ring stays bounded at any size without a scan. `id` is
-- the order of all entries across merchants (the cursor of `--follow`). `merchant_id` is empty
-- for a request that names no merchant (an unknown key, a malformed admin call). `detail` is a
-- JSON document (headers, bounded bodies, the signature diagnosis) only the emulator reads.
CREATE TABLE request_journal (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id     TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    request_id      TEXT NOT NULL,
    at_us           INTEGER NOT NULL,
    virtual_at      INTEGER,
    operation       TEXT,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          INTEGER NOT NULL,
    reason_code     TEXT,
    latency_us      INTEGER NOT NULL,
    idempotency_key TEXT,
    replayed        INTEGER NOT NULL,
    detail          TEXT NOT NULL
);
CREATE UNIQUE INDEX request_journal_ring ON request_journal (merchant_id, seq);
CREATE INDEX request_journal_request_id ON request_journal (request_id);

CREATE TABLE request_journal_heads (
    merchant_id TEXT PRIMARY KEY,
    next_seq    INTEGER NOT NULL
);
