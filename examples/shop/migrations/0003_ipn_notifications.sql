-- Instant Payment Notifications the shop has acted on, by Amazon Pay's NotificationId: Amazon SNS
-- delivers at least once, so a notification that arrives again is answered 200 and ignored.
-- A row is written in the same transaction as the order's history line for it.
CREATE TABLE ipn_notifications (
    notification_id TEXT PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    notification_type TEXT NOT NULL,
    received_at TEXT NOT NULL
);
