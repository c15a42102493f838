-- Fault-injection rules (`/__admin/faults`), as in the SQLite schema: the rule is a JSON document
-- (`spec`) that only the emulator's service layer reads; `matched` and `hits` are counted with
-- single-row `UPDATE ... RETURNING` statements, so every instance on this database shares one
-- count ("the next N matching requests" means N across all instances). `seq` keeps the order
-- the rules were added in: the first matching rule applies.
CREATE TABLE fault_rules (
    seq         BIGSERIAL PRIMARY KEY,
    rule_id     TEXT NOT NULL UNIQUE,
    merchant_id TEXT,
    spec        TEXT NOT NULL,
    max_hits    BIGINT,
    matched     BIGINT NOT NULL DEFAULT 0,
    hits        BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
