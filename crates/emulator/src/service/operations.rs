//! [`ApiOperation`]: every operation of Amazon's API the emulator serves, named as in Amazon's
//! documentation, and found from a request's method and (normalized) path.
//!
//! The core's `Operation` names only the operations that take simulation codes; fault rules and
//! throttling need every operation, and they need it before a handler runs, so the names live
//! here, beside the one place that decides them (`service::faults`).

/// An operation of Amazon Pay's API (closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ApiOperation {
    CreateCheckoutSession,
    GetCheckoutSession,
    UpdateCheckoutSession,
    CompleteCheckoutSession,
    FinalizeCheckoutSession,
    GetChargePermission,
    UpdateChargePermission,
    CloseChargePermission,
    CreateCharge,
    GetCharge,
    CaptureCharge,
    CancelCharge,
    CreateRefund,
    GetRefund,
    CreateDeliveryTracker,
    GetBuyer,
}

impl ApiOperation {
    /// Every operation.
    pub(crate) const ALL: [ApiOperation; 16] = [
        ApiOperation::CreateCheckoutSession,
        ApiOperation::GetCheckoutSession,
        ApiOperation::UpdateCheckoutSession,
        ApiOperation::CompleteCheckoutSession,
        ApiOperation::FinalizeCheckoutSession,
        ApiOperation::GetChargePermission,
        ApiOperation::UpdateChargePermission,
        ApiOperation::CloseChargePermission,
        ApiOperation::CreateCharge,
        ApiOperation::GetCharge,
        ApiOperation::CaptureCharge,
        ApiOperation::CancelCharge,
        ApiOperation::CreateRefund,
        ApiOperation::GetRefund,
        ApiOperation::CreateDeliveryTracker,
        ApiOperation::GetBuyer,
    ];

    /// The name in Amazon's documentation, without spaces (`CompleteCheckoutSession`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            ApiOperation::CreateCheckoutSession => "CreateCheckoutSession",
            ApiOperation::GetCheckoutSession => "GetCheckoutSession",
            ApiOperation::UpdateCheckoutSession => "UpdateCheckoutSession",
            ApiOperation::CompleteCheckoutSession => "CompleteCheckoutSession",
            ApiOperation::FinalizeCheckoutSession => "FinalizeCheckoutSession",
            ApiOperation::GetChargePermission => "GetChargePermission",
            ApiOperation::UpdateChargePermission => "UpdateChargePermission",
            ApiOperation::CloseChargePermission => "CloseChargePermission",
            ApiOperation::CreateCharge => "CreateCharge",
            ApiOperation::GetCharge => "GetCharge",
            ApiOperation::CaptureCharge => "CaptureCharge",
            ApiOperation::CancelCharge => "CancelCharge",
            ApiOperation::CreateRefund => "CreateRefund",
            ApiOperation::GetRefund => "GetRefund",
            ApiOperation::CreateDeliveryTracker => "CreateDeliveryTracker",
            ApiOperation::GetBuyer => "GetBuyer",
        }
    }

    /// The operation named `name`, with or without spaces, in any case
    /// (`Complete Checkout Session`, `completecheckoutsession`).
    pub(crate) fn parse(name: &str) -> Option<ApiOperation> {
        let wanted: String = name
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        ApiOperation::ALL
            .into_iter()
            .find(|op| op.name().to_ascii_lowercase() == wanted)
    }

    /// The operation a request is for, from its method and its normalized path (`/v2/...`,
    /// without a trailing slash); `None` for anything else.
    pub(crate) fn of_request(method: &str, path: &str) -> Option<ApiOperation> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let op = match (method, segments.as_slice()) {
            ("POST", ["v2", "checkoutSessions"]) => ApiOperation::CreateCheckoutSession,
            ("GET", ["v2", "checkoutSessions", _]) => ApiOperation::GetCheckoutSession,
            ("PATCH", ["v2", "checkoutSessions", _]) => ApiOperation::UpdateCheckoutSession,
            ("POST", ["v2", "checkoutSessions", _, "complete"]) => {
                ApiOperation::CompleteCheckoutSession
            }
            ("POST", ["v2", "checkoutSessions", _, "finalize"]) => {
                ApiOperation::FinalizeCheckoutSession
            }
            ("GET", ["v2", "chargePermissions", _]) => ApiOperation::GetChargePermission,
            ("PATCH", ["v2", "chargePermissions", _]) => ApiOperation::UpdateChargePermission,
            ("DELETE", ["v2", "chargePermissions", _, "close"]) => {
                ApiOperation::CloseChargePermission
            }
            ("POST", ["v2", "charges"]) => ApiOperation::CreateCharge,
            ("GET", ["v2", "charges", _]) => ApiOperation::GetCharge,
            ("POST", ["v2", "charges", _, "capture"]) => ApiOperation::CaptureCharge,
            ("DELETE", ["v2", "charges", _, "cancel"]) => ApiOperation::CancelCharge,
            ("POST", ["v2", "refunds"]) => ApiOperation::CreateRefund,
            ("GET", ["v2", "refunds", _]) => ApiOperation::GetRefund,
            ("POST", ["v2", "deliveryTrackers"]) => ApiOperation::CreateDeliveryTracker,
            ("GET", ["v2", "buyers", _]) => ApiOperation::GetBuyer,
            _ => return None,
        };
        Some(op)
    }
}

#[cfg(test)]
mod tests {
    use super::ApiOperation;

    #[test]
    fn every_operation_parses_from_its_name_with_or_without_spaces() {
        for op in ApiOperation::ALL {
            assert_eq!(ApiOperation::parse(op.name()), Some(op));
        }
        assert_eq!(
            ApiOperation::parse("Complete Checkout Session"),
            Some(ApiOperation::CompleteCheckoutSession)
        );
        assert_eq!(ApiOperation::parse("Authorize"), None);
    }

    #[test]
    fn requests_map_to_their_operation() {
        let cases = [
            (
                "POST",
                "/v2/checkoutSessions",
                Some("CreateCheckoutSession"),
            ),
            (
                "POST",
                "/v2/checkoutSessions/x/complete",
                Some("CompleteCheckoutSession"),
            ),
            ("DELETE", "/v2/charges/x/cancel", Some("CancelCharge")),
            ("GET", "/v2/buyers/t", Some("GetBuyer")),
            ("PUT", "/v2/charges", None),
            ("GET", "/__admin/merchants", None),
        ];
        for (method, path, want) in cases {
            let got = ApiOperation::of_request(method, path).map(ApiOperation::name);
            assert_eq!(got, want, "{method} {path}");
        }
    }
}
