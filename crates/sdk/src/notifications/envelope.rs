//! The Amazon SNS envelope around every notification, and the string its signature covers.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::{ParseError, ParsePart};
use super::message::Notification;

/// The envelope's `Type`. Unknown values are kept verbatim, so that the exact text can be
/// reported; such an envelope cannot be verified (its string to sign is not known).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// `"Notification"`: an Amazon Pay IPN.
    Notification,
    /// `"SubscriptionConfirmation"`: SNS asks the endpoint to confirm a subscription.
    SubscriptionConfirmation,
    /// `"UnsubscribeConfirmation"`: SNS confirms that the endpoint was unsubscribed.
    UnsubscribeConfirmation,
    /// A value this version of the crate does not know, kept verbatim.
    Unknown(String),
}

impl MessageType {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            MessageType::Notification => "Notification",
            MessageType::SubscriptionConfirmation => "SubscriptionConfirmation",
            MessageType::UnsubscribeConfirmation => "UnsubscribeConfirmation",
            MessageType::Unknown(other) => other,
        }
    }
}

impl From<String> for MessageType {
    fn from(s: String) -> MessageType {
        match s.as_str() {
            "Notification" => MessageType::Notification,
            "SubscriptionConfirmation" => MessageType::SubscriptionConfirmation,
            "UnsubscribeConfirmation" => MessageType::UnsubscribeConfirmation,
            _ => {
                tracing::warn!(value = %s, "unknown SNS message Type; kept as Unknown");
                MessageType::Unknown(s)
            }
        }
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body as sent. Every field is kept as the exact text received, because the signature
/// covers that text.
#[derive(Deserialize)]
struct WireEnvelope {
    #[serde(rename = "Type")]
    message_type: String,
    #[serde(rename = "MessageId")]
    message_id: String,
    #[serde(rename = "TopicArn")]
    topic_arn: String,
    #[serde(rename = "Subject", default)]
    subject: Option<String>,
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "Timestamp")]
    timestamp: String,
    #[serde(rename = "SignatureVersion")]
    signature_version: String,
    #[serde(rename = "Signature")]
    signature: String,
    // SNS deliveries through AWS Lambda spell the URL fields `...Url`; accept both.
    #[serde(rename = "SigningCertURL", alias = "SigningCertUrl")]
    signing_cert_url: String,
    #[serde(rename = "UnsubscribeURL", alias = "UnsubscribeUrl", default)]
    unsubscribe_url: Option<String>,
    #[serde(rename = "SubscribeURL", alias = "SubscribeUrl", default)]
    subscribe_url: Option<String>,
    #[serde(rename = "Token", default)]
    token: Option<String>,
}

/// An Amazon SNS message envelope: the body of every HTTPS POST that carries an Amazon Pay
/// notification. Parsing checks its shape only; [`Verifier`](super::Verifier) checks that Amazon
/// (or a host you trust) signed it.
///
/// The getters return the exact text received, which is what the signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    message_type: MessageType,
    message_id: String,
    topic_arn: String,
    subject: Option<String>,
    message: String,
    timestamp: OffsetDateTime,
    timestamp_text: String,
    signature_version: String,
    signature: String,
    signing_cert_url: String,
    unsubscribe_url: Option<String>,
    subscribe_url: Option<String>,
    token: Option<String>,
}

impl Envelope {
    /// Parses an HTTP body. Unknown fields are ignored; a missing required field, a field of the
    /// wrong type or a `Timestamp` that is not ISO 8601 is a [`ParseError`].
    pub fn parse(body: &str) -> Result<Envelope, ParseError> {
        let wire: WireEnvelope =
            serde_json::from_str(body).map_err(|e| ParseError::new(ParsePart::Envelope, e))?;
        let timestamp = OffsetDateTime::parse(&wire.timestamp, &Rfc3339)
            .map_err(|e| ParseError::new(ParsePart::Timestamp, e))?;
        Ok(Envelope {
            message_type: MessageType::from(wire.message_type),
            message_id: wire.message_id,
            topic_arn: wire.topic_arn,
            subject: wire.subject,
            message: wire.message,
            timestamp,
            timestamp_text: wire.timestamp,
            signature_version: wire.signature_version,
            signature: wire.signature,
            signing_cert_url: wire.signing_cert_url,
            unsubscribe_url: wire.unsubscribe_url,
            subscribe_url: wire.subscribe_url,
            token: wire.token,
        })
    }

    /// `Type`.
    pub fn message_type(&self) -> &MessageType {
        &self.message_type
    }

    /// `MessageId`: unique per message, and the same on every redelivery of it (use it to
    /// drop duplicates).
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// `TopicArn`.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// `Subject`, when present.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// `Message`: for an Amazon Pay IPN, a JSON document as a string (see
    /// [`notification`](Self::notification)).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `Timestamp`, parsed.
    pub fn timestamp(&self) -> OffsetDateTime {
        self.timestamp
    }

    /// `Timestamp` as received, e.g. `2026-11-30T00:00:00.000Z`.
    pub fn timestamp_text(&self) -> &str {
        &self.timestamp_text
    }

