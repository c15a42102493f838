//! Ids are lenient, transparent strings.

use amzpay_types::{ChargeId, CheckoutSessionId};

#[test]
fn ids_accept_any_text_and_serialize_as_plain_strings() {
    let id: CheckoutSessionId = "not-a-uuid at all".parse().unwrap();

    assert_eq!(id.as_str(), "not-a-uuid at all");
    assert_eq!(id.to_string(), "not-a-uuid at all");
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        r#""not-a-uuid at all""#
    );
    assert_eq!(
        serde_json::from_str::<CheckoutSessionId>(r#""x""#).unwrap(),
        CheckoutSessionId::from("x")
    );
}

#[test]
fn an_id_unwraps_to_its_string() {
    let id = ChargeId::new("S01-5105180-3221187-C056351");

    assert_eq!(String::from(id.clone()), "S01-5105180-3221187-C056351");
    assert_eq!(id.into_string(), "S01-5105180-3221187-C056351");
}
