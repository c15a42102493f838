//! `docs/openapi.json` is written by hand (ARCHITECTURE.md says why); these tests keep it true
//! to the wire types:
//! - every object schema has exactly the fields serde reads for its type (the field list is
//!   taken from the type's own `Deserialize`, see [`fields`]), and no object schema goes
//!   unchecked;
//! - every enum schema lists exactly the type's known values;
//! - a response object requires every key (the types write every key, `null` when unset);
//! - every example reads as its type, and a response example is exactly what the type writes;
//! - every `/v2/...` operation has its `/{environment}/v2/...` twin.

use std::collections::BTreeSet;
use std::fmt;

use amzpay_types::*;
use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::Value;

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The error that ends a [`FieldNames`] run once the field list is known.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stop")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

/// A deserializer that reads nothing: it records the field names a derived `Deserialize` passes
/// to `deserialize_struct`, which are exactly the JSON keys the type reads (renames applied).
struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = Some(fields);
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The JSON keys `T` reads.
fn fields<T: for<'de> Deserialize<'de>>() -> BTreeSet<String> {
    let mut names = None;
    let _ = T::deserialize(FieldNames(&mut names));
    names
        .expect("a struct with named fields")
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

fn known<T: AsRef<str>>(values: &[T]) -> BTreeSet<String> {
    values.iter().map(|v| v.as_ref().to_owned()).collect()
}

/// Every object schema of the document and the type it describes.
fn object_schemas() -> Vec<(&'static str, BTreeSet<String>)> {
    vec![
        // Responses and their parts.
        ("CheckoutSession", fields::<CheckoutSession>()),
        ("ChargePermission", fields::<ChargePermission>()),
        ("Charge", fields::<Charge>()),
        ("Refund", fields::<Refund>()),
        ("Buyer", fields::<Buyer>()),
        ("DeliveryTracker", fields::<DeliveryTracker>()),
        ("ErrorResponse", fields::<ErrorResponse>()),
        ("Address", fields::<Address>()),
        ("BuyerDetails", fields::<BuyerDetails>()),
        ("WebCheckoutDetails", fields::<WebCheckoutDetails>()),
        ("PaymentDetails", fields::<PaymentDetails>()),
        ("MerchantMetadata", fields::<MerchantMetadata>()),
        (
            "CheckoutSessionStatusDetails",
            fields::<CheckoutSessionStatusDetails>(),
        ),
        ("ChargeStatusDetails", fields::<ChargeStatusDetails>()),
        ("RefundStatusDetails", fields::<RefundStatusDetails>()),
        (
            "ChargePermissionStatusDetails",
            fields::<ChargePermissionStatusDetails>(),
        ),
        ("StatusReason", fields::<StatusReason>()),
        ("RecurringMetadata", fields::<RecurringMetadata>()),
        ("Frequency", fields::<Frequency>()),
        (
            "PaymentMethodOnFileMetadata",
            fields::<PaymentMethodOnFileMetadata>(),
        ),
        ("Constraint", fields::<Constraint>()),
        ("DeliverySpecifications", fields::<DeliverySpecifications>()),
        ("AddressRestrictions", fields::<AddressRestrictions>()),
        ("Restriction", fields::<Restriction>()),
        ("Limits", fields::<Limits>()),
        ("PaymentPreference", fields::<PaymentPreference>()),
        ("ProviderMetadata", fields::<ProviderMetadata>()),
        ("DeliveryDetail", fields::<DeliveryDetail>()),
        ("Price", fields::<Price>()),
        // Requests and their parts.
        ("PriceInput", fields::<Price>()),
        (
            "DeliverySpecificationsInput",
            fields::<DeliverySpecifications>(),
        ),
        (
            "WebCheckoutDetailsInput",
            fields::<WebCheckoutDetailsInput>(),
        ),
        ("PaymentDetailsInput", fields::<PaymentDetailsInput>()),
        ("MerchantMetadataInput", fields::<MerchantMetadataInput>()),
        ("RecurringMetadataInput", fields::<RecurringMetadataInput>()),
        ("FrequencyInput", fields::<FrequencyInput>()),
        ("ProviderMetadataInput", fields::<ProviderMetadataInput>()),
        (
            "PaymentMethodOnFileMetadataInput",
            fields::<PaymentMethodOnFileMetadataInput>(),
        ),
        ("AddressDetails", fields::<AddressDetails>()),
        ("AddressInput", fields::<AddressInput>()),
        (
            "MultiAddressCheckoutMetadata",
            fields::<MultiAddressCheckoutMetadata>(),
        ),
        (
            "CreateCheckoutSessionRequest",
            fields::<CreateCheckoutSessionRequest>(),
        ),
        (
            "UpdateCheckoutSessionRequest",
            fields::<UpdateCheckoutSessionRequest>(),
        ),
        (
            "CompleteCheckoutSessionRequest",
            fields::<CompleteCheckoutSessionRequest>(),
        ),
        (
            "FinalizeCheckoutSessionRequest",
            fields::<FinalizeCheckoutSessionRequest>(),
        ),
        (
            "UpdateChargePermissionRequest",
            fields::<UpdateChargePermissionRequest>(),
        ),
        (
            "CloseChargePermissionRequest",
            fields::<CloseChargePermissionRequest>(),
        ),
        ("CreateChargeRequest", fields::<CreateChargeRequest>()),
        ("CaptureChargeRequest", fields::<CaptureChargeRequest>()),
        ("CancelChargeRequest", fields::<CancelChargeRequest>()),
        ("CreateRefundRequest", fields::<CreateRefundRequest>()),
        (
            "CreateDeliveryTrackerRequest",
            fields::<CreateDeliveryTrackerRequest>(),
        ),
    ]
}

/// Response objects: the types write every one of their keys.
const RESPONSES: &[&str] = &[
    "CheckoutSession",
    "ChargePermission",
    "Charge",
    "Refund",
    "Buyer",
    "DeliveryTracker",
    "Address",
    "BuyerDetails",
    "WebCheckoutDetails",
    "PaymentDetails",
    "MerchantMetadata",
    "CheckoutSessionStatusDetails",
    "ChargeStatusDetails",
    "RefundStatusDetails",
    "ChargePermissionStatusDetails",
    "StatusReason",
    "RecurringMetadata",
    "Frequency",
    "PaymentMethodOnFileMetadata",
    "Constraint",
    "Limits",
    "PaymentPreference",
    "ProviderMetadata",
];

fn enum_schemas() -> Vec<(&'static str, BTreeSet<String>)> {
    let mut errors = known(ApiErrorCode::KNOWN);
    // The emulator's own code for an oversized body (docs/fidelity.md); the SDK reads it as
    // `Unknown`.
    errors.insert("RequestEntityTooLarge".to_owned());
    vec![
        ("Currency", known(Currency::KNOWN)),
        ("CheckoutSessionState", known(CheckoutSessionState::KNOWN)),
        ("ChargePermissionState", known(ChargePermissionState::KNOWN)),
        ("ChargeState", known(ChargeState::KNOWN)),
        ("RefundState", known(RefundState::KNOWN)),
        ("ReasonCode", known(ReasonCode::KNOWN)),
        ("PaymentIntent", known(PaymentIntent::KNOWN)),
        ("ChargePermissionType", known(ChargePermissionType::KNOWN)),
        ("ProductType", known(ProductType::KNOWN)),
        ("ConstraintId", known(ConstraintId::KNOWN)),
        ("FrequencyUnit", known(FrequencyUnit::KNOWN)),
        ("ReleaseEnvironment", known(ReleaseEnvironment::KNOWN)),
        ("ChargeInitiator", known(ChargeInitiator::KNOWN)),
        ("Channel", known(Channel::KNOWN)),
        ("CheckoutMode", known(CheckoutMode::KNOWN)),
        ("Scope", known(Scope::KNOWN)),
        ("SpecialRestriction", known(SpecialRestriction::KNOWN)),
        (
            "AddressRestrictionType",
            known(AddressRestrictionType::KNOWN),
        ),
        ("ApiErrorCode", errors),
    ]
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_object_schema_has_exactly_the_fields_of_its_type() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let checked = object_schemas();
    for (name, fields) in &checked {
        let schema = &schemas[*name];
        assert_eq!(&keys(&schema["properties"]), fields, "schema {name}");
        let required: BTreeSet<String> = schema["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        assert!(
            required.is_subset(fields),
            "schema {name} requires {required:?}"
        );
        if RESPONSES.contains(name) {
            assert_eq!(
                &required, fields,
                "response schema {name} requires every key"
            );
        }
    }
    let objects: BTreeSet<String> = schemas
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, s)| s["type"] == "object")
        .map(|(n, _)| n.clone())
        .collect();
    let names: BTreeSet<String> = checked.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(objects, names, "object schemas without a type to check");
}

