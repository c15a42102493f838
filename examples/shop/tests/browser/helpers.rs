//! The stack under test: the real emulator (HTTPS, self-signed CA, its own data directory) and
//! the shop, both in this process on port 0, a merchant created through the emulator's admin API,
//! and a headless Chromium driving them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use amzpay::completion::PAYMENT_NOT_SUCCESSFUL;
use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_store::ObjectKind;
use amzpay_shop::db::Order;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::webdriver::Browser;

/// The emulator and the shop, running.
pub(crate) struct Stack {
    /// The emulator's base URL (`https://127.0.0.1:PORT`).
    pub(crate) emulator_url: String,
    /// The emulator's state (tests count what it stored).
    pub(crate) emulator: amzpay_emulator::AppState,
    admin: reqwest::Client,
    admin_token: String,
    /// The merchant the shop sells as.
    pub(crate) merchant_id: String,
    /// The shop's base URL.
    pub(crate) shop_url: String,
    /// The shop's state (tests read its database).
    pub(crate) shop: amzpay_shop::AppState,
    /// An SDK client for the shop's merchant, to check what the shop stored.
    pub(crate) client: amzpay::Client,
    _dir: tempfile::TempDir,
    _stop: Vec<oneshot::Sender<()>>,
}

impl Stack {
    /// Starts the emulator, creates a merchant and starts the shop for it.
    pub(crate) async fn start() -> anyhow::Result<Stack> {
        Stack::start_with_checkout_js(None).await
    }

