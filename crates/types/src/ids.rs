//! Lenient id newtypes (style rule 7, SDK side).
//!
//! Each id wraps the text Amazon returned and accepts any string: clients must treat ids as opaque,
//! and a server-side format change must not break old clients. The emulator validates formats itself
//! (design.md §4 "Ids") before wrapping them here.

id_type! {
    /// `checkoutSessionId`, e.g. `7efe55c3-38c7-4a1b-944d-aded27032b9a`.
    pub struct CheckoutSessionId;
}

id_type! {
    /// `chargePermissionId`, e.g. `S01-5105180-3221187` or `BA01-5105180-3221187`.
    pub struct ChargePermissionId;
}

id_type! {
    /// `chargeId`, e.g. `S01-5105180-3221187-C056351`.
    pub struct ChargeId;
}

id_type! {
    /// `refundId`, e.g. `S01-5105180-3221187-R022311`.
    pub struct RefundId;
}

id_type! {
    /// `buyerId`, e.g. `amzn1.account.` followed by 28 upper-case alphanumerics.
    pub struct BuyerId;
}

id_type! {
    /// The `buyerToken` a sign-in redirect carries, used with Get Buyer.
    pub struct BuyerToken;
}

id_type! {
    /// `storeId`: the Login with Amazon client id, `amzn1.application-oa2-client.` + 32 hex.
    pub struct StoreId;
}

id_type! {
    /// Merchant id, e.g. `A11TDGUOI15DHQ`.
    pub struct MerchantId;
}
