//! The stored form of a [`Checkout`]: one JSON document per aggregate.
//!
//! These row types mirror the domain by hand (domain types never derive serde). The document is
//! versioned by `v`; enums are stored as their wire strings and money as integer minor units.
//! Decoding validates ids and enum values, so a corrupt row surfaces as
//! [`StoreError::Corrupt`](crate::StoreError::Corrupt) instead of a panic.

//!
//! The module splits by part of the aggregate: this file has the document, its shared pieces
//! (money, addresses, buyers, metadata) and [`stored_names`]; `session` the Checkout Session,
//! `payments` the Charge Permission, Charges and Refunds.
//!
//! Every enum is written with exhaustive `match`es in both directions (or a serde-derived name
//! enum, or [`stored_names`]), so a new variant of a domain enum fails to compile here until it
//! has a stored form.

/// Writes a pair of functions that name the values of a domain type in stored documents and read
/// them back, from one list of `"name" => (value)` rows. The naming function is an exhaustive
/// `match`, so a new variant of the domain type fails to compile until it has a row, and the
/// reading function is generated from the same rows, so the two cannot disagree.
macro_rules! stored_names {
    (
        $(#[$doc:meta])*
        $ty:ty: $name:ident, $parse:ident {
            $($text:literal => ($($value:tt)+),)+
        }
    ) => {
        $(#[$doc])*
        fn $name(value: $ty) -> &'static str {
            match value {
                $($($value)+ => $text,)+
            }
        }

        /// Reads a name written by the naming function of the same list.
        fn $parse(text: &str) -> Option<$ty> {
            match text {
                $($text => Some($($value)+),)+
                _ => None,
            }
        }
    };
}

mod payments;
mod session;

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::ids::{BuyerId, MerchantId};
use amzpay_emulator_core::model::{
    Address, Buyer, DeliveryTracker, Environment, Frequency, FrequencyUnit, MerchantMetadata,
    RecurringMetadata, Region,
};
use amzpay_emulator_core::{Currency, Money, Timestamp};
use serde::{Deserialize, Serialize};

use self::payments::{ChargeRow, PermissionRow, RefundRow};
use self::session::SessionRow;
use crate::StoreError;

const VERSION: u32 = 1;

type R<T> = Result<T, StoreError>;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} {value:?} in a stored checkout"))
}

fn parse<T>(what: &str, value: &str, f: impl Fn(&str) -> Option<T>) -> R<T> {
    f(value).ok_or_else(|| corrupt(what, value))
}

#[derive(Serialize, Deserialize)]
struct MoneyRow {
    m: i64,
    c: String,
}

impl From<Money> for MoneyRow {
    fn from(m: Money) -> Self {
        MoneyRow {
            m: m.minor(),
            c: m.currency().code().to_owned(),
        }
    }
}

impl MoneyRow {
    fn into_domain(self) -> R<Money> {
        let c = parse("currency", &self.c, Currency::parse)?;
        Ok(Money::from_minor(self.m, c))
    }
}

fn money_opt(m: Option<MoneyRow>) -> R<Option<Money>> {
    m.map(MoneyRow::into_domain).transpose()
}

fn ts(t: i64) -> Timestamp {
    Timestamp::from_unix(t)
}

#[derive(Serialize, Deserialize, Default)]
struct AddressRow {
    name: Option<String>,
    l1: Option<String>,
    l2: Option<String>,
    l3: Option<String>,
    city: Option<String>,
    county: Option<String>,
    district: Option<String>,
    state: Option<String>,
    postal: Option<String>,
    country: Option<String>,
    phone: Option<String>,
}

impl From<&Address> for AddressRow {
    fn from(a: &Address) -> Self {
        AddressRow {
            name: a.name.clone(),
            l1: a.address_line1.clone(),
            l2: a.address_line2.clone(),
            l3: a.address_line3.clone(),
            city: a.city.clone(),
            county: a.county.clone(),
            district: a.district.clone(),
            state: a.state_or_region.clone(),
            postal: a.postal_code.clone(),
            country: a.country_code.clone(),
            phone: a.phone_number.clone(),
        }
    }
}

