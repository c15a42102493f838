-- The reference shop's own data: its catalog, carts, checkout attempts and orders.
-- Amazon Pay's objects stay at Amazon Pay; the shop keeps their ids and its own copy of what it
-- must remember (a OneTime charge permission shows buyer data for 30 days only).

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    -- AuthorizeWithCapture, Authorize or Confirm: how checkout charges for it.
    payment_intent TEXT NOT NULL,
    -- Whether the shop accepts a pending authorization (paymentIntent Authorize only).
    can_handle_pending INTEGER NOT NULL DEFAULT 0,
    -- 1 for goods that ship (PayAndShip), 0 for digital goods (PayOnly).
    ships INTEGER NOT NULL,
    position INTEGER NOT NULL
);

INSERT INTO products (id, name, description, price_minor, currency, payment_intent, can_handle_pending, ships, position) VALUES
    ('mug', 'Coffee mug', 'Stoneware, 350 ml. Charged when you order (AuthorizeWithCapture).', 1400, 'USD', 'AuthorizeWithCapture', 0, 1, 1),
    ('kettle', 'Tea kettle', 'Stainless steel, 1.2 l. Authorized now, charged when it ships (Authorize).', 4999, 'USD', 'Authorize', 1, 1, 2),
    ('espresso', 'Espresso machine (pre-order)', 'Ships next month. Nothing is charged until then (Confirm).', 19900, 'USD', 'Confirm', 0, 1, 3),
    ('ebook', 'Brewing guide (e-book)', 'A PDF, no shipping (PayOnly, AuthorizeWithCapture).', 900, 'USD', 'AuthorizeWithCapture', 0, 0, 4);

CREATE TABLE cart_items (
    cart_id TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (cart_id, product_id)
);

-- One row per Checkout Session the shop sent to the payment step: what it asked Amazon Pay to
-- charge, so the result page completes for exactly that amount.
CREATE TABLE checkouts (
    checkout_session_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    cart_id TEXT NOT NULL,
    payment_intent TEXT NOT NULL,
    can_handle_pending INTEGER NOT NULL,
    currency TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    shipping_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    items_json TEXT NOT NULL,
    buyer_name TEXT,
    buyer_email TEXT,
    shipping_address TEXT,
    payment_descriptor TEXT,
    -- redirected, completed or failed
    status TEXT NOT NULL,
    failure TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A paid (or payment-pending, or confirmed) order: created only by a completed checkout.
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    checkout_session_id TEXT NOT NULL UNIQUE,
    payment_intent TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    items_json TEXT NOT NULL,
    charge_permission_id TEXT NOT NULL,
    charge_permission_type TEXT NOT NULL,
    charge_id TEXT,
    charge_state TEXT,
    captured_minor INTEGER NOT NULL DEFAULT 0,
    refund_id TEXT,
    refund_state TEXT,
    refunded_minor INTEGER NOT NULL DEFAULT 0,
    permission_closed INTEGER NOT NULL DEFAULT 0,
    buyer_name TEXT,
    buyer_email TEXT,
    shipping_address TEXT,
    payment_descriptor TEXT,
    tracking_number TEXT,
    carrier_code TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    at TEXT NOT NULL,
    text TEXT NOT NULL
);
