//! The command line as parsed: flags only, no I/O and no defaults that need the environment.
//!
//! [`crate::settings`] turns these into a resolved configuration; [`crate::run`] acts on it.

pub(crate) mod emulator;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `amzpay --version`: the crate's version and the commit it was built from (see `build.rs`).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("AMZPAY_COMMIT"),
    ")"
);

/// The amzpay command line: call Amazon Pay (real or emulated), sign requests, generate keys, and
/// run the local emulator.
#[derive(Debug, Parser)]
#[command(name = "amzpay", version = VERSION, about, long_about = None)]
pub(crate) struct LowArgs {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// A resource's commands with the connection and output flags, which may appear anywhere after
/// the resource name (they are global below it, and only below it: `amzpay emulator` has flags
/// of its own).
#[derive(Debug, Args)]
pub(crate) struct Resource<C: Subcommand> {
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,

    #[command(flatten)]
    pub(crate) output: OutputArgs,

    #[command(subcommand)]
    pub(crate) command: C,
}

/// Where to find credentials and which endpoint to call. Each flag overrides the environment
/// variable of the same meaning, which overrides the profile file.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Connection")]
pub(crate) struct ConnectionArgs {
    /// Profile file (default: $AMZPAY_CONFIG, else ~/.config/amzpay/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Profile to use from the profile file ([profile.NAME]).
    #[arg(long, global = true, env = "AMZPAY_PROFILE", value_name = "NAME")]
    pub(crate) profile: Option<String>,

    /// Public key id (SANDBOX-…, LIVE-… or a legacy id).
    #[arg(long, global = true, value_name = "ID")]
    pub(crate) public_key_id: Option<String>,

    /// Private key PEM file.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) private_key_file: Option<PathBuf>,

    /// Region: na, us, eu, de, uk or jp.
    #[arg(long, global = true)]
    pub(crate) region: Option<String>,

    /// Environment for legacy key ids: sandbox or live.
    #[arg(long, global = true)]
    pub(crate) environment: Option<String>,

    /// Signing algorithm: AMZN-PAY-RSASSA-PSS or AMZN-PAY-RSASSA-PSS-V2 (default).
    #[arg(long, global = true)]
    pub(crate) algorithm: Option<String>,

    /// Base URL to call instead of Amazon Pay, e.g. https://127.0.0.1:8443.
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) endpoint: Option<String>,

    /// CA certificate PEM file to trust for the endpoint.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) ca_cert: Option<PathBuf>,

    /// Total timeout of one attempt, in seconds.
    #[arg(long, global = true, value_name = "SECONDS")]
    pub(crate) timeout: Option<f64>,

    /// Maximum attempts per call (1 turns retries off).
    #[arg(long, global = true, value_name = "N")]
    pub(crate) max_attempts: Option<u32>,
}

/// How results are printed.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Output")]
pub(crate) struct OutputArgs {
    /// Print JSON on one line (for scripts) instead of pretty-printed.
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// Print the request id, attempt count and duration of each call to stderr.
    #[arg(long, short, global = true)]
    pub(crate) verbose: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate and inspect RSA key pairs.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Show how a request is signed: canonical request, string to sign, headers.
    Sign(SignArgs),
    /// Sign a checkout button payload.
    ButtonSignature(ButtonSignatureArgs),
    /// Checkout Session operations.
    CheckoutSession(Resource<CheckoutSessionCommand>),
    /// Charge Permission operations.
    ChargePermission(Resource<ChargePermissionCommand>),
    /// Charge operations.
    Charge(Resource<ChargeCommand>),
    /// Refund operations.
    Refund(Resource<RefundCommand>),
    /// Buyer operations.
    Buyer(Resource<BuyerCommand>),
    /// Delivery Tracker operations.
    DeliveryTracker(Resource<DeliveryTrackerCommand>),
    /// Run and drive the local Amazon Pay emulator.
    Emulator(emulator::EmulatorArgs),
    /// Instant Payment Notifications, the receiving side.
    #[command(subcommand)]
    Notifications(NotificationsCommand),
}

/// `amzpay notifications ...`
#[derive(Debug, Subcommand)]
pub(crate) enum NotificationsCommand {
    /// Verify a notification's POST body (an Amazon SNS envelope) as a receiver does: the
    /// certificate URL, the age, the certificate and the signature; print the notification.
    Verify(VerifyNotificationArgs),
}

