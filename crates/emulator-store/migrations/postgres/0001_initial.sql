-- The PostgreSQL schema: the same tables as the SQLite one (migrations/sqlite), with
-- PostgreSQL types, plus `checkouts.claimed_until` for the background step's claims.
-- Domain instants (virtual clock) are unix seconds in BIGINT, as in SQLite; instants the database
-- itself produces (real time) are TIMESTAMPTZ.

-- Merchants with their virtual clock (offset from real time, or frozen at an instant). The clock
-- lives here, so every emulator instance on this database shares it.
CREATE TABLE merchants (
    merchant_id     TEXT PRIMARY KEY,
    store_id        TEXT NOT NULL UNIQUE,
    region          TEXT NOT NULL,
    environment     TEXT NOT NULL,
    clock_offset    BIGINT NOT NULL DEFAULT 0,
    clock_frozen_at BIGINT,
    created_at      BIGINT NOT NULL
);

CREATE TABLE public_keys (
    public_key_id  TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants (merchant_id),
    public_key_pem TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX public_keys_merchant ON public_keys (merchant_id);

-- One row per checkout aggregate (session + charge permission + charges + refunds). Every write
-- locks this row first (SELECT ... FOR UPDATE). `claimed_until` is the real-time lease of the
-- background step that claimed the row's due timers; any write of the row clears it.
CREATE TABLE checkouts (
    checkout_id   TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (merchant_id),
    environment   TEXT NOT NULL,
    due_at        BIGINT,
    claimed_until TIMESTAMPTZ,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    document      TEXT NOT NULL
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
CREATE INDEX checkout_objects_checkout ON checkout_objects (checkout_id);

-- The first successful answer per merchant and idempotency key. A mutation inserts its key
-- first (status and body NULL) and fills in the answer before it commits, so a committed row
-- always has both; concurrent requests with the key wait on the uncommitted row.
CREATE TABLE idempotency_keys (
    merchant_id     TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status          INTEGER,
    body            BYTEA,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, idempotency_key)
);
