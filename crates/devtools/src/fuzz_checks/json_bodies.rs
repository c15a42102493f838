//! The `json_bodies` target.

use std::fmt::Debug;

use amzpay_types::{
    Buyer, CancelChargeRequest, CaptureChargeRequest, Charge, ChargePermission, CheckoutSession,
    CloseChargePermissionRequest, CompleteCheckoutSessionRequest, CreateChargeRequest,
    CreateCheckoutSessionRequest, CreateDeliveryTrackerRequest, CreateRefundRequest,
    DeliveryTracker, ErrorResponse, FinalizeCheckoutSessionRequest, Price, Refund, Timestamp,
    UpdateChargePermissionRequest, UpdateCheckoutSessionRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The JSON body parsers of `amzpay-types`.
///
/// The input is given, unchanged, to `serde_json::from_slice` for every request body type, every
/// response object, [`ErrorResponse`], [`Price`] and [`Timestamp`]. Properties, for each type:
/// - parsing never panics;
/// - a value that parses serializes, parses back to an equal value, and serializes to the same
///   bytes again (catches asymmetric serializers and deserializers);
/// - when the input also parses as a `serde_json::Value`, going through the `Value`
///   (`from_value`) gives the same result as parsing directly, whenever both succeed (the `Value`
///   path visits numbers differently, which matters to amounts).
pub fn check_json_bodies(data: &[u8]) {
    let value: Option<serde_json::Value> = serde_json::from_slice(data).ok();
    let value = value.as_ref();
    round_trip::<CreateCheckoutSessionRequest>(data, value);
    round_trip::<UpdateCheckoutSessionRequest>(data, value);
    round_trip::<CompleteCheckoutSessionRequest>(data, value);
    round_trip::<FinalizeCheckoutSessionRequest>(data, value);
    round_trip::<CreateChargeRequest>(data, value);
    round_trip::<CaptureChargeRequest>(data, value);
    round_trip::<CancelChargeRequest>(data, value);
    round_trip::<CreateRefundRequest>(data, value);
    round_trip::<UpdateChargePermissionRequest>(data, value);
    round_trip::<CloseChargePermissionRequest>(data, value);
    round_trip::<CreateDeliveryTrackerRequest>(data, value);
    round_trip::<CheckoutSession>(data, value);
    round_trip::<Charge>(data, value);
    round_trip::<ChargePermission>(data, value);
    round_trip::<Refund>(data, value);
    round_trip::<Buyer>(data, value);
    round_trip::<DeliveryTracker>(data, value);
    round_trip::<ErrorResponse>(data, value);
    round_trip::<Price>(data, value);
    round_trip::<Timestamp>(data, value);
}

fn round_trip<T>(data: &[u8], value: Option<&serde_json::Value>)
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let name = std::any::type_name::<T>();
    let direct = serde_json::from_slice::<T>(data);
    if let (Ok(direct), Some(Ok(via_value))) = (
        &direct,
        value.map(|v| serde_json::from_value::<T>(v.clone())),
    ) {
        assert_eq!(
            &via_value, direct,
            "{name}: parsing through serde_json::Value differs"
        );
    }
    let Ok(parsed) = direct else { return };
    let json = serde_json::to_string(&parsed)
        .unwrap_or_else(|e| panic!("{name}: {parsed:?} does not serialize: {e}"));
    let reparsed: T = serde_json::from_str(&json).unwrap_or_else(|e| {
        panic!("{name}: its own output does not parse: {e}\noutput: {json}\nvalue: {parsed:?}")
    });
    assert_eq!(
        reparsed, parsed,
        "{name}: serialize then parse changed the value\noutput: {json}"
    );
    let again = serde_json::to_string(&reparsed).expect("serializes");
    assert_eq!(again, json, "{name}: serialization is not a fixed point");
}