impl From<AddressRow> for Address {
    fn from(a: AddressRow) -> Self {
        Address {
            name: a.name,
            address_line1: a.l1,
            address_line2: a.l2,
            address_line3: a.l3,
            city: a.city,
            county: a.county,
            district: a.district,
            state_or_region: a.state,
            postal_code: a.postal,
            country_code: a.country,
            phone_number: a.phone,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct BuyerRow {
    id: String,
    name: String,
    email: String,
    phone: Option<String>,
}

impl From<&Buyer> for BuyerRow {
    fn from(b: &Buyer) -> Self {
        BuyerRow {
            id: b.buyer_id.to_string(),
            name: b.name.clone(),
            email: b.email.clone(),
            phone: b.phone_number.clone(),
        }
    }
}

impl BuyerRow {
    fn into_domain(self) -> R<Buyer> {
        Ok(Buyer {
            buyer_id: parse("buyer id", &self.id, BuyerId::parse)?,
            name: self.name,
            email: self.email,
            phone_number: self.phone,
        })
    }
}

#[derive(Serialize, Deserialize, Default)]
struct MetadataRow {
    reference: Option<String>,
    store_name: Option<String>,
    note: Option<String>,
    custom: Option<String>,
}

impl From<&MerchantMetadata> for MetadataRow {
    fn from(m: &MerchantMetadata) -> Self {
        MetadataRow {
            reference: m.merchant_reference_id.clone(),
            store_name: m.merchant_store_name.clone(),
            note: m.note_to_buyer.clone(),
            custom: m.custom_information.clone(),
        }
    }
}

impl From<MetadataRow> for MerchantMetadata {
    fn from(m: MetadataRow) -> Self {
        MerchantMetadata {
            merchant_reference_id: m.reference,
            merchant_store_name: m.store_name,
            note_to_buyer: m.note,
            custom_information: m.custom,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct RecurringRow {
    unit: Option<String>,
    value: Option<String>,
    amount: Option<MoneyRow>,
}

impl From<&RecurringMetadata> for RecurringRow {
    fn from(r: &RecurringMetadata) -> Self {
        RecurringRow {
            unit: r.frequency.as_ref().map(|f| f.unit.as_str().to_owned()),
            value: r.frequency.as_ref().map(|f| f.value.clone()),
            amount: r.amount.map(MoneyRow::from),
        }
    }
}

impl RecurringRow {
    fn into_domain(self) -> R<RecurringMetadata> {
        let frequency = match (self.unit, self.value) {
            (Some(u), Some(value)) => Some(Frequency {
                unit: parse("frequency unit", &u, FrequencyUnit::parse)?,
                value,
            }),
            _ => None,
        };
        Ok(RecurringMetadata {
            frequency,
            amount: money_opt(self.amount)?,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CheckoutRow {
    v: u32,
    merchant_id: String,
    environment: String,
    region: String,
    session: SessionRow,
    permission: Option<PermissionRow>,
    charges: Vec<ChargeRow>,
    refunds: Vec<RefundRow>,
    #[serde(default)]
    trackers: Vec<TrackerRow>,
}

#[derive(Serialize, Deserialize)]
struct TrackerRow {
    number: String,
    carrier: String,
    at: i64,
}

/// Encodes a checkout as its stored JSON document.
pub(crate) fn encode(c: &Checkout) -> String {
    let row = CheckoutRow {
        v: VERSION,
        merchant_id: c.merchant_id.to_string(),
        environment: c.environment.as_str().to_owned(),
        region: c.region.as_str().to_owned(),
        session: (&c.session).into(),
        permission: c.permission.as_ref().map(PermissionRow::from),
        charges: c.charges.iter().map(ChargeRow::from).collect(),
        refunds: c.refunds.iter().map(RefundRow::from).collect(),
        trackers: c
            .delivery_trackers
            .iter()
            .map(|t| TrackerRow {
                number: t.tracking_number.clone(),
                carrier: t.carrier_code.clone(),
                at: t.created_at.unix(),
            })
            .collect(),
    };
    // Serializing plain structs of strings and numbers into a String cannot fail.
    serde_json::to_string(&row).unwrap_or_default()
}

/// Decodes a stored JSON document.
pub(crate) fn decode(text: &str) -> R<Checkout> {
    let row: CheckoutRow = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("undecodable checkout document: {e}")))?;
    if row.v != VERSION {
        return Err(StoreError::Corrupt(format!(
            "checkout document version {} is not {VERSION}",
            row.v
        )));
    }
    Ok(Checkout {
        merchant_id: parse("merchant id", &row.merchant_id, MerchantId::parse)?,
        environment: parse("environment", &row.environment, Environment::parse)?,
        region: parse("region", &row.region, Region::parse)?,
        session: row.session.into_domain()?,
        permission: row.permission.map(PermissionRow::into_domain).transpose()?,
        charges: row
            .charges
            .into_iter()
            .map(ChargeRow::into_domain)
            .collect::<R<_>>()?,
        refunds: row
            .refunds
            .into_iter()
            .map(RefundRow::into_domain)
            .collect::<R<_>>()?,
        delivery_trackers: row
            .trackers
            .into_iter()
            .map(|t| DeliveryTracker {
                tracking_number: t.number,
                carrier_code: t.carrier,
                created_at: ts(t.at),
            })
            .collect(),
    })
}
