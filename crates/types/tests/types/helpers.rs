//! Shared helpers: JSON round trips and key-order checks.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses `json` as `T`, serializes it back, and returns both the value and the re-serialized JSON.
pub(crate) fn reserialize<T: DeserializeOwned + Serialize>(json: &str) -> (T, Value) {
    let parsed: T =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("parse failed: {e}\n{json}"));
    let written = serde_json::to_value(&parsed).expect("serialize");
    (parsed, written)
}

/// Parses `json` as `T` and asserts it re-serializes to the same JSON value.
pub(crate) fn assert_round_trip<T: DeserializeOwned + Serialize>(json: &str) -> T {
    round_trip(json).0
}

/// [`assert_round_trip`], and asserts that the keys are written in `order`.
pub(crate) fn assert_round_trip_in_order<T: DeserializeOwned + Serialize>(
    json: &str,
    order: &[&str],
) -> T {
    let (parsed, written) = round_trip(json);
    assert_eq!(keys(&written), order, "written key order");
    parsed
}

fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> (T, Value) {
    let (parsed, written) = reserialize::<T>(json);
    let original: Value = serde_json::from_str(json).expect("sample is JSON");
    assert_eq!(
        written, original,
        "re-serialized JSON differs from the sample"
    );
    (parsed, written)
}

/// The top-level keys of a JSON object, in order.
pub(crate) fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// The top-level keys of the JSON text, in the order written (`preserve_order` is on).
pub(crate) fn keys_of_text(json: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(json).expect("JSON");
    keys(&value).into_iter().map(str::to_owned).collect()
}

/// Either the compact JSON of a parsed `T` or the error message, for snapshot tables.
pub(crate) fn parse_outcome<T: DeserializeOwned + Serialize>(json: &str) -> String {
    match serde_json::from_str::<T>(json) {
        Ok(value) => serde_json::to_string(&value).expect("serialize"),
        Err(e) => format!("error: {e}"),
    }
}