/// `amzpay notifications verify ...`
#[derive(Debug, Args)]
pub(crate) struct VerifyNotificationArgs {
    /// The POST body: a file, or - for stdin.
    #[arg(value_name = "FILE")]
    pub(crate) file: String,
    /// Also trust certificate URLs on this host[:port], e.g. the emulator's 127.0.0.1:8443.
    #[arg(long, value_name = "HOST")]
    pub(crate) trust_host: Option<String>,
    /// CA certificate PEM file to trust for --trust-host (the emulator's .amzpay/tls/ca.pem).
    #[arg(long, value_name = "PEMFILE", requires = "trust_host")]
    pub(crate) trust_ca: Option<PathBuf>,
    /// Require the signing certificate from --trust-host to be issued by this CA (the
    /// emulator's SNS CA, served at its /__sns/ca.pem).
    #[arg(long, value_name = "PEMFILE", requires = "trust_host")]
    pub(crate) issuer_ca: Option<PathBuf>,
    /// Maximum age of the message's Timestamp, in seconds (default 3600).
    #[arg(long, value_name = "SECS")]
    pub(crate) max_age: Option<u64>,
    /// Print JSON on one line (for scripts) instead of pretty-printed.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `amzpay keys ...`
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Generate an RSA-2048 key pair: writes the private key (PKCS#8 PEM, mode 0600) and prints
    /// the public key to upload to Seller Central.
    Generate {
        /// Where to write the private key.
        #[arg(long, value_name = "FILE", default_value = "private.pem")]
        out: PathBuf,
        /// Also write the public key to this file.
        #[arg(long, value_name = "FILE")]
        public_out: Option<PathBuf>,
        /// Overwrite an existing private key file.
        #[arg(long)]
        force: bool,
    },
    /// Print the public key of a private key file.
    Public {
        /// The private key PEM file.
        #[arg(value_name = "FILE")]
        private_key: PathBuf,
    },
}

/// `amzpay sign ...`
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// HTTP method.
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,
    /// The path exactly as sent, e.g. /v2/checkoutSessions.
    #[arg(long)]
    pub(crate) path: String,
    /// A query parameter (decoded; split at the first `=`), repeatable.
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub(crate) query: Vec<String>,
    /// A query parameter given as two arguments, for names that contain `=`; repeatable.
    #[arg(long = "query-param", num_args = 2, value_names = ["NAME", "VALUE"], allow_hyphen_values = true)]
    pub(crate) query_param: Vec<String>,
    /// A header to sign, repeatable; replaces a default header of the same name.
    #[arg(long = "header", value_name = "NAME:VALUE")]
    pub(crate) header: Vec<String>,
    /// The body: a file, or - for stdin (default: empty).
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<String>,
    /// The x-amz-pay-date to sign with (default: now), e.g. 20180524T223710Z.
    #[arg(long)]
    pub(crate) date: Option<String>,
    /// Canonicalize the path as the Java and .NET SDKs do (collapse `//`, percent-encode) instead
    /// of signing it exactly as given.
    #[arg(long)]
    pub(crate) normalize_path: bool,
}

/// `amzpay button-signature ...`
#[derive(Debug, Args)]
pub(crate) struct ButtonSignatureArgs {
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// The payload JSON: a file, or - for stdin. Signed byte for byte as given.
    #[arg(long, value_name = "FILE")]
    pub(crate) payload: String,
}

/// Options every API call accepts.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct CallArgs {
    /// Idempotency key to send (default: generated for POSTs that need one).
    #[arg(long, value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
    /// Sandbox simulation code (x-amz-pay-simulation-code).
    #[arg(long, value_name = "CODE")]
    pub(crate) simulation_code: Option<String>,
    /// An extra header, repeatable.
    #[arg(long = "header", value_name = "NAME:VALUE")]
    pub(crate) header: Vec<String>,
}

/// A JSON request body from a file or stdin.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct BodyArgs {
    /// The JSON request body: a file, or - for stdin.
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<String>,
}

/// An amount with its currency.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct AmountArgs {
    /// Amount in major units, e.g. 14.00.
    #[arg(long)]
    pub(crate) amount: Option<String>,
    /// Currency code, e.g. USD.
    #[arg(long)]
    pub(crate) currency: Option<String>,
}

/// The flags that build a Create Checkout Session body without a JSON file.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct NewSessionArgs {
    /// The merchant's store id (amzn1.application-oa2-client.…).
    #[arg(long, env = "AMZPAY_STORE_ID", value_name = "ID")]
    pub(crate) store_id: Option<String>,
    /// webCheckoutDetails.checkoutReviewReturnUrl.
    #[arg(long, value_name = "URL")]
    pub(crate) review_url: Option<String>,
    /// webCheckoutDetails.checkoutResultReturnUrl.
    #[arg(long, value_name = "URL")]
    pub(crate) result_url: Option<String>,
    /// webCheckoutDetails.checkoutCancelUrl.
    #[arg(long, value_name = "URL")]
    pub(crate) cancel_url: Option<String>,
    /// paymentDetails.paymentIntent: Confirm, Authorize or AuthorizeWithCapture.
    #[arg(long, value_name = "INTENT")]
    pub(crate) intent: Option<String>,
    /// paymentDetails.canHandlePendingAuthorization = true.
    #[arg(long)]
    pub(crate) can_handle_pending_authorization: bool,
    /// paymentDetails.chargeAmount.
    #[command(flatten)]
    pub(crate) amount: AmountArgs,
}

