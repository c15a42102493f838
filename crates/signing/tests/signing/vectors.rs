//! Every case of `canonical-requests.json` reproduces its canonical request and string to sign
//! byte for byte, with both algorithms, through the public canonicalization types, through `sign`,
//! and back through `verify`. Two files are checked: the project's own (`tests/vectors`, made by
//! `own_vectors.rs`, with each case's headers, date and a committed signature) and, when present,
//! the shared one (from the Java SDK's tests, with fixed headers and date).

use amzpay_signing::{
    Algorithm, CanonicalHeaders, CanonicalQuery, CanonicalRequest, CanonicalUri, ReceivedRequest,
    SignableRequest, verify,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use time::OffsetDateTime;

use crate::helpers::{VECTOR_HEADERS, VECTOR_TIME, Vectors, Wire, sign_with};

/// One case of the file, for one algorithm.
pub(crate) struct Vector {
    pub(crate) method: String,
    pub(crate) uri: String,
    pub(crate) parameters: Vec<(String, String)>,
    /// The signed headers but the date (the shared file's fixed ones when the case has none).
    pub(crate) headers: Vec<(String, String)>,
    /// `x-amz-pay-date` (the shared file's fixed date when the case has none).
    pub(crate) date: OffsetDateTime,
    pub(crate) payload: String,
    pub(crate) algorithm: Algorithm,
    pub(crate) canonical_request: String,
    pub(crate) string_to_sign: String,
    /// A committed signature of the string to sign (own vectors only), base64.
    pub(crate) signature: Option<String>,
    /// The committed `authorization` header (own vectors only).
    pub(crate) authorization: Option<String>,
    /// Whether the official Node.js SDK can send this request (own vectors only; see
    /// `own_vectors.rs`).
    pub(crate) nodejs_sdk: bool,
}

impl Vector {
    fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

/// Every case of a folder's `canonical-requests.json`, with its name.
pub(crate) fn all_cases(vectors: &Vectors) -> Vec<(String, Vector)> {
    let cases: Vec<Value> =
        serde_json::from_str(&vectors.file("canonical-requests.json")).expect("valid JSON");
    let text = |case: &Value, key: &str| {
        case[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} is a string"))
            .to_owned()
    };
    cases
        .iter()
        .map(|case| {
            let string_to_sign = text(case, "stringToSign");
            // The vectors README: the algorithm is the first line of the string to sign.
            let algorithm = string_to_sign
                .split('\n')
                .next()
                .unwrap_or_default()
                .parse()
                .expect("known algorithm");
            if let Some(declared) = case["algorithm"].as_str() {
                assert_eq!(
                    declared,
                    Algorithm::as_str(algorithm),
                    "declared algorithm agrees"
                );
            }
            let parameters = case["parameters"]
                .as_object()
                .expect("parameters is an object")
                .iter()
                .flat_map(|(name, values)| {
                    values
                        .as_array()
                        .expect("a list of values")
                        .iter()
                        .map(move |v| {
                            (
                                name.clone(),
                                v.as_str().expect("values are strings").to_owned(),
                            )
                        })
                })
                .collect();
            let headers = match case["headers"].as_object() {
                Some(headers) => headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.clone(),
                            v.as_str().expect("header values are strings").to_owned(),
                        )
                    })
                    .collect(),
                None => VECTOR_HEADERS
                    .iter()
                    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                    .collect(),
            };
            let date = match case["date"].as_str() {
                Some(date) => amzpay_signing::parse_amz_date(date).expect("a valid date"),
                None => VECTOR_TIME,
            };
            let vector = Vector {
                method: text(case, "method"),
                uri: text(case, "uri"),
                parameters,
                headers,
                date,
                payload: text(case, "payload"),
                algorithm,
                canonical_request: text(case, "canonicalRequest"),
                string_to_sign,
                signature: case["signature"].as_str().map(str::to_owned),
                authorization: case["authorization"].as_str().map(str::to_owned),
                nodejs_sdk: case["nodejsSdk"].as_bool().unwrap_or(false),
            };
            (text(case, "name"), vector)
        })
        .collect()
}

fn cases_named(vectors: &Vectors, name: &str) -> Vec<Vector> {
    all_cases(vectors)
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v)
        .collect()
}

/// Checks one named case of the shared file for both algorithms; skipped when it is absent.
fn check(name: &str) {
    if let Some(shared) = Vectors::shared() {
        check_in(shared, name);
    }
}

