//! Property tests: a signed random request verifies, and changing any single byte of the method,
//! path, query, a signed header value or the body makes it fail.

use amzpay_signing::{Algorithm, ReceivedRequest, SignableRequest, verify};
use proptest::prelude::*;

use crate::helpers::{Wire, sign_with_test_key, test_keys};

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    algorithm: Algorithm,
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec!["GET", "POST", "PATCH", "DELETE"]),
        "(/[a-zA-Z0-9._~-]{1,12}){1,4}/?",
        prop::collection::vec(
            (
                "[a-z][a-zA-Z0-9 %&=+._~-]{0,6}",
                "[a-zA-Z0-9 %&=+._~-]{0,8}",
            ),
            0..4,
        ),
        prop::collection::vec(("x-[a-z]{1,8}", "[a-zA-Z0-9][ -~]{0,10}[a-zA-Z0-9]"), 0..3),
        prop::collection::vec(any::<u8>(), 0..64),
        any::<bool>(),
    )
        .prop_map(|(method, path, query, extra, body, v2)| {
            let mut headers = vec![("x-amz-pay-host".to_owned(), "pay-api.amazon.com".to_owned())];
            // Distinct names, so that the test can find "the" header it changes.
            for (name, value) in extra {
                if !headers.iter().any(|(n, _)| *n == name) {
                    headers.push((name, value));
                }
            }
            let algorithm = if v2 {
                Algorithm::AmznPayRsassaPssV2
            } else {
                Algorithm::AmznPayRsassaPss
            };
            Request {
                method: method.to_owned(),
                path,
                query,
                headers,
                body,
                algorithm,
            }
        })
}

/// What a client sends for a request: path, raw query, headers and body.
struct Sent {
    method: String,
    path: String,
    query: Option<String>,
    wire: Wire,
    body: Vec<u8>,
}

fn send(request: &Request) -> Sent {
    let signable = SignableRequest::new(&request.method, &request.path)
        .query_params(request.query.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .headers(
            request
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str())),
        )
        .body(&request.body);
    let output = sign_with_test_key(&signable, request.algorithm);
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let query = signable.canonical_query();
    Sent {
        method: request.method.clone(),
        path: signable.uri().as_str().to_owned(),
        query: Some(query.as_str().to_owned()).filter(|q| !q.is_empty()),
        wire: Wire::of(&headers, &output),
        body: request.body.clone(),
    }
}

fn verifies(sent: &Sent) -> bool {
    let received = sent.wire.apply(
        ReceivedRequest::new(&sent.method, &sent.path)
            .query(sent.query.as_deref())
            .body(&sent.body),
    );
    let header = received
        .authorization()
        .expect("the authorization header is untouched");
    verify(&received, &header, &test_keys().1).is_ok()
}

/// Replaces the alphanumeric character at `index` (counted among alphanumerics outside `%XX`
/// escapes) with a different alphanumeric character, so the change survives canonicalization.
fn change_one_alphanumeric(text: &str, index: prop::sample::Index) -> Option<String> {
    let bytes = text.as_bytes();
    let positions: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_alphanumeric())
        .filter(|&i| !bytes[i.saturating_sub(2)..i].contains(&b'%'))
        .collect();
    if positions.is_empty() {
        return None;
    }
    let at = positions[index.index(positions.len())];
    let mut changed = bytes.to_vec();
    changed[at] = if bytes[at] == b'z' {
        b'y'
    } else if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    String::from_utf8(changed).ok()
}

#[derive(Debug, Clone, Copy)]
enum Part {
    Method,
    Path,
    Query,
    HeaderValue,
    Body,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_signed_request_verifies_and_any_single_change_breaks_it(
        request in request(),
        part in prop::sample::select(vec![Part::Method, Part::Path, Part::Query, Part::HeaderValue, Part::Body]),
        index in any::<prop::sample::Index>(),
        byte in 1u8..=255,
    ) {
        let mut sent = send(&request);
        prop_assert!(verifies(&sent), "the untouched request verifies");

        match part {
            Part::Method => {
                sent.method = change_one_alphanumeric(&sent.method, index).expect("methods are letters");
            }
            Part::Path => {
                // A path of punctuation only (`/-`) has no letter to change: lengthen it instead.
                sent.path = change_one_alphanumeric(&sent.path, index)
                    .unwrap_or_else(|| format!("{}a", sent.path));
            }
            Part::Query => {
                let query = sent.query.clone().unwrap_or_default();
                // With no query, adding one is the single change.
                sent.query = Some(change_one_alphanumeric(&query, index).unwrap_or_else(|| "a=1".to_owned()));
            }
            Part::HeaderValue => {
                let signed: Vec<usize> = (0..sent.wire.headers.len())
                    .filter(|&i| !sent.wire.headers[i].0.eq_ignore_ascii_case("authorization"))
                    .collect();
                let (_, value) = &mut sent.wire.headers[signed[index.index(signed.len())]];
                *value = change_one_alphanumeric(value, index).expect("signed values have alphanumerics");
            }
            Part::Body => {
                if sent.body.is_empty() {
                    sent.body.push(byte);
                } else {
                    let at = index.index(sent.body.len());
                    sent.body[at] ^= byte;
                }
            }
        }
        prop_assert!(!verifies(&sent), "changing the {part:?} must break the signature");
    }
}

#[test]
fn a_path_of_punctuation_only_still_breaks_the_signature_when_changed() {
    // The shrunk case that made the property above panic instead of checking anything.
    let request = Request {
        method: "GET".to_owned(),
        path: "/-".to_owned(),
        query: Vec::new(),
        headers: vec![("x-amz-pay-host".to_owned(), "pay-api.amazon.com".to_owned())],
        body: Vec::new(),
        algorithm: Algorithm::AmznPayRsassaPss,
    };
    let mut sent = send(&request);
    assert!(verifies(&sent), "the untouched request verifies");

    sent.path = format!("{}a", sent.path);

    assert!(!verifies(&sent), "a longer path must break the signature");
}