    /// Like [`Stack::start`], with the shop's pages loading Amazon Pay's `checkout.js` from
    /// `checkout_js_url` instead of the emulator (`None`).
    pub(crate) async fn start_with_checkout_js(
        checkout_js_url: Option<&str>,
    ) -> anyhow::Result<Stack> {
        let dir = tempfile::tempdir()?;
        let mut config = amzpay_emulator::ServerConfig::new(dir.path().join("emulator"));
        config.listen = "127.0.0.1:0".parse()?;
        config.durable = false;
        let emulator = amzpay_emulator::Application::build(config).await?;
        let emulator_url = emulator.base_url().to_owned();
        let ca = std::fs::read(emulator.ca_path().expect("self-signed mode has a CA"))?;
        let admin_token = emulator.admin_token().to_owned();
        let emulator_state = emulator.state().clone();
        let (stop_emulator, stopped) = oneshot::channel::<()>();
        tokio::spawn(emulator.run_until_stopped(async {
            let _ = stopped.await;
        }));

        let admin = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca)?)
            .timeout(Duration::from_secs(60))
            .build()?;
        let created: Value = admin
            .post(format!("{emulator_url}/__admin/merchants"))
            .bearer_auth(&admin_token)
            .json(&json!({}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let text = |k: &str| created[k].as_str().unwrap_or_default().to_owned();
        let sdk_config = || {
            amzpay::Config::builder()
                .public_key_id(text("publicKeyId"))
                .private_key_pem(text("privateKeyPem"))
                .region(amzpay::Region::Na)
                .endpoint(&emulator_url)
                .map(|b| b.ca_cert_pem(ca.clone()).build())
        };
        let settings = amzpay_shop::Settings {
            listen: "127.0.0.1:0".parse()?,
            public_url: None,
            database_url: format!("sqlite://{}", dir.path().join("shop.db").display()),
            store_id: text("storeId"),
            merchant_id: Some(text("merchantId")),
            checkout_js_url: checkout_js_url
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{emulator_url}/checkout.js")),
            store_name: "Browser test shop".to_owned(),
            // Derived from the SDK's endpoint and CA: the emulator's host.
            ipn_trust_host: None,
            ipn_trust_ca: None,
        };
        let shop = amzpay_shop::Application::build(settings, sdk_config()??).await?;
        let shop_url = shop.base_url().to_owned();
        let shop_state = shop.state().clone();
        let (stop_shop, stopped) = oneshot::channel::<()>();
        tokio::spawn(shop.run_until_stopped(async {
            let _ = stopped.await;
        }));
        let client = amzpay::Client::new(sdk_config()??)?;
        Ok(Stack {
            emulator_url,
            emulator: emulator_state,
            admin,
            admin_token,
            merchant_id: text("merchantId"),
            shop_url,
            shop: shop_state,
            client,
            _dir: dir,
            _stop: vec![stop_emulator, stop_shop],
        })
    }

    /// Moves the merchant's virtual clock forward (applying every timer that comes due).
    pub(crate) async fn advance_clock(&self, duration: &str) -> anyhow::Result<()> {
        self.admin
            .post(format!(
                "{}/__admin/merchants/{}/clock/advance",
                self.emulator_url, self.merchant_id
            ))
            .bearer_auth(&self.admin_token)
            .json(&json!({"duration": duration}))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Sets the merchant's sandbox IPN endpoint (`PUT /__admin/merchants/{id}/ipn`): from now
    /// on the emulator posts every notification there.
    pub(crate) async fn send_notifications_to(&self, url: &str) -> anyhow::Result<()> {
        self.admin
            .put(format!(
                "{}/__admin/merchants/{}/ipn",
                self.emulator_url, self.merchant_id
            ))
            .bearer_auth(&self.admin_token)
            .json(&json!({"sandbox": [url]}))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Points the merchant's notifications at the shop's `/ipn`, as `scripts/shop` does.
    pub(crate) async fn send_notifications_to_shop(&self) -> anyhow::Result<()> {
        self.send_notifications_to(&format!("{}/ipn", self.shop_url))
            .await
    }

    /// Delivers every notification due now (`POST /__admin/notifications/dispatch`, which
    /// returns when the deliveries are done), so a test need not wait for the dispatcher.
    pub(crate) async fn dispatch_notifications(&self) -> anyhow::Result<()> {
        self.admin
            .post(format!(
                "{}/__admin/notifications/dispatch",
                self.emulator_url
            ))
            .bearer_auth(&self.admin_token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Posts `body` to the shop's `/ipn` as Amazon Pay does; returns the status.
    pub(crate) async fn post_to_shop_ipn(&self, body: &str) -> anyhow::Result<u16> {
        let answer = reqwest::Client::new()
            .post(format!("{}/ipn", self.shop_url))
            .header("content-type", "text/plain; charset=UTF-8")
            .body(body.to_owned())
            .send()
            .await?;
        Ok(answer.status().as_u16())
    }

    /// Adds a fault rule through the emulator's admin API (`POST /__admin/faults`), for the
    /// shop's merchant only; returns its id.
    pub(crate) async fn add_fault(&self, mut rule: Value) -> anyhow::Result<String> {
        rule["merchantId"] = json!(self.merchant_id);
        let added: Value = self
            .admin
            .post(format!("{}/__admin/faults", self.emulator_url))
            .bearer_auth(&self.admin_token)
            .json(&rule)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(added["id"].as_str().unwrap_or_default().to_owned())
    }

    /// How many faults the rule `id` injected (`hits` in `GET /__admin/faults`).
    pub(crate) async fn fault_hits(&self, id: &str) -> anyhow::Result<u64> {
        let listed: Value = self
            .admin
            .get(format!("{}/__admin/faults", self.emulator_url))
            .bearer_auth(&self.admin_token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let rule = listed["rules"]
            .as_array()
            .and_then(|rules| rules.iter().find(|r| r["id"] == id))
            .ok_or_else(|| anyhow::anyhow!("rule {id} is not listed: {listed}"))?;
        rule["hits"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("rule {id} has no hits: {rule}"))
    }

    /// Deletes the fault rule `id` (`DELETE /__admin/faults/{id}`).
    pub(crate) async fn clear_fault(&self, id: &str) -> anyhow::Result<()> {
        self.admin
            .delete(format!("{}/__admin/faults/{id}", self.emulator_url))
            .bearer_auth(&self.admin_token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Every order the shop stored.
    pub(crate) async fn orders(&self) -> Vec<Order> {
        self.shop.db().orders().await.expect("read orders")
    }

    /// Checkout Sessions the emulator holds for the shop's merchant.
    pub(crate) async fn sessions_at_amazon(&self) -> u64 {
        self.objects_at_amazon(ObjectKind::CheckoutSession).await
    }

    /// Objects of `kind` the emulator holds for the shop's merchant.
    pub(crate) async fn objects_at_amazon(&self, kind: ObjectKind) -> u64 {
        self.emulator
            .store()
            .count_objects(
                &MerchantId::parse(&self.merchant_id).expect("a merchant id"),
                kind,
            )
            .await
            .expect("count objects")
    }
}

/// One buyer's way through checkout, with a screenshot of each page.
pub(crate) struct Buyer {
    /// The browser.
    pub(crate) browser: Browser,
}

impl Buyer {
    /// A buyer with a fresh headless Chromium.
    pub(crate) async fn new(test_name: &str) -> anyhow::Result<Buyer> {
        Ok(Buyer {
            browser: Browser::start(test_name).await?,
        })
    }

    /// Puts one of each product into the cart and opens the cart page.
    pub(crate) async fn fill_cart(
        &mut self,
        stack: &Stack,
        products: &[&str],
    ) -> anyhow::Result<()> {
        let b = &mut self.browser;
        b.goto(&format!("{}/", stack.shop_url)).await?;
        b.screenshot("catalog").await?;
        for p in products {
            b.click(&format!("#add-{p}")).await?;
            b.wait_for_url(&format!("{}/cart", stack.shop_url)).await?;
            if products.len() > 1 {
                b.goto(&format!("{}/", stack.shop_url)).await?;
            }
        }
        b.goto(&format!("{}/cart", stack.shop_url)).await?;
        b.find("#AmazonPayButton button").await?;
        b.screenshot("cart").await.map(drop)
    }

    /// Clicks the Amazon Pay button and signs in as the default test buyer; stops on the
    /// selection page.
    pub(crate) async fn sign_in(&mut self, stack: &Stack) -> anyhow::Result<()> {
        let b = &mut self.browser;
        b.click("#AmazonPayButton button").await?;
        b.wait_for_url(&format!("{}/checkout/signin", stack.emulator_url))
            .await?;
        b.find("#sign-in").await?;
        b.screenshot("amazon-sign-in").await?;
        b.click("#sign-in").await?;
        b.wait_for_url(&format!("{}/checkout/select", stack.emulator_url))
            .await?;
        b.find("#continue").await?;
        Ok(())
    }

    /// On the selection page: chooses a card (and an address), continues to the review page.
    pub(crate) async fn choose(
        &mut self,
        stack: &Stack,
        card: &str,
        address: Option<&str>,
    ) -> anyhow::Result<()> {
        let b = &mut self.browser;
        if let Some(a) = address {
            b.click(&format!("#address-{a}")).await?;
        }
        b.click(&format!("#card-{card}")).await?;
        b.screenshot("amazon-select").await?;
        b.click("#continue").await?;
        b.wait_for_url(&format!("{}/checkout/review", stack.shop_url))
            .await?;
        b.find("#place-order").await?;
        b.screenshot("review").await.map(drop)
    }

    /// Places the order; returns the URL the buyer ends on (result page or cart).
    pub(crate) async fn place_order(&mut self, stack: &Stack) -> anyhow::Result<String> {
        let b = &mut self.browser;
        b.click("#place-order").await?;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut paid = false;
        loop {
            let url = b.url().await?;
            // The emulator's payment page (amazonPayRedirectUrl): the buyer confirms the payment.
            if !paid && url.starts_with(&format!("{}/checkout/processing", stack.emulator_url)) {
                b.click("#pay").await?;
                paid = true;
                continue;
            }
            if url.starts_with(&format!("{}/checkout/result", stack.shop_url)) {
                b.find("#order-reference").await?;
                b.screenshot("confirmation").await?;
                return Ok(url);
            }
            if url.starts_with(&format!("{}/cart", stack.shop_url)) {
                b.find("#payment-message").await?;
                b.screenshot("back-at-cart").await?;
                return Ok(url);
            }
            anyhow::ensure!(
                std::time::Instant::now() < deadline,
                "placing the order ended at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The whole checkout for `products` with `card`; returns where it ended.
    pub(crate) async fn checkout(
        &mut self,
        stack: &Stack,
        products: &[&str],
        card: &str,
    ) -> anyhow::Result<String> {
        self.fill_cart(stack, products).await?;
        self.sign_in(stack).await?;
        self.choose(stack, card, None).await?;
        self.place_order(stack).await
    }

    /// Opens an order in the back office.
    pub(crate) async fn open_order(
        &mut self,
        stack: &Stack,
        reference: &str,
    ) -> anyhow::Result<()> {
        self.browser
            .goto(&format!("{}/admin/orders/{reference}", stack.shop_url))
            .await?;
        self.browser.find("#order-status").await.map(drop)
    }

    /// Clicks a back-office action and waits until the history shows `expected`.
    pub(crate) async fn act(&mut self, button: &str, expected: &str) -> anyhow::Result<()> {
        self.browser.click(button).await?;
        self.browser.wait_for_text("#history", expected).await?;
        Ok(())
    }

    /// Asserts the buyer is back at the cart with the failure message.
    pub(crate) async fn assert_payment_failed(&self) -> anyhow::Result<()> {
        let message = self.browser.text("#payment-message").await?;
        assert_eq!(message, PAYMENT_NOT_SUCCESSFUL);
        Ok(())
    }
}

/// A stand-in merchant endpoint that answers 200 to every notification and keeps its body, so
/// a test can post genuine, signed notifications to the shop itself (once, twice, tampered).
pub(crate) struct NotificationCatcher {
    /// Where it listens (`http://127.0.0.1:PORT/ipn`).
    pub(crate) url: String,
    bodies: Arc<Mutex<Vec<String>>>,
    _stop: oneshot::Sender<()>,
}

impl NotificationCatcher {
    /// Starts listening on a free port.
    pub(crate) async fn start() -> anyhow::Result<NotificationCatcher> {
        let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
        let kept = Arc::clone(&bodies);
        let app = axum::Router::new().route(
            "/ipn",
            axum::routing::post(move |body: String| {
                let kept = Arc::clone(&kept);
                async move {
                    kept.lock().expect("lock").push(body);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/ipn", listener.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(NotificationCatcher {
            url,
            bodies,
            _stop: stop,
        })
    }

    /// The bodies received whose notification is about `object_type` (`CHARGE`, ...).
    pub(crate) fn about(&self, object_type: &str) -> Vec<String> {
        self.bodies
            .lock()
            .expect("lock")
            .iter()
            .filter(|body| message_of(body)["ObjectType"] == object_type)
            .cloned()
            .collect()
    }
}

/// The Amazon Pay notification inside an SNS envelope (its `Message`, parsed).
pub(crate) fn message_of(body: &str) -> Value {
    let envelope: Value = serde_json::from_str(body).unwrap_or_default();
    serde_json::from_str(envelope["Message"].as_str().unwrap_or_default()).unwrap_or_default()
}

/// The session id in a result URL.
pub(crate) fn session_id_of(url: &str) -> String {
    url.split("amazonCheckoutSessionId=")
        .nth(1)
        .unwrap_or_default()
        .split('&')
        .next()
        .unwrap_or_default()
        .to_owned()
}
