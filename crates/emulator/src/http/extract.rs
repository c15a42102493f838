//! Request plumbing: path normalization, the authenticated-request extractor ([`Signed`], which
//! reads the parts and calls `service::auth`) and JSON bodies.

use amzpay_emulator_core::model::Environment;
use amzpay_emulator_core::{Operation, Simulation};
use amzpay_emulator_store::IdempotencyRequest;
use amzpay_signing::ReceivedRequest;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, Uri};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::http::error::{ApiError, Reason};
use crate::service::auth::{self, Caller};
use crate::service::journal::{self, JournalNote};
use crate::state::AppState;

/// The request target exactly as received (the signature covers it), saved before routing.
#[derive(Clone, Debug)]
pub(crate) struct RawTarget {
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// The environment named by a legacy `/{sandbox|live}/v2` path.
    pub(crate) path_environment: Option<Environment>,
}

/// Rewrites `/{sandbox|live}/v2/...` to `/v2/...` and drops one trailing slash, so the router
/// has one route per operation; the original target is kept in a [`RawTarget`] extension.
pub(crate) fn normalize_path(mut request: Request) -> Request {
    let uri = request.uri().clone();
    let raw_path = uri.path().to_owned();
    let query = uri.query().map(str::to_owned);
    let mut path = raw_path.as_str();
    let mut environment = None;
    for (prefix, env) in [
        ("/sandbox/v2", Environment::Sandbox),
        ("/live/v2", Environment::Live),
    ] {
        if let Some(rest) = path.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            environment = Some(env);
            path = &path[prefix.len() - 3..];
        }
    }
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let rewritten = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    if rewritten != uri.path_and_query().map_or("", |p| p.as_str()) {
        let mut parts = uri.into_parts();
        if let Ok(pq) = rewritten.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(new_uri) = Uri::from_parts(parts) {
                *request.uri_mut() = new_uri;
            }
        }
    }
    request.extensions_mut().insert(RawTarget {
        path: raw_path,
        query,
        path_environment: environment,
    });
    request
}

/// An authenticated Amazon Pay API request: the merchant, its virtual `now`, the raw body.
#[derive(Debug)]
pub(crate) struct Signed {
    /// Who is calling: the merchant, the environment, its virtual now.
    pub(crate) caller: Caller,
    /// The raw body.
    pub(crate) body: Bytes,
    /// The validated `x-amz-pay-idempotency-key` (POST only).
    pub(crate) idempotency_key: Option<String>,
    /// The `x-amz-pay-simulation-code` header as sent (signed or not).
    simulation_code: Option<String>,
    method: Method,
    path: String,
}

impl Signed {
    /// The idempotency request of this call, or 400 `MissingHeader` when `required` and absent.
    pub(crate) fn idempotency(
        &self,
        required: bool,
    ) -> Result<Option<IdempotencyRequest>, ApiError> {
        match &self.idempotency_key {
            Some(key) => Ok(Some(IdempotencyRequest {
                key: key.clone(),
                fingerprint: fingerprint(&self.method, &self.path, &self.body),
            })),
            None if required => Err(ApiError::new(
                Reason::MissingHeader,
                "The header x-amz-pay-idempotency-key is required for this operation.",
            )),
            None => Ok(None),
        }
    }

    /// The request's simulation code for `operation` (see [`auth::simulation`]).
    pub(crate) fn simulation(
        &self,
        operation: Option<Operation>,
    ) -> Result<Option<Simulation>, ApiError> {
        auth::simulation(
            self.caller.tenant.environment,
            self.simulation_code.as_deref(),
            operation,
        )
    }

    /// The body parsed as `T` (an empty body reads as `{}` when `empty_ok`), with every key and
    /// object of the body accounted for by `T` (see [`check_shape`]).
    pub(crate) fn json<T: DeserializeOwned + Serialize>(
        &self,
        empty_ok: bool,
    ) -> Result<T, ApiError> {
        let value: T = parse_json(&self.body, empty_ok)?;
        check_shape(&self.body, &value)?;
        Ok(value)
    }
}

