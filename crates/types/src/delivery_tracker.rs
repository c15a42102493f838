//! [`DeliveryTracker`]: the response of Create Delivery Tracker.

use serde::{Deserialize, Serialize};

use crate::ids::ChargePermissionId;

/// The response of Create Delivery Tracker (spec §2.19): the request echoed back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryTracker {
    /// `chargePermissionId`.
    pub charge_permission_id: Option<ChargePermissionId>,
    /// `amazonOrderReferenceId`: the v1 alternative to `chargePermissionId`.
    pub amazon_order_reference_id: Option<String>,
    /// `deliveryDetails`.
    pub delivery_details: Option<Vec<DeliveryDetail>>,
}

/// One shipment in `deliveryDetails` (spec §2.19).
///
/// Shared by the request and the response, so it is lenient: unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDetail {
    /// `trackingNumber`: usable once.
    pub tracking_number: String,
    /// `carrierCode`: from Amazon's carrier list, e.g. `UPS`.
    pub carrier_code: String,
}

impl DeliveryDetail {
    /// `{trackingNumber, carrierCode}`.
    pub fn new(tracking_number: impl Into<String>, carrier_code: impl Into<String>) -> Self {
        Self {
            tracking_number: tracking_number.into(),
            carrier_code: carrier_code.into(),
        }
    }
}