    /// `SignatureVersion`: `"1"` (SHA1withRSA) or `"2"` (SHA256withRSA).
    pub fn signature_version(&self) -> &str {
        &self.signature_version
    }

    /// `Signature`, base64.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// `SigningCertURL`: where the X.509 certificate whose key made the signature is served.
    pub fn signing_cert_url(&self) -> &str {
        &self.signing_cert_url
    }

    /// `UnsubscribeURL`, when present.
    pub fn unsubscribe_url(&self) -> Option<&str> {
        self.unsubscribe_url.as_deref()
    }

    /// `SubscribeURL` (subscription confirmations only).
    pub fn subscribe_url(&self) -> Option<&str> {
        self.subscribe_url.as_deref()
    }

    /// `Token` (subscription and unsubscribe confirmations only).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The Amazon Pay notification inside `Message`. This parses; it does not verify.
    pub fn notification(&self) -> Result<Notification, ParseError> {
        Notification::parse(&self.message)
    }

    /// The string the signature covers, as the AWS documentation defines it: for each signed
    /// field that is present, in this order, its name, a line feed, its value and a line feed.
    ///
    /// - `Notification`: `Message`, `MessageId`, `Subject` (if present), `Timestamp`,
    ///   `TopicArn`, `Type`;
    /// - `SubscriptionConfirmation` and `UnsubscribeConfirmation`: `Message`, `MessageId`,
    ///   `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type`.
    ///
    /// `None` for a `Type` this crate does not know.
    pub fn string_to_sign(&self) -> Option<String> {
        let fields: Vec<(&str, Option<&str>)> = match self.message_type {
            MessageType::Notification => vec![
                ("Message", Some(&self.message)),
                ("MessageId", Some(&self.message_id)),
                ("Subject", self.subject.as_deref()),
                ("Timestamp", Some(&self.timestamp_text)),
                ("TopicArn", Some(&self.topic_arn)),
                ("Type", Some(self.message_type.as_str())),
            ],
            MessageType::SubscriptionConfirmation | MessageType::UnsubscribeConfirmation => vec![
                ("Message", Some(&self.message)),
                ("MessageId", Some(&self.message_id)),
                ("SubscribeURL", self.subscribe_url.as_deref()),
                ("Timestamp", Some(&self.timestamp_text)),
                ("Token", self.token.as_deref()),
                ("TopicArn", Some(&self.topic_arn)),
                ("Type", Some(self.message_type.as_str())),
            ],
            MessageType::Unknown(_) => return None,
        };
        let mut out = String::new();
        for (name, value) in fields {
            if let Some(value) = value {
                out.push_str(name);
                out.push('\n');
                out.push_str(value);
                out.push('\n');
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(subject: Option<&str>) -> String {
        let mut value = serde_json::json!({
            "Type": "Notification",
            "MessageId": "m-1",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:A",
            "Message": "{\"a\":1}\nline",
            "Timestamp": "2026-11-30T00:00:00.000Z",
            "SignatureVersion": "2",
            "Signature": "AAAA",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        });
        if let Some(subject) = subject {
            value["Subject"] = subject.into();
        }
        value.to_string()
    }

    #[test]
    fn the_string_to_sign_of_a_notification_lists_the_fields_in_order_and_skips_an_absent_subject()
    {
        let envelope = Envelope::parse(&body(None)).unwrap();
        assert_eq!(
            envelope.string_to_sign().unwrap(),
            "Message\n{\"a\":1}\nline\nMessageId\nm-1\nTimestamp\n2026-11-30T00:00:00.000Z\n\
             TopicArn\narn:aws:sns:us-east-1:123456789012:A\nType\nNotification\n"
        );
        let envelope = Envelope::parse(&body(Some("S"))).unwrap();
        assert!(
            envelope
                .string_to_sign()
                .unwrap()
                .contains("MessageId\nm-1\nSubject\nS\nTimestamp\n")
        );
    }

    #[test]
    fn a_null_subject_is_an_absent_subject() {
        let mut value: serde_json::Value = serde_json::from_str(&body(None)).unwrap();
        value["Subject"] = serde_json::Value::Null;
        let envelope = Envelope::parse(&value.to_string()).unwrap();
        assert_eq!(envelope.subject(), None);
        assert!(!envelope.string_to_sign().unwrap().contains("Subject"));
    }

    #[test]
    fn a_subscription_confirmation_signs_its_url_and_token() {
        let mut value: serde_json::Value = serde_json::from_str(&body(None)).unwrap();
        value["Type"] = "SubscriptionConfirmation".into();
        value["SubscribeURL"] = "https://sns.example/confirm".into();
        value["Token"] = "tok".into();
        let envelope = Envelope::parse(&value.to_string()).unwrap();
        let text = envelope.string_to_sign().unwrap();
        assert!(
            text.contains("MessageId\nm-1\nSubscribeURL\nhttps://sns.example/confirm\nTimestamp\n")
        );
        assert!(text.contains("Token\ntok\nTopicArn\n"));
    }

    #[test]
    fn a_timestamp_that_is_not_iso_8601_does_not_parse() {
        let text = body(None).replace("2026-11-30T00:00:00.000Z", "yesterday");
        assert!(Envelope::parse(&text).is_err());
    }
}
