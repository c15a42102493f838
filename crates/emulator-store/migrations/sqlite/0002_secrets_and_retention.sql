-- Secrets the emulator keeps (the key that signs buyer tokens and the hosted pages' form
-- tokens). They live in the database so that every instance sharing it signs alike.
CREATE TABLE emulator_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A checkout that never got a charge permission is deleted by the background step 30 days
-- after its creation (virtual clock), so its due time includes that instant. Rows written before
-- this migration get it here. `NOT IN` reads the permission rows once instead of once per row.
UPDATE checkouts SET due_at = created_at + 2592000
WHERE due_at IS NULL
  AND checkout_id NOT IN (SELECT checkout_id FROM checkout_objects WHERE kind = 'charge_permission');