/// A digest of what a request asks for: method, normalized path and the body's canonical JSON
/// (keys sorted), so a retry with reordered keys or other whitespace is the same request.
fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let canonical = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => canonical_json(&v),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b"\n");
    h.update(path);
    h.update(b"\n");
    h.update(canonical.trim());
    hex::encode(h.finalize())
}

fn canonical_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        serde_json::Value::from(k.as_str()),
                        canonical_json(&map[k])
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// Parses a JSON body, mapping every rejection to Amazon's codes with the field named.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8], empty_ok: bool) -> Result<T, ApiError> {
    let trimmed = body.iter().all(u8::is_ascii_whitespace);
    let body: &[u8] = if trimmed && empty_ok { b"{}" } else { body };
    if trimmed && !empty_ok {
        return Err(ApiError::new(
            Reason::InvalidRequestFormat,
            "The request body is empty; a JSON object is required.",
        ));
    }
    // serde reads a struct from an array too; Amazon's bodies are objects.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::new(
            Reason::InvalidRequestFormat,
            "The request body must be a JSON object.",
        ));
    }
    // Syntax first, so a malformed body is InvalidRequestFormat whatever its fields say.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        return Err(ApiError::new(
            Reason::InvalidRequestFormat,
            format!("The request body is not valid JSON: {e}."),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = match value {
        Ok(v) => de.end().map(|()| v).map_err(|e| {
            ApiError::new(
                Reason::InvalidRequestFormat,
                format!("The request body is not valid JSON: {e}."),
            )
        })?,
        Err(e) => return Err(json_error(&e)),
    };
    Ok(value)
}

/// serde's derived structs also read a JSON array (fields by position), and `Price` skips keys
/// it does not know (it is lenient for the SDK's responses); Amazon's request bodies are objects
/// with known keys only. So the parsed body is serialized again and compared with what was sent:
/// an array where `T` writes an object is `InvalidParameterValue`, and a key `T` does not write
/// (other than one set to `null`, which reads as absent) is `UnrecognizedField`.
fn check_shape<T: Serialize>(body: &[u8], parsed: &T) -> Result<(), ApiError> {
    fn walk(
        sent: &serde_json::Value,
        kept: &serde_json::Value,
        path: &str,
    ) -> Result<(), ApiError> {
        use serde_json::Value;
        let at = |key: &str| {
            if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            }
        };
        match (sent, kept) {
            (Value::Array(_), Value::Object(_)) => Err(ApiError::new(
                Reason::InvalidParameterValue,
                format!(
                    "The value provided for {path} is invalid: an object is required, not an array."
                ),
            )),
            (Value::Object(sent), Value::Object(kept)) => {
                for (key, value) in sent {
                    match kept.get(key) {
                        Some(k) => walk(value, k, &at(key))?,
                        None if value.is_null() => {}
                        None => {
                            return Err(ApiError::new(
                                Reason::UnrecognizedField,
                                format!("The field {} is not recognized.", at(key)),
                            ));
                        }
                    }
                }
                Ok(())
            }
            (Value::Array(sent), Value::Array(kept)) => sent
                .iter()
                .zip(kept)
                .enumerate()
                .try_for_each(|(i, (s, k))| walk(s, k, &format!("{path}[{i}]"))),
            _ => Ok(()),
        }
    }
    let (Ok(sent), Ok(kept)) = (
        serde_json::from_slice::<serde_json::Value>(body),
        serde_json::to_value(parsed),
    ) else {
        // An empty body read as `{}`: nothing was sent that could be ignored.
        return Ok(());
    };
    walk(&sent, &kept, "")
}