/// Checks one named case of a folder for both algorithms.
fn check_in(folder: &Vectors, name: &str) {
    let vectors = cases_named(folder, name);
    let mut algorithms: Vec<Algorithm> = vectors.iter().map(|v| v.algorithm).collect();
    algorithms.sort_by_key(|a| a.as_str());
    assert_eq!(algorithms, Algorithm::ALL, "{name}: one case per algorithm");
    for v in &vectors {
        check_canonical_types(name, v);
        check_sign_and_verify(folder, name, v);
        check_committed_signature(folder, name, v);
    }
}

/// The public canonicalization types reproduce the vector.
fn check_canonical_types(name: &str, v: &Vector) {
    let date_text = amzpay_signing::format_amz_date(v.date);
    let date = [("x-amz-pay-date", date_text.as_str())];
    let headers =
        CanonicalHeaders::new(v.header_pairs().into_iter().chain(date)).expect("valid headers");
    let canonical = CanonicalRequest::new(
        &v.method,
        &CanonicalUri::normalize(&v.uri),
        &CanonicalQuery::from_pairs(v.parameters.iter().map(|(n, val)| (n, val))),
        &headers,
        v.payload.as_bytes(),
    );
    assert_eq!(
        canonical.as_str(),
        v.canonical_request,
        "{name}: canonical request"
    );
    assert_eq!(
        canonical.string_to_sign(v.algorithm),
        v.string_to_sign,
        "{name}: string to sign"
    );
}

/// `sign` produces the same canonical request, and the request as sent verifies on the server side.
fn check_sign_and_verify(folder: &Vectors, name: &str, v: &Vector) {
    let headers = v.header_pairs();
    let request = SignableRequest::new(&v.method, &v.uri)
        .query_params(
            v.parameters
                .iter()
                .map(|(n, val)| (n.as_str(), val.as_str())),
        )
        .headers(headers.iter().copied())
        .body(v.payload.as_bytes());
    let output = sign_with(&folder.keys().0, &request, v.algorithm, v.date);
    assert_eq!(
        output.diagnostics.canonical_request(),
        v.canonical_request,
        "{name}: sign's canonical request"
    );
    assert_eq!(
        output.diagnostics.string_to_sign(),
        v.string_to_sign,
        "{name}: sign's string to sign"
    );
    assert_eq!(output.date(), amzpay_signing::format_amz_date(v.date));

    let query = request.canonical_query();
    let wire = Wire::of(&headers, &output);
    let received = wire.apply(
        ReceivedRequest::new(&v.method, request.uri().as_str())
            .query(Some(query.as_str()).filter(|q| !q.is_empty()))
            .body(v.payload.as_bytes()),
    );
    let authorization = received.authorization().expect("parses");
    let verified = verify(&received, &authorization, &folder.keys().1).expect("verifies");
    assert_eq!(verified.date(), v.date);
    assert_eq!(verified.algorithm(), v.algorithm);
    assert_eq!(
        verified.diagnostics().canonical_request(),
        v.canonical_request,
        "{name}: verify's canonical request"
    );
}

/// The committed signature (own vectors) verifies over the string to sign, and the committed
/// `authorization` header carries it with the case's signed headers.
fn check_committed_signature(folder: &Vectors, name: &str, v: &Vector) {
    let (Some(signature), Some(authorization)) = (&v.signature, &v.authorization) else {
        assert!(
            v.signature.is_none() && v.authorization.is_none(),
            "{name}: a signature comes with its authorization header"
        );
        return;
    };
    let date_text = amzpay_signing::format_amz_date(v.date);
    let headers = v
        .header_pairs()
        .into_iter()
        .chain([("x-amz-pay-date", date_text.as_str())]);
    // The request as a client sends it: the normalized path and the canonical query string.
    let uri = CanonicalUri::normalize(&v.uri);
    let query = CanonicalQuery::from_pairs(v.parameters.iter().map(|(n, val)| (n, val)));
    let received = ReceivedRequest::new(&v.method, uri.as_str())
        .query(Some(query.as_str()).filter(|q| !q.is_empty()))
        .headers(headers)
        .header("authorization", authorization.as_str())
        .body(v.payload.as_bytes());
    let parsed = received
        .authorization()
        .expect("the committed header parses");
    assert_eq!(
        STANDARD.encode(parsed.signature()),
        *signature,
        "{name}: the header carries the committed signature"
    );
    let verified = verify(&received, &parsed, &folder.keys().1).unwrap_or_else(|e| {
        panic!(
            "{name} ({}): the committed signature verifies: {e}",
            folder.label
        )
    });
    assert_eq!(verified.algorithm(), v.algorithm);
}

