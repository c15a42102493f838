//! Every case of `vectors/canonical-requests.json` (from the Java SDK's tests) reproduces its
//! canonical request and string to sign byte for byte, with both algorithms, through the public
//! canonicalization types, through `sign`, and back through `verify`.

use amzpay_signing::{
    Algorithm, CanonicalHeaders, CanonicalQuery, CanonicalRequest, CanonicalUri, ReceivedRequest,
    SignableRequest, verify,
};
use serde_json::Value;

use crate::helpers::{
    VECTOR_HEADERS, VECTOR_TIME, Wire, sign_with_test_key, test_keys, vector_file,
};

/// One case of the file, for one algorithm.
struct Vector {
    method: String,
    uri: String,
    parameters: Vec<(String, String)>,
    payload: String,
    algorithm: Algorithm,
    canonical_request: String,
    string_to_sign: String,
}

fn all_cases() -> Vec<(String, Vector)> {
    let cases: Vec<Value> =
        serde_json::from_str(&vector_file("canonical-requests.json")).expect("valid JSON");
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
            let vector = Vector {
                method: text(case, "method"),
                uri: text(case, "uri"),
                parameters,
                payload: text(case, "payload"),
                algorithm,
                canonical_request: text(case, "canonicalRequest"),
                string_to_sign,
            };
            (text(case, "name"), vector)
        })
        .collect()
}

fn cases_named(name: &str) -> Vec<Vector> {
    all_cases()
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v)
        .collect()
}

/// Checks one named case for both algorithms.
fn check(name: &str) {
    let vectors = cases_named(name);
    let mut algorithms: Vec<Algorithm> = vectors.iter().map(|v| v.algorithm).collect();
    algorithms.sort_by_key(|a| a.as_str());
    assert_eq!(algorithms, Algorithm::ALL, "{name}: one case per algorithm");
    for v in &vectors {
        check_canonical_types(name, v);
        check_sign_and_verify(name, v);
    }
}

/// The public canonicalization types reproduce the vector.
fn check_canonical_types(name: &str, v: &Vector) {
    let date = [("x-amz-pay-date", "20180524T223710Z")];
    let headers =
        CanonicalHeaders::new(VECTOR_HEADERS.iter().chain(&date).copied()).expect("valid headers");
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
fn check_sign_and_verify(name: &str, v: &Vector) {
    let request = SignableRequest::new(&v.method, &v.uri)
        .query_params(
            v.parameters
                .iter()
                .map(|(n, val)| (n.as_str(), val.as_str())),
        )
        .headers(VECTOR_HEADERS)
        .body(v.payload.as_bytes());
    let output = sign_with_test_key(&request, v.algorithm);
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
    assert_eq!(output.date(), "20180524T223710Z");

    let query = request.canonical_query();
    let wire = Wire::of(&VECTOR_HEADERS, &output);
    let received = wire.apply(
        ReceivedRequest::new(&v.method, request.uri().as_str())
            .query(Some(query.as_str()).filter(|q| !q.is_empty()))
            .body(v.payload.as_bytes()),
    );
    let authorization = received.authorization().expect("parses");
    let verified = verify(&received, &authorization, &test_keys().1).expect("verifies");
    assert_eq!(verified.date(), VECTOR_TIME);
    assert_eq!(verified.algorithm(), v.algorithm);
    assert_eq!(
        verified.diagnostics().canonical_request(),
        v.canonical_request,
        "{name}: verify's canonical request"
    );
}

/// One test per case name; `every_case_in_the_file_has_a_test` keeps this list complete.
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

#[test]
fn every_case_in_the_file_has_a_test() {
    let cases = all_cases();
    assert_eq!(cases.len(), 34, "the README promises 34 cases");
    for (name, _) in &cases {
        assert!(
            NAMES.contains(&name.as_str()),
            "vector {name:?} has no test: add it to vector_tests!"
        );
    }
}

#[test]
fn every_string_to_sign_hashes_its_canonical_request() {
    for (name, v) in all_cases() {
        assert_eq!(
            amzpay_signing::string_to_sign(v.algorithm, &v.canonical_request),
            v.string_to_sign,
            "{name}"
        );
    }
}

#[test]
fn the_last_line_is_the_sha256_of_the_body_bytes() {
    // Some documentation pages say the last line hashes the canonical request; every SDK hashes the
    // payload (spec §6.2). SHA-256 of `{}` is 44136fa3...ff8a.
    let request = SignableRequest::new("POST", "/live/v2/checkoutSessions")
        .headers(VECTOR_HEADERS)
        .body(b"{}");
    let output = sign_with_test_key(&request, Algorithm::AmznPayRsassaPss);
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
