-- Fault-injection rules (`/__admin/faults`): what to do to the API requests they match. The rule
-- itself is a JSON document (`spec`) that only the emulator's service layer reads; the columns
-- beside it are what the store must filter on or count atomically. `matched` counts the requests
-- the rule's filters matched (the probability draw of the n-th match is reproducible from the
-- seed), `hits` the faults it injected, `max_hits` caps them ("the next N matching requests").
-- `seq` keeps the order the rules were added in: the first matching rule applies.
CREATE TABLE fault_rules (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id     TEXT NOT NULL UNIQUE,
    merchant_id TEXT,
    spec        TEXT NOT NULL,
    max_hits    INTEGER,
    matched     INTEGER NOT NULL DEFAULT 0,
    hits        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