fn json_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_json::error::Category;
    let inner = e.inner();
    if matches!(
        inner.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) {
        return ApiError::new(
            Reason::InvalidRequestFormat,
            format!("The request body is not valid JSON: {inner}."),
        );
    }
    let path = e.path().to_string();
    let msg = inner.to_string();
    // serde reports the offending name between backticks.
    let quoted = msg.split('`').nth(1).unwrap_or("").to_owned();
    let join = |parent: &str, name: &str| {
        if parent.is_empty() || parent == "." {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        }
    };
    if msg.starts_with("unknown field") {
        // serde_path_to_error's path already ends with the unknown key.
        let named = if path == quoted || path.ends_with(&format!(".{quoted}")) {
            path.clone()
        } else {
            join(&path, &quoted)
        };
        return ApiError::new(
            Reason::UnrecognizedField,
            format!("The field {named} is not recognized."),
        );
    }
    if msg.starts_with("missing field") {
        return ApiError::new(
            Reason::MissingParameterValue,
            format!(
                "Value is missing for the required parameter {}.",
                join(&path, &quoted)
            ),
        );
    }
    if path.is_empty() || path == "." {
        return ApiError::new(
            Reason::InvalidRequestFormat,
            format!(
                "The request body must be a JSON object: {}.",
                strip_position(&msg)
            ),
        );
    }
    ApiError::new(
        Reason::InvalidParameterValue,
        format!(
            "The value provided for {path} is invalid: {}.",
            strip_position(&msg)
        ),
    )
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Validates `x-amz-pay-idempotency-key`: at most 32 of `[A-Za-z0-9_-]`.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all("x-amz-pay-idempotency-key").iter();
    let Some(raw) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::new(
            Reason::InvalidHeaderValue,
            "The header x-amz-pay-idempotency-key is given more than once.",
        ));
    }
    let value = raw.to_str().unwrap_or("\u{0}");
    if value.is_empty() {
        return Err(ApiError::new(
            Reason::MissingHeaderValue,
            "The header x-amz-pay-idempotency-key is empty.",
        ));
    }
    let ok = value.len() <= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(ApiError::new(
            Reason::InvalidHeaderValue,
            "The header x-amz-pay-idempotency-key must be at most 32 characters of a-z, A-Z, 0-9, - and _.",
        ));
    }
    Ok(Some(value.to_owned()))
}

/// Reads the body up to the limit (413 beyond it).
pub(crate) async fn read_body(
    request: Request,
    limit: usize,
) -> Result<(axum::http::request::Parts, Bytes), ApiError> {
    let too_large = || {
        ApiError::new(
            Reason::RequestEntityTooLarge,
            format!("The request body is larger than {limit} bytes."),
        )
    };
    let declared =
        header_str(request.headers(), "content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    Ok((parts, bytes))
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Signed, ApiError> {
        let settings = state.settings();
        let (parts, body) = read_body(request, settings.body_limit).await?;
        let raw = parts
            .extensions
            .get::<RawTarget>()
            .cloned()
            .unwrap_or(RawTarget {
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().map(str::to_owned),
                path_environment: None,
            });
        let mut received = ReceivedRequest::new(parts.method.as_str(), &raw.path)
            .query(raw.query.as_deref())
            .body(&body);
        for (name, value) in &parts.headers {
            received = received.header(name.as_str(), value.as_bytes());
        }
        let mut regions = parts.headers.get_all("x-amz-pay-region").iter();
        // A value that is not ASCII, or a second value, names no region: refuse it rather than
        // skip the check.
        let region = regions
            .next()
            .map(|raw| match (raw.to_str(), regions.next()) {
                (Ok(r), None) => r,
                _ => "(unreadable or repeated)",
            });
        let caller = match auth::authenticate(state, &received, raw.path_environment, region).await
        {
            Ok(caller) => caller,
            Err(refusal) => {
                if let Some(note) = parts.extensions.get::<JournalNote>() {
                    let (merchant, diagnosis) =
                        journal::diagnose(state, &received, raw.path_environment, &refusal).await;
                    note.signature(merchant, diagnosis);
                }
                return Err(refusal);
            }
        };
        if let Some(note) = parts.extensions.get::<JournalNote>() {
            note.caller(
                &caller,
                header_str(&parts.headers, "x-amz-pay-idempotency-key"),
            );
        }
        crate::http::faults::before(state, &caller, &parts).await?;
        let idempotency_key = if parts.method == Method::POST {
            idempotency_key(&parts.headers)?
        } else {
            None
        };
        let simulation_code = parts
            .headers
            .get("x-amz-pay-simulation-code")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        Ok(Signed {
            caller,
            body,
            idempotency_key,
            simulation_code,
            method: parts.method,
            path: parts.uri.path().to_owned(),
        })
    }
}