/// One test per case name of the shared file; `every_case_in_the_file_has_a_test` keeps this
/// list complete.
macro_rules! vector_tests {
    ($($test:ident => $name:literal,)*) => {
        const NAMES: &[&str] = &[$($name),*];
        $(
            #[test]
            fn $test() {
                check($name);
            }
        )*
    };
}

vector_tests! {
    get_vanilla => "get-vanilla",
    get_slashes => "get-slashes",
    get_empty => "get-empty",
    get_unreserved => "get-unreserved",
    get_vanilla_query => "get-vanilla-query",
    get_utf8 => "get-utf8",
    get_vanilla_utf8_query => "get-vanilla-utf8-query",
    post_vanilla => "post-vanilla",
    post_vanilla_query => "post-vanilla-query",
    get_vanilla_empty_query_key => "get-vanilla-empty-query-key",
    get_vanilla_query_order_value => "get-vanilla-query-order-value",
    get_vanilla_query_order_key => "get-vanilla-query-order-key",
    get_vanilla_query_order_sort_by_key => "get-vanilla-query-order-sort-by-key",
    get_vanilla_query_order_key_case => "get-vanilla-query-order-key-case",
    get_vanilla_query_unreserved => "get-vanilla-query-unreserved",
    post_vanilla_query_nonunreserved => "post-vanilla-query-nonunreserved",
    post_vanilla_query_space => "post-vanilla-query-space",
}

/// One test per case name of the own file; `every_own_case_has_a_test` keeps this list complete.
macro_rules! own_vector_tests {
    ($($test:ident => $name:literal,)*) => {
        const OWN_NAMES: &[&str] = &[$($name),*];
        $(
            #[test]
            fn $test() {
                check_in(Vectors::own(), $name);
            }
        )*
    };
}

own_vector_tests! {
    own_create_checkout_session => "create-checkout-session",
    own_get_checkout_session => "get-checkout-session",
    own_update_checkout_session => "update-checkout-session",
    own_complete_checkout_session => "complete-checkout-session",
    own_get_charge_permission => "get-charge-permission",
    own_close_charge_permission => "close-charge-permission",
    own_capture_charge => "capture-charge",
    own_create_refund_utf8_body => "create-refund-utf8-body",
    own_query_sorted => "query-sorted",
    own_query_empty_value => "query-empty-value",
    own_query_utf8 => "query-utf8",
    own_query_repeated_name => "query-repeated-name",
    own_query_reserved_characters => "query-reserved-characters",
    own_path_slashes => "path-slashes",
    own_path_utf8_and_space => "path-utf8-and-space",
    own_path_empty => "path-empty",
}

#[test]
fn every_case_in_the_file_has_a_test() {
    let Some(shared) = Vectors::shared() else {
        return;
    };
    let cases = all_cases(shared);
    assert_eq!(cases.len(), 34, "the README promises 34 cases");
    for (name, _) in &cases {
        assert!(
            NAMES.contains(&name.as_str()),
            "vector {name:?} has no test: add it to vector_tests!"
        );
    }
}

#[test]
fn every_own_case_has_a_test() {
    let cases = all_cases(Vectors::own());
    assert_eq!(
        cases.len(),
        2 * OWN_NAMES.len(),
        "one case per name and algorithm"
    );
    for (name, _) in &cases {
        assert!(
            OWN_NAMES.contains(&name.as_str()),
            "vector {name:?} has no test: add it to own_vector_tests!"
        );
    }
}

#[test]
fn every_string_to_sign_hashes_its_canonical_request() {
    for folder in Vectors::all() {
        for (name, v) in all_cases(folder) {
            assert_eq!(
                amzpay_signing::string_to_sign(v.algorithm, &v.canonical_request),
                v.string_to_sign,
                "{name} ({})",
                folder.label
            );
        }
    }
}

#[test]
fn the_last_line_is_the_sha256_of_the_body_bytes() {
    // Some documentation pages say the last line hashes the canonical request; every SDK hashes the
    // payload (spec §6.2). SHA-256 of `{}` is 44136fa3...ff8a.
    let request = SignableRequest::new("POST", "/live/v2/checkoutSessions")
        .headers(VECTOR_HEADERS)
        .body(b"{}");
    let output = crate::helpers::sign_with_test_key(&request, Algorithm::AmznPayRsassaPss);
    let last = output
        .diagnostics
        .canonical_request()
        .rsplit('\n')
        .next()
        .expect("has lines");
    assert_eq!(
        last,
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    );
}