#[test]
fn every_enum_schema_lists_exactly_the_known_values() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    for (name, values) in enum_schemas() {
        let listed: BTreeSet<String> = schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not an enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(listed, values, "enum {name}");
    }
}

/// Reads an example as `T`; a response example must also be exactly what `T` writes.
fn check_example<T>(name: &str, value: &Value, response: bool)
where
    T: for<'de> Deserialize<'de> + Serialize,
{
    let parsed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("example {name} does not read: {e}"));
    if response {
        assert_eq!(
            &serde_json::to_value(&parsed).unwrap(),
            value,
            "example {name} is not what the type writes"
        );
    }
}

#[test]
fn every_example_reads_as_its_type_and_responses_round_trip() {
    let doc = document();
    let examples = doc["components"]["examples"].as_object().unwrap();
    for (name, example) in examples {
        let value = &example["value"];
        match name.as_str() {
            "OpenCheckoutSession" | "CompletedCheckoutSession" => {
                check_example::<CheckoutSession>(name, value, true)
            }
            "ChargePermission" | "ClosedChargePermission" => {
                check_example::<ChargePermission>(name, value, true)
            }
            "AuthorizedCharge" | "CapturedCharge" | "CanceledCharge" => {
                check_example::<Charge>(name, value, true)
            }
            "Refund" => check_example::<Refund>(name, value, true),
            "Buyer" => check_example::<Buyer>(name, value, true),
            "DeliveryTracker" => check_example::<DeliveryTracker>(name, value, true),
            "CreateCheckoutSession" => {
                check_example::<CreateCheckoutSessionRequest>(name, value, false)
            }
            "UpdateCheckoutSession" => {
                check_example::<UpdateCheckoutSessionRequest>(name, value, false)
            }
            "CompleteCheckoutSession" => {
                check_example::<CompleteCheckoutSessionRequest>(name, value, false)
            }
            "FinalizeCheckoutSession" => {
                check_example::<FinalizeCheckoutSessionRequest>(name, value, false)
            }
            "UpdateChargePermission" => {
                check_example::<UpdateChargePermissionRequest>(name, value, false)
            }
            "CloseChargePermission" => {
                check_example::<CloseChargePermissionRequest>(name, value, false)
            }
            "CreateCharge" => check_example::<CreateChargeRequest>(name, value, false),
            "CaptureCharge" => check_example::<CaptureChargeRequest>(name, value, false),
            "CancelCharge" => check_example::<CancelChargeRequest>(name, value, false),
            "CreateRefund" => check_example::<CreateRefundRequest>(name, value, false),
            "CreateDeliveryTracker" => {
                check_example::<CreateDeliveryTrackerRequest>(name, value, false)
            }
            other => panic!("example {other} has no type to check it with"),
        }
    }
    let error = &doc["components"]["schemas"]["ErrorResponse"]["examples"][0];
    check_example::<ErrorResponse>("ErrorResponse", error, true);
}

#[test]
fn every_operation_is_served_with_and_without_the_environment_in_the_path() {
    let doc = document();
    let paths = doc["paths"].as_object().unwrap();
    let plain: Vec<&String> = paths.keys().filter(|p| p.starts_with("/v2/")).collect();
    assert_eq!(
        plain.len() * 2,
        paths.len(),
        "every path is /v2 or its twin"
    );
    for path in plain {
        let twin = &paths[&format!("/{{environment}}{path}")];
        for (method, operation) in paths[path].as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap();
            assert_eq!(
                twin[method]["operationId"],
                format!("{id}WithEnvironment"),
                "{method} {path}"
            );
            assert_eq!(
                twin[method]["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .collect::<Vec<_>>(),
                operation["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .collect::<Vec<_>>(),
                "{method} {path}: the same statuses"
            );
            assert_eq!(
                twin[method]["requestBody"], operation["requestBody"],
                "{method} {path}"
            );
        }
    }
}
