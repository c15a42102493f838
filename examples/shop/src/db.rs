//! The shop's database: every query, over SQLite with the migrations in `migrations/`.

use std::str::FromStr;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{FromRow, SqlitePool};

/// The shop's database handle.
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
}

/// A product of the catalog.
#[derive(Clone, Debug, FromRow)]
pub struct Product {
    /// Key.
    pub id: String,
    /// Name.
    pub name: String,
    /// One line about it.
    pub description: String,
    /// Unit price in minor units.
    pub price_minor: i64,
    /// Currency code.
    pub currency: String,
    /// `AuthorizeWithCapture`, `Authorize` or `Confirm`.
    pub payment_intent: String,
    /// Accepts a pending authorization (with `Authorize`).
    pub can_handle_pending: bool,
    /// Ships (`PayAndShip`) or is digital (`PayOnly`).
    pub ships: bool,
}

/// A cart line.
#[derive(Clone, Debug)]
pub struct CartLine {
    /// The product.
    pub product: Product,
    /// How many.
    pub quantity: i64,
}

/// An order line as stored with a checkout and its order (a copy: prices may change later).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Item {
    /// Product key.
    pub product_id: String,
    /// Name at the time of the order.
    pub name: String,
    /// Unit price in minor units.
    pub unit_minor: i64,
    /// How many.
    pub quantity: i64,
}

/// A checkout the shop sent to the payment step.
#[derive(Clone, Debug, FromRow)]
pub struct Checkout {
    /// The Checkout Session.
    pub checkout_session_id: String,
    /// The shop's order reference (`merchantReferenceId`).
    pub reference: String,
    /// The cart it was made from.
    pub cart_id: String,
    /// The payment intent sent with Update.
    pub payment_intent: String,
    /// `canHandlePendingAuthorization` sent with Update.
    pub can_handle_pending: bool,
    /// Currency code.
    pub currency: String,
    /// Items total in minor units.
    pub subtotal_minor: i64,
    /// Shipping in minor units.
    pub shipping_minor: i64,
    /// `chargeAmount` in minor units.
    pub total_minor: i64,
    /// The lines (JSON of [`Item`]).
    pub items_json: String,
    /// Buyer name copied from the session.
    pub buyer_name: Option<String>,
    /// Buyer email copied from the session.
    pub buyer_email: Option<String>,
    /// Shipping address copied from the session (one line).
    pub shipping_address: Option<String>,
    /// `paymentPreferences[0].paymentDescriptor`.
    pub payment_descriptor: Option<String>,
    /// `redirected`, `completed` or `failed`.
    pub status: String,
    /// Why it failed.
    pub failure: Option<String>,
}

/// A new or updated checkout (before the redirect to the payment step).
#[derive(Clone, Debug)]
pub struct NewCheckout {
    /// The Checkout Session.
    pub checkout_session_id: String,
    /// The shop's order reference.
    pub reference: String,
    /// The cart.
    pub cart_id: String,
    /// Payment intent.
    pub payment_intent: String,
    /// `canHandlePendingAuthorization`.
    pub can_handle_pending: bool,
    /// Currency.
    pub currency: String,
    /// Items total.
    pub subtotal_minor: i64,
    /// Shipping.
    pub shipping_minor: i64,
    /// Total.
    pub total_minor: i64,
    /// Lines.
    pub items: Vec<Item>,
    /// Buyer name.
    pub buyer_name: Option<String>,
    /// Buyer email.
    pub buyer_email: Option<String>,
    /// Shipping address (one line).
    pub shipping_address: Option<String>,
    /// Payment descriptor.
    pub payment_descriptor: Option<String>,
}

