//! The Amazon Pay notification inside an SNS envelope's `Message`.

use serde::{Deserialize, Serialize};

use super::error::{ParseError, ParsePart};
use crate::types::{ChargeId, ChargePermissionId, RefundId};

/// Defines a forward-compatible wire enum, as `amzpay-types` does (style rule 9): unknown values
/// are kept in `Unknown(String)` and logged, never refused.
macro_rules! notification_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other,
                }
            }

            /// Whether this is a value the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                match s {
                    $( $wire => $name::$variant, )+
                    _ => $name::Unknown(s.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                let value = $name::from(s.as_str());
                if value.is_unknown() {
                    tracing::warn!(
                        enum_name = stringify!($name),
                        value = %s,
                        "unknown notification enum value; kept as Unknown"
                    );
                }
                Ok(value)
            }
        }
    };
}

notification_enum! {
    /// `ObjectType`: which kind of object changed.
    pub enum ObjectType {
        /// `CHARGE_PERMISSION`
        ChargePermission = "CHARGE_PERMISSION",
        /// `CHARGE`
        Charge = "CHARGE",
        /// `REFUND`
        Refund = "REFUND",
        /// `CHARGEBACK`
        Chargeback = "CHARGEBACK",
    }
}

notification_enum! {
    /// `NotificationType`: what changed.
    pub enum NotificationType {
        /// `STATE_CHANGE`: the object's state changed.
        StateChange = "STATE_CHANGE",
        /// `ATTRIBUTE_CHANGE`: another attribute changed.
        AttributeChange = "ATTRIBUTE_CHANGE",
    }
}

/// An Amazon Pay Instant Payment Notification: which object changed. It carries no state: read
/// the object (`get_charge`, `get_refund`, `get_charge_permission`) to learn the new one.
///
/// Serializes to, and parses from, the JSON that Amazon Pay puts in the envelope's `Message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notification {
    /// `MerchantID`: the merchant the notification is for.
    #[serde(rename = "MerchantID")]
    pub merchant_id: String,
    /// `ObjectType`.
    #[serde(rename = "ObjectType")]
    pub object_type: ObjectType,
    /// `ObjectId`: the id of the object that changed (a Charge Permission, Charge or Refund id,
    /// or a chargeback's id).
    #[serde(rename = "ObjectId")]
    pub object_id: String,
    /// `ChargePermissionId`: the Charge Permission the object belongs to.
    #[serde(
        rename = "ChargePermissionId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub charge_permission_id: Option<ChargePermissionId>,
    /// `NotificationType`.
    #[serde(rename = "NotificationType")]
    pub notification_type: NotificationType,
    /// `NotificationId`: random, for tracking only.
    #[serde(rename = "NotificationId")]
    pub notification_id: String,
    /// `NotificationVersion`, `"V2"` for Checkout v2 (not the API version).
    #[serde(
        rename = "NotificationVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_version: Option<String>,
}

impl Notification {
    /// Parses the JSON document of an envelope's `Message`. Unknown fields are ignored, and
    /// unknown `ObjectType` and `NotificationType` values are kept as `Unknown`.
    pub fn parse(message: &str) -> Result<Notification, ParseError> {
        serde_json::from_str(message).map_err(|e| ParseError::new(ParsePart::Message, e))
    }

    /// A notification, for tests and for code that sends notifications.
    pub fn new(
        merchant_id: impl Into<String>,
        object_type: ObjectType,
        object_id: impl Into<String>,
        notification_type: NotificationType,
        notification_id: impl Into<String>,
    ) -> Notification {
        Notification {
            merchant_id: merchant_id.into(),
            object_type,
            object_id: object_id.into(),
            charge_permission_id: None,
            notification_type,
            notification_id: notification_id.into(),
            notification_version: Some("V2".to_owned()),
        }
    }

    /// Sets `ChargePermissionId`.
    pub fn with_charge_permission_id(mut self, id: impl Into<ChargePermissionId>) -> Notification {
        self.charge_permission_id = Some(id.into());
        self
    }

    /// The changed Charge's id, when `ObjectType` is `CHARGE`.
    pub fn charge_id(&self) -> Option<ChargeId> {
        (self.object_type == ObjectType::Charge).then(|| ChargeId::new(&*self.object_id))
    }

    /// The changed Refund's id, when `ObjectType` is `REFUND`.
    pub fn refund_id(&self) -> Option<RefundId> {
        (self.object_type == ObjectType::Refund).then(|| RefundId::new(&*self.object_id))
    }

    /// The Charge Permission to read: `ObjectId` when the object is one, else
    /// `ChargePermissionId`.
    pub fn charge_permission(&self) -> Option<ChargePermissionId> {
        if self.object_type == ObjectType::ChargePermission {
            Some(ChargePermissionId::new(&*self.object_id))
        } else {
            self.charge_permission_id.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_round_trips_with_the_wire_names() {
        let text = r#"{"MerchantID":"M1","ObjectType":"CHARGE","ObjectId":"S01-1-1-C1","ChargePermissionId":"S01-1-1","NotificationType":"STATE_CHANGE","NotificationId":"n1","NotificationVersion":"V2"}"#;
        let notification = Notification::parse(text).unwrap();
        assert_eq!(notification.object_type, ObjectType::Charge);
        assert_eq!(notification.charge_id().unwrap().as_str(), "S01-1-1-C1");
        assert_eq!(notification.refund_id(), None);
        assert_eq!(
            notification.charge_permission().unwrap().as_str(),
            "S01-1-1"
        );
        assert_eq!(serde_json::to_string(&notification).unwrap(), text);
    }

    #[test]
    fn unknown_enum_values_are_kept_and_a_missing_required_field_is_an_error() {
        let text = r#"{"MerchantID":"M1","ObjectType":"DISPUTE","ObjectId":"x","NotificationType":"NEW_KIND","NotificationId":"n1"}"#;
        let notification = Notification::parse(text).unwrap();
        assert_eq!(
            notification.object_type,
            ObjectType::Unknown("DISPUTE".into())
        );
        assert_eq!(notification.notification_type.as_str(), "NEW_KIND");
        let error = Notification::parse(r#"{"MerchantID":"M1"}"#).unwrap_err();
        assert!(error.is_in_message());
    }
}
