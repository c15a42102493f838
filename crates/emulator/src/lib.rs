//! A local, stateful, wire-compatible Amazon Pay Checkout v2 emulator.
//!
//! Start reading at [`http::app`] (every route and middleware), then `http/checkout_sessions.rs`
//! for a typical thin handler, `service/` for the layer below HTTP (`service/auth.rs` who is
//! calling, `service/sessions.rs` an operation, `service/write.rs` the load–transition–persist
//! path), and [`startup::Application`] for serving. The rules live in `amzpay-emulator-core`; storage in
//! `amzpay-emulator-store`.
//!
//! # Decisions
//!
//! - **Request flow.** A path-normalizing layer runs before routing: `/{sandbox|live}/v2/...`
//!   becomes `/v2/...` and one trailing slash is dropped, while the target as received is kept for
//!   the signature. The `Signed` extractor reads the body (413 `RequestEntityTooLarge` beyond the
//!   limit, 256 KiB by default), verifies the signature with `amzpay-signing` against the raw
//!   method, path, query, the client-declared `SignedHeaders` and the raw body, and yields the
//!   merchant with its virtual `now` (`service::auth::authenticate`). Handlers parse the body
//!   into an `amzpay-types` DTO, convert it into a core command (`convert/`) and call one
//!   service function, which runs it through `service::write::execute`.
//! - **Authentication.** Unknown key id: 401 `UnauthorizedAccess`. Key environment (from the
//!   `SANDBOX-`/`LIVE-` prefix, or from the legacy path for prefix-less keys) different from the
//!   path's or the merchant's: 401 `UnauthorizedAccess`; a prefix-less key on `/v2`: 401. Bad
//!   signature, unknown algorithm, malformed `authorization`, a signed header missing, or
//!   `x-amz-pay-date`/`x-amz-pay-host` not signed: 403 `InvalidRequestSignature` (with
//!   `--debug-signatures` the message carries the emulator's canonical request and string to
//!   sign). No `authorization` header: 400 `MissingHeader`. An unparseable date: 400
//!   `InvalidHeaderValue`; a date more than `--max-clock-skew` (15 min) from *real* time: 403
//!   `InvalidRequestSignature` (the virtual clock never affects signature dates). An
//!   `x-amz-pay-region` that is unknown or not the merchant's region (aliases, any case): 400
//!   `InvalidHeaderValue`. `x-amz-pay-host` must be signed but may be any host
//!   (`overrideServiceUrl`). A repeated signature is accepted (SDK retries resend it).
//! - **Errors.** [`error::ApiError`] is the only code that maps errors to status codes; every error
//!   is `{"reasonCode","message"}`; JSON rejections name the field (`serde_path_to_error`):
//!   syntax → `InvalidRequestFormat`, unknown key → `UnrecognizedField`, missing →
//!   `MissingParameterValue`, wrong type/value/scale → `InvalidParameterValue`. Ids that do not
//!   have the emulator's format are 404 like unknown ones. Unknown paths are 404
//!   `ResourceNotFound`, wrong methods 405 `RequestNotSupported`.
//! - **Writes.** A service function hands the store a closure (command + rendering); the store runs it
//!   on the loaded aggregate inside its transaction, stores the aggregate, id index and
//!   idempotency record together, and answers only after the commit. A rejected command changes
//!   no state (not even its due timers); only its answer is recorded under its key.
//! - **Idempotency.** POST only; required on Create Checkout Session (400 `MissingHeader`),
//!   optional on Complete and Finalize; at most 32 of `[A-Za-z0-9_-]` (400 `InvalidHeaderValue`,
//!   empty: 400 `MissingHeaderValue`). The fingerprint is method + normalized path + canonical
//!   JSON (keys sorted) of the body; a different request with the key: 400
//!   `DuplicateIdempotencyKey`. The first answer is recorded (for 30 days), refusals included, as
//!   Amazon does (amazon-pay-api-v2 "Idempotency"), except an answer that invites a retry (408,
//!   425, 429, 5xx), so that a retry with the key executes again. A request refused before its
//!   command runs (a malformed body, a header, the simulation code) records nothing. Replays
//!   carry the header `x-amzpay-emulator-replayed: true`.
//! - **After Complete.** Create Charge loads the aggregate by the body's `chargePermissionId`,
//!   Create Refund by its `chargeId` (404 `ResourceNotFound` for unknown or other merchants'
//!   ids); idempotency keys are required on both and on Capture. A synchronous decline is stored
//!   (with its idempotency record) and answered as the decline's error. Delivery trackers take
//!   `chargePermissionId` or `amazonOrderReferenceId` (the permission with that id); 400
//!   `InvalidParameterValue` for a bad or foreign id, a blank `trackingNumber`/`carrierCode` or one
//!   with a control character, or a tracking number the merchant already used (scope: the
//!   merchant, any case). Buyer tokens (`buyer_token`) carry the signed-in buyer, are signed with
//!   the emulator's secret (`secret`, HMAC-SHA256, kept in the database), open only for their
//!   merchant and expire 24 hours after the sign-in (virtual clock). `docs/simulation.md` lists
//!   every simulation code, buyer event and timer.
//! - **Simulations.** `x-amz-pay-simulation-code`, signed or not, sandbox keys only; unknown,
//!   other operations' and live-key codes are 400 `InvalidSandboxSimulationSpecified`.
//! - **Reads** apply due timers in memory (`Checkout::advance_to`) and never write; the
//!   background step (`worker::try_execute_task`, every second, and on every clock change)
//!   persists them, and deletes a checkout that never got a charge permission 30 days after its
//!   creation; idempotency records are deleted 30 days (real time) after they were written.
//! - **Buyer actions** (admin API and `amzpay emulator buyer ...`) find the session by id alone,
//!   run on the merchant's clock and return the redirect URL a browser would follow;
//!   `GET /checkout/processing?amazonCheckoutSessionId=` (the `amazonPayRedirectUrl`) shows the
//!   payment page, whose form (`POST /checkout/processing`) runs the payment step and answers 303
//!   to the result URL. Every `POST` of the pages needs the session's form token and must not
//!   come from another site (403 page otherwise).
//! - **Admin API** (`/__admin`, `Authorization: Bearer <token>`, compared in constant time, 401
//!   `UnauthorizedAccess` otherwise): `POST /__admin/merchants`, `GET /__admin/merchants`
//!   (`?limit=` 1 to 1000, default 100, `&after=` the last merchant id of the previous page),
//!   `GET /__admin/merchants/{id}`,
//!   `GET /__admin/merchants/{id}/objects` (stored objects per kind),
//!   `GET|PUT /__admin/merchants/{id}/clock`, `POST /__admin/merchants/{id}/clock/advance`,
//!   `POST /__admin/checkoutSessions/{id}/{sign-in|choose|pay|cancel}`,
//!   `POST /__admin/timers/run`, `POST /__admin/merchants/{id}/sign-in` (Amazon Sign-in: a buyer
//!   token), `POST /__admin/chargePermissions/{id}/events` (buyer and Amazon events),
//!   `GET /__admin/journal` and `GET /__admin/journal/{requestId}` (the request journal). The
//!   CLI talks to a running emulator through it.
//! - **Request journal and dashboard** (`docs/dashboard.md`): every answered request is
//!   recorded (`http::journal` captures, `service::journal` queues without waiting and appends
//!   in batches; a ring of `--journal-size` entries per merchant, 0 for none). The dashboard at
//!   `/__dashboard` (`http::dashboard`, `service::dashboard`) shows it with the merchants and
//!   checkouts, behind the admin token kept in an `HttpOnly`, `SameSite=Strict` cookie, with a
//!   CSRF token and a same-origin check on every form.
//! - **Faults and throttling** (`docs/faults.md`): `service::faults::decide` runs once per
//!   authenticated API request: `--throttle` (429 `TooManyRequests`), then the fault rules of
//!   `/__admin/faults` (stored, so shared by every instance on a database); `http::faults`
//!   carries the decision out and marks the answer with `x-amzpay-emulator-fault`.
//! - **Serving.** Defaults: HTTPS on 127.0.0.1:8443 with a CA and server certificate generated
//!   once in `DATA_DIR/tls` (`ca.pem` is the file to trust), SQLite at `DATA_DIR/emulator.db`
//!   (WAL, `synchronous=FULL`), an admin token generated once into `DATA_DIR/admin-token`
//!   (the data directory is created 0700, secret files and the SQLite files 0600 from the moment
//!   they exist). rustls with the `ring` provider, HTTP/1.1 and HTTP/2; graceful shutdown on
//!   SIGINT/SIGTERM (in-flight requests get 10 s). Connections are bounded (`connections`): at
//!   most 1024 open (oldest idle one closed to make room), a 20 s header-read timeout, a 60 s
//!   idle timeout, 32 KiB of header; the open-file limit is raised to its hard limit at start.
//!   Every answer carries `X-Content-Type-Options: nosniff`, pages also `X-Frame-Options: DENY`.

pub mod admin_api;
pub mod buyer_token;
pub mod connections;
pub(crate) mod convert;
pub mod dispatch;
pub mod error;
pub mod http;
pub mod secret;
pub(crate) mod service;
pub mod sns;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod worker;

pub use http::app;
pub use startup::{Application, ServerConfig, TlsMode};
pub use state::{AppState, Settings, ThrottleMode};