impl NewSessionArgs {
    /// Whether any flag was given (they cannot be combined with a JSON body).
    pub(crate) fn any(&self) -> bool {
        self.store_id.is_some()
            || self.review_url.is_some()
            || self.result_url.is_some()
            || self.cancel_url.is_some()
            || self.intent.is_some()
            || self.can_handle_pending_authorization
            || self.amount.amount.is_some()
            || self.amount.currency.is_some()
    }
}

/// `amzpay checkout-session ...`
#[derive(Debug, Subcommand)]
pub(crate) enum CheckoutSessionCommand {
    /// Create a checkout session: --store-id with --review-url (and optionally the payment
    /// details), or a CreateCheckoutSession JSON --body.
    Create {
        #[command(flatten)]
        session: NewSessionArgs,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Get a checkout session.
    Get {
        /// Checkout session id.
        id: String,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Update a checkout session (body: UpdateCheckoutSession JSON).
    Update {
        /// Checkout session id.
        id: String,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Complete a checkout session: --amount/--currency, or a JSON --body.
    Complete {
        /// Checkout session id.
        id: String,
        #[command(flatten)]
        amount: AmountArgs,
        /// The session's totalOrderAmount, when it has one (same currency).
        #[arg(long, value_name = "AMOUNT")]
        total_order_amount: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Finalize a checkout session (body: FinalizeCheckoutSession JSON).
    Finalize {
        /// Checkout session id.
        id: String,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
}

/// `amzpay charge-permission ...`
#[derive(Debug, Subcommand)]
pub(crate) enum ChargePermissionCommand {
    /// Get a charge permission.
    Get {
        /// Charge permission id.
        id: String,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Update a charge permission (body: UpdateChargePermission JSON).
    Update {
        /// Charge permission id.
        id: String,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Close a charge permission: --reason, or a JSON --body.
    Close {
        /// Charge permission id.
        id: String,
        /// closureReason.
        #[arg(long)]
        reason: Option<String>,
        /// Also cancel pending charges.
        #[arg(long)]
        cancel_pending_charges: bool,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
}

/// `amzpay charge ...`
#[derive(Debug, Subcommand)]
pub(crate) enum ChargeCommand {
    /// Create a charge: --charge-permission-id with --amount/--currency, or a JSON --body.
    Create {
        /// chargePermissionId.
        #[arg(long, value_name = "ID")]
        charge_permission_id: Option<String>,
        #[command(flatten)]
        amount: AmountArgs,
        /// Capture immediately.
        #[arg(long)]
        capture_now: bool,
        /// Accept a pending (asynchronous) authorization.
        #[arg(long)]
        can_handle_pending_authorization: bool,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Get a charge.
    Get {
        /// Charge id.
        id: String,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Capture a charge: --amount/--currency, or a JSON --body.
    Capture {
        /// Charge id.
        id: String,
        #[command(flatten)]
        amount: AmountArgs,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Cancel a charge: --reason, or a JSON --body.
    Cancel {
        /// Charge id.
        id: String,
        /// cancellationReason.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
}

/// `amzpay refund ...`
#[derive(Debug, Subcommand)]
pub(crate) enum RefundCommand {
    /// Create a refund: --charge-id with --amount/--currency, or a JSON --body.
    Create {
        /// chargeId.
        #[arg(long, value_name = "ID")]
        charge_id: Option<String>,
        #[command(flatten)]
        amount: AmountArgs,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Get a refund.
    Get {
        /// Refund id.
        id: String,
        #[command(flatten)]
        call: CallArgs,
    },
}

/// `amzpay buyer ...`
#[derive(Debug, Subcommand)]
pub(crate) enum BuyerCommand {
    /// Get a buyer by buyer token.
    Get {
        /// Buyer token.
        token: String,
        #[command(flatten)]
        call: CallArgs,
    },
}

/// `amzpay delivery-tracker ...`
#[derive(Debug, Subcommand)]
pub(crate) enum DeliveryTrackerCommand {
    /// Send shipment tracking: --charge-permission-id, --tracking-number and --carrier-code, or a
    /// JSON --body.
    Create {
        /// chargePermissionId.
        #[arg(long, value_name = "ID")]
        charge_permission_id: Option<String>,
        /// Tracking number.
        #[arg(long)]
        tracking_number: Option<String>,
        /// Carrier code, e.g. UPS.
        #[arg(long)]
        carrier_code: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        call: CallArgs,
    },
}