/// An order.
#[derive(Clone, Debug, FromRow)]
pub struct Order {
    /// Row id.
    pub id: i64,
    /// The shop's reference.
    pub reference: String,
    /// The Checkout Session it was completed from.
    pub checkout_session_id: String,
    /// Payment intent.
    pub payment_intent: String,
    /// Currency.
    pub currency: String,
    /// Total in minor units.
    pub total_minor: i64,
    /// Lines (JSON of [`Item`]).
    pub items_json: String,
    /// Always stored: charges, closing and delivery tracking need it.
    pub charge_permission_id: String,
    /// `OneTime`, `Recurring` or `PaymentMethodOnFile`.
    pub charge_permission_type: String,
    /// Stored when a charge exists: refunds need it.
    pub charge_id: Option<String>,
    /// The charge's last known state.
    pub charge_state: Option<String>,
    /// Captured so far, minor units.
    pub captured_minor: i64,
    /// The last refund.
    pub refund_id: Option<String>,
    /// Its last known state.
    pub refund_state: Option<String>,
    /// Refunded so far, minor units.
    pub refunded_minor: i64,
    /// The charge permission was closed by the shop.
    pub permission_closed: bool,
    /// Buyer name (the shop's own copy).
    pub buyer_name: Option<String>,
    /// Buyer email (the shop's own copy).
    pub buyer_email: Option<String>,
    /// Shipping address (the shop's own copy).
    pub shipping_address: Option<String>,
    /// Payment method label.
    pub payment_descriptor: Option<String>,
    /// Tracking number sent to the Delivery Tracker API.
    pub tracking_number: Option<String>,
    /// Carrier code sent with it.
    pub carrier_code: Option<String>,
    /// When the order was stored (RFC 3339).
    pub created_at: String,
}

impl Order {
    /// The lines.
    pub fn items(&self) -> Vec<Item> {
        serde_json::from_str(&self.items_json).unwrap_or_default()
    }
}

/// What completion stores.
#[derive(Clone, Debug)]
pub struct CompletedOrder {
    /// Charge permission id.
    pub charge_permission_id: String,
    /// Charge permission type.
    pub charge_permission_type: String,
    /// Charge id, when a charge was created.
    pub charge_id: Option<String>,
    /// Its state.
    pub charge_state: Option<String>,
}

/// A line of an order's history.
#[derive(Clone, Debug, FromRow)]
pub struct OrderEvent {
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub text: String,
}

/// A notification as [`Db::record_notification`] stores it.
#[derive(Clone, Copy, Debug)]
pub struct IpnRecord<'a> {
    /// Amazon Pay's `NotificationId`.
    pub notification_id: &'a str,
    /// `ObjectType`.
    pub object_type: &'a str,
    /// `ObjectId`.
    pub object_id: &'a str,
    /// `NotificationType`.
    pub notification_type: &'a str,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

const PRODUCT_COLUMNS: &str =
    "id, name, description, price_minor, currency, payment_intent, can_handle_pending, ships";

impl Db {
    /// Opens (creating if needed) the database at `url` and applies the migrations.
    pub async fn open(url: &str) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("parsing the database URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .with_context(|| format!("opening {url}"))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("migrating the shop database")?;
        Ok(Db { pool })
    }

