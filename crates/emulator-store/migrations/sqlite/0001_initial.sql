-- Merchants with their virtual clock (offset from real time, or frozen at an instant).
CREATE TABLE merchants (
    merchant_id     TEXT PRIMARY KEY,
    store_id        TEXT NOT NULL UNIQUE,
    region          TEXT NOT NULL,
    environment     TEXT NOT NULL,
    clock_offset    INTEGER NOT NULL DEFAULT 0,
    clock_frozen_at INTEGER,
    created_at      INTEGER NOT NULL
);

CREATE TABLE public_keys (
    public_key_id  TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants (merchant_id),
    public_key_pem TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);

-- One row per checkout aggregate (session + charge permission + charges + refunds).
CREATE TABLE checkouts (
    checkout_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
    environment TEXT NOT NULL,
    due_at      INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    document    TEXT NOT NULL
);
CREATE INDEX checkouts_due ON checkouts (merchant_id, due_at) WHERE due_at IS NOT NULL;

-- Every object id of a checkout, so any id finds its aggregate with one lookup.
CREATE TABLE checkout_objects (
    object_id   TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    checkout_id TEXT NOT NULL REFERENCES checkouts (checkout_id),
    merchant_id TEXT NOT NULL
);
CREATE INDEX checkout_objects_merchant ON checkout_objects (merchant_id, kind);

-- The first successful answer per merchant and idempotency key.
CREATE TABLE idempotency_keys (
    merchant_id     TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status          INTEGER NOT NULL,
    body            BLOB NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, idempotency_key)
);