    /// Every product, in catalog order.
    pub async fn products(&self) -> anyhow::Result<Vec<Product>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM products ORDER BY position"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// A product.
    pub async fn product(&self, id: &str) -> anyhow::Result<Option<Product>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Changes how a product is paid for.
    pub async fn set_product_payment(
        &self,
        id: &str,
        payment_intent: &str,
        can_handle_pending: bool,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "UPDATE products SET payment_intent = ?, can_handle_pending = ? WHERE id = ?",
        )
        .bind(payment_intent)
        .bind(can_handle_pending)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The cart's lines.
    pub async fn cart(&self, cart_id: &str) -> anyhow::Result<Vec<CartLine>> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            product: Product,
            quantity: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT p.id, p.name, p.description, p.price_minor, p.currency, p.payment_intent, \
             p.can_handle_pending, p.ships, c.quantity \
             FROM cart_items c JOIN products p ON p.id = c.product_id \
             WHERE c.cart_id = ? ORDER BY p.position",
        )
        .bind(cart_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| CartLine {
                product: r.product,
                quantity: r.quantity,
            })
            .collect())
    }

    /// Adds one of a product to a cart.
    pub async fn add_to_cart(&self, cart_id: &str, product_id: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (?, ?, 1) \
             ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = MIN(quantity + 1, 99)",
        )
        .bind(cart_id)
        .bind(product_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a product from a cart.
    pub async fn remove_from_cart(&self, cart_id: &str, product_id: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM cart_items WHERE cart_id = ? AND product_id = ?")
            .bind(cart_id)
            .bind(product_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records (or refreshes, when the buyer places the order again) a checkout before the
    /// redirect to the payment step.
    pub async fn upsert_checkout(&self, c: &NewCheckout) -> anyhow::Result<()> {
        let items = serde_json::to_string(&c.items)?;
        let at = now();
        sqlx::query(
            "INSERT INTO checkouts (checkout_session_id, reference, cart_id, payment_intent, \
             can_handle_pending, currency, subtotal_minor, shipping_minor, total_minor, items_json, \
             buyer_name, buyer_email, shipping_address, payment_descriptor, status, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'redirected', ?, ?) \
             ON CONFLICT (checkout_session_id) DO UPDATE SET cart_id = excluded.cart_id, \
             payment_intent = excluded.payment_intent, can_handle_pending = excluded.can_handle_pending, \
             currency = excluded.currency, subtotal_minor = excluded.subtotal_minor, \
             shipping_minor = excluded.shipping_minor, total_minor = excluded.total_minor, \
             items_json = excluded.items_json, buyer_name = excluded.buyer_name, \
             buyer_email = excluded.buyer_email, shipping_address = excluded.shipping_address, \
             payment_descriptor = excluded.payment_descriptor, updated_at = excluded.updated_at \
             WHERE checkouts.status = 'redirected'",
        )
        .bind(&c.checkout_session_id)
        .bind(&c.reference)
        .bind(&c.cart_id)
        .bind(&c.payment_intent)
        .bind(c.can_handle_pending)
        .bind(&c.currency)
        .bind(c.subtotal_minor)
        .bind(c.shipping_minor)
        .bind(c.total_minor)
        .bind(items)
        .bind(&c.buyer_name)
        .bind(&c.buyer_email)
        .bind(&c.shipping_address)
        .bind(&c.payment_descriptor)
        .bind(&at)
        .bind(&at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A checkout by session id.
    pub async fn checkout(&self, session_id: &str) -> anyhow::Result<Option<Checkout>> {
        Ok(sqlx::query_as(
            "SELECT checkout_session_id, reference, cart_id, payment_intent, can_handle_pending, \
             currency, subtotal_minor, shipping_minor, total_minor, items_json, buyer_name, \
             buyer_email, shipping_address, payment_descriptor, status, failure \
             FROM checkouts WHERE checkout_session_id = ?",
        )
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Marks a checkout failed (no order is created).
    pub async fn fail_checkout(&self, session_id: &str, why: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE checkouts SET status = 'failed', failure = ?, updated_at = ? \
             WHERE checkout_session_id = ? AND status = 'redirected'",
        )
        .bind(why)
        .bind(now())
        .bind(session_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores the order of a completed checkout and empties its cart, once: a second call for
    /// the same session (a reload racing the first) changes nothing. Returns the order.
    pub async fn complete_checkout(
        &self,
        checkout: &Checkout,
        completed: &CompletedOrder,
        event: &str,
    ) -> anyhow::Result<Order> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        let captured = if completed.charge_state.as_deref() == Some("Captured") {
            checkout.total_minor
        } else {
            0
        };
        let inserted = sqlx::query(
            "INSERT INTO orders (reference, checkout_session_id, payment_intent, currency, \
             total_minor, items_json, charge_permission_id, charge_permission_type, charge_id, \
             charge_state, captured_minor, buyer_name, buyer_email, shipping_address, \
             payment_descriptor, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (checkout_session_id) DO NOTHING",
        )
        .bind(&checkout.reference)
        .bind(&checkout.checkout_session_id)
        .bind(&checkout.payment_intent)
        .bind(&checkout.currency)
        .bind(checkout.total_minor)
        .bind(&checkout.items_json)
        .bind(&completed.charge_permission_id)
        .bind(&completed.charge_permission_type)
        .bind(&completed.charge_id)
        .bind(&completed.charge_state)
        .bind(captured)
        .bind(&checkout.buyer_name)
        .bind(&checkout.buyer_email)
        .bind(&checkout.shipping_address)
        .bind(&checkout.payment_descriptor)
        .bind(&at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            sqlx::query(
                "UPDATE checkouts SET status = 'completed', updated_at = ? WHERE checkout_session_id = ?",
            )
            .bind(&at)
            .bind(&checkout.checkout_session_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM cart_items WHERE cart_id = ?")
                .bind(&checkout.cart_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO order_events (order_id, at, text) \
                 SELECT id, ?, ? FROM orders WHERE checkout_session_id = ?",
            )
            .bind(&at)
            .bind(event)
            .bind(&checkout.checkout_session_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.order_by_session(&checkout.checkout_session_id)
            .await?
            .context("the order just stored is missing")
    }

    /// Every order, newest first.
    pub async fn orders(&self) -> anyhow::Result<Vec<Order>> {
        Ok(sqlx::query_as("SELECT * FROM orders ORDER BY id DESC")
            .fetch_all(&self.pool)
            .await?)
    }

    /// An order by reference.
    pub async fn order(&self, reference: &str) -> anyhow::Result<Option<Order>> {
        Ok(sqlx::query_as("SELECT * FROM orders WHERE reference = ?")
            .bind(reference)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The order completed from a Checkout Session.
    pub async fn order_by_session(&self, session_id: &str) -> anyhow::Result<Option<Order>> {
        Ok(
            sqlx::query_as("SELECT * FROM orders WHERE checkout_session_id = ?")
                .bind(session_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// An order's history, oldest first.
    pub async fn events(&self, order_id: i64) -> anyhow::Result<Vec<OrderEvent>> {
        Ok(
            sqlx::query_as("SELECT at, text FROM order_events WHERE order_id = ? ORDER BY id")
                .bind(order_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Adds a line to an order's history.
    pub async fn add_event(&self, order_id: i64, text: &str) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO order_events (order_id, at, text) VALUES (?, ?, ?)")
            .bind(order_id)
            .bind(now())
            .bind(text)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a charge (a new one for a `Confirm` order, or a new state).
    pub async fn set_charge(
        &self,
        order_id: i64,
        charge_id: &str,
        state: &str,
        captured_minor: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE orders SET charge_id = ?, charge_state = ?, captured_minor = ? WHERE id = ?",
        )
        .bind(charge_id)
        .bind(state)
        .bind(captured_minor)
        .bind(order_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a refund.
    pub async fn set_refund(
        &self,
        order_id: i64,
        refund_id: &str,
        state: &str,
        refunded_minor: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE orders SET refund_id = ?, refund_state = ?, refunded_minor = ? WHERE id = ?",
        )
        .bind(refund_id)
        .bind(state)
        .bind(refunded_minor)
        .bind(order_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The order paid with a charge permission.
    pub async fn order_by_charge_permission(
        &self,
        charge_permission_id: &str,
    ) -> anyhow::Result<Option<Order>> {
        Ok(
            sqlx::query_as("SELECT * FROM orders WHERE charge_permission_id = ?")
                .bind(charge_permission_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Whether the shop has already acted on the notification `notification_id`.
    pub async fn notification_seen(&self, notification_id: &str) -> anyhow::Result<bool> {
        let seen: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM ipn_notifications WHERE notification_id = ?")
                .bind(notification_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(seen.is_some())
    }

    /// Records a notification the shop acted on, with its line in the order's history, once:
    /// both are written in one transaction, and only when the notification is new (two
    /// deliveries of one notification racing each other add one line). Returns whether it
    /// was new.
    pub async fn record_notification(
        &self,
        order_id: i64,
        n: &IpnRecord<'_>,
        event: &str,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        let inserted = sqlx::query(
            "INSERT INTO ipn_notifications (notification_id, order_id, object_type, object_id, \
             notification_type, received_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (notification_id) DO NOTHING",
        )
        .bind(n.notification_id)
        .bind(order_id)
        .bind(n.object_type)
        .bind(n.object_id)
        .bind(n.notification_type)
        .bind(&at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            sqlx::query("INSERT INTO order_events (order_id, at, text) VALUES (?, ?, ?)")
                .bind(order_id)
                .bind(&at)
                .bind(event)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// How many notifications the shop acted on for an order.
    pub async fn notification_count(&self, order_id: i64) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM ipn_notifications WHERE order_id = ?")
                .bind(order_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Marks the charge permission closed.
    pub async fn set_permission_closed(&self, order_id: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE orders SET permission_closed = 1 WHERE id = ?")
            .bind(order_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records the shipment's tracking.
    pub async fn set_tracking(
        &self,
        order_id: i64,
        tracking_number: &str,
        carrier_code: &str,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE orders SET tracking_number = ?, carrier_code = ? WHERE id = ?")
            .bind(tracking_number)
            .bind(carrier_code)
            .bind(order_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
