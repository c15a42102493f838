//! Forward-compatible wire enums (spec §2, §3, §5).
//!
//! Every enum here is `#[non_exhaustive]`, ends with `Unknown(String)`, parses infallibly and
//! round-trips values it does not know. Match on the variants you act on and keep a `_` arm.
//!
//! Status reason codes share one enum, [`ReasonCode`], across Checkout Session, Charge Permission,
//! Charge and Refund: the four vocabularies overlap (`AmazonCanceled`, `BuyerCanceled`, `Expired`,
//! `Declined`, `AmazonRejected`...) and one enum keeps matching code simple. Which codes occur for
//! which object is documented on each variant.

wire_enum! {
    /// State of a Checkout Session (`statusDetails.state`, spec §3.1).
    pub enum CheckoutSessionState {
        /// The session can be updated and completed.
        Open = "Open",
        /// Complete or Finalize succeeded.
        Completed = "Completed",
        /// The buyer canceled, the payment was declined, Amazon canceled, or the session expired.
        Canceled = "Canceled",
    }
}

wire_enum! {
    /// State of a Charge Permission (`statusDetails.state`, spec §3.2).
    pub enum ChargePermissionState {
        /// Charges can be created.
        Chargeable = "Chargeable",
        /// Charges cannot be created for now; `statusDetails.reasons` says why.
        NonChargeable = "NonChargeable",
        /// Final: the permission is closed.
        Closed = "Closed",
    }
}

wire_enum! {
    /// State of a Charge (`statusDetails.state`, spec §3.3).
    pub enum ChargeState {
        /// Authorization is pending (asynchronous authorization).
        AuthorizationInitiated = "AuthorizationInitiated",
        /// Authorized and not yet captured.
        Authorized = "Authorized",
        /// Capture is pending (asynchronous capture).
        CaptureInitiated = "CaptureInitiated",
        /// Captured: funds will be transferred.
        Captured = "Captured",
        /// Canceled before capture.
        Canceled = "Canceled",
        /// Declined.
        Declined = "Declined",
    }
}

wire_enum! {
    /// State of a Refund (`statusDetails.state`, spec §3.4).
    pub enum RefundState {
        /// The refund is being processed (every refund starts here).
        RefundInitiated = "RefundInitiated",
        /// Final: refunded.
        Refunded = "Refunded",
        /// Final: declined.
        Declined = "Declined",
    }
}

wire_enum! {
    /// Reason code in `statusDetails` (Checkout Session, Charge, Refund) and in a Charge Permission's
    /// `statusDetails.reasons[]` (spec §3). One enum is shared by all four objects.
    pub enum ReasonCode {
        /// Checkout Session `Canceled`, Charge `Canceled`; v1 name of Charge Permission `BuyerClosed`.
        BuyerCanceled = "BuyerCanceled",
        /// Checkout Session `Canceled`: the payment was declined during the hosted step.
        Declined = "Declined",
        /// Checkout Session, Charge `Canceled` or Charge Permission `Closed`: Amazon canceled.
        AmazonCanceled = "AmazonCanceled",
        /// Checkout Session `Canceled` after 24 h; Charge Permission `Closed` at expiry.
        Expired = "Expired",
        /// Charge Permission `NonChargeable`: the previous charge was declined.
        PaymentMethodInvalid = "PaymentMethodInvalid",
        /// Charge Permission `NonChargeable`: the buyer deleted the instrument.
        PaymentMethodDeleted = "PaymentMethodDeleted",
        /// Charge Permission `NonChargeable`: the buyer deleted the instrument's billing address.
        BillingAddressDeleted = "BillingAddressDeleted",
        /// Charge Permission `NonChargeable`: the instrument expired.
        PaymentMethodExpired = "PaymentMethodExpired",
        /// Charge Permission `NonChargeable`: the instrument is not allowed for this permission.
        PaymentMethodNotAllowed = "PaymentMethodNotAllowed",
        /// Charge Permission `NonChargeable`: no instrument attached.
        PaymentMethodNotSet = "PaymentMethodNotSet",
        /// Charge Permission `NonChargeable`: a charge is in progress.
        ChargeInProgress = "ChargeInProgress",
        /// Charge Permission `NonChargeable`: the buyer did not pass multi-factor authentication.
        MfaFailed = "MFAFailed",
        /// Charge Permission `Closed` by Close Charge Permission.
        MerchantClosed = "MerchantClosed",
        /// Charge `Canceled` by Cancel Charge; v1 name of Charge Permission `MerchantClosed`.
        MerchantCanceled = "MerchantCanceled",
        /// Charge Permission `Closed` by the buyer.
        BuyerClosed = "BuyerClosed",
        /// Charge Permission `Closed`: the permitted amount was fully charged.
        AmazonClosed = "AmazonClosed",
        /// Charge `Canceled`: authorized for 30 days without capture.
        ExpiredUnused = "ExpiredUnused",
        /// Charge `Canceled`: its permission was closed with `cancelPendingCharges`.
        ChargePermissionCanceled = "ChargePermissionCanceled",
        /// Charge `Declined`: may succeed on retry.
        SoftDeclined = "SoftDeclined",
        /// Charge `Declined`: will not succeed; the buyer must change the instrument.
        HardDeclined = "HardDeclined",
        /// Charge or Refund `Declined` by Amazon.
        AmazonRejected = "AmazonRejected",
        /// Charge or Refund `Declined` by an internal processing error.
        ProcessingFailure = "ProcessingFailure",
        /// Charge `Declined`: the authorization could not be decided in time.
        TransactionTimedOut = "TransactionTimedOut",
        /// Listed by SDK-dotnet as a state reason; meaning undocumented (spec §13.14).
        AmountNotSet = "AmountNotSet",
        /// Listed by SDK-dotnet as a state reason; meaning undocumented (spec §13.14).
        TransactionAmountExceeded = "TransactionAmountExceeded",
    }
}

wire_enum! {
    /// `paymentIntent` (spec §2.5, §3.6).
    pub enum PaymentIntent {
        /// Create a Charge Permission only; charge later.
        Confirm = "Confirm",
        /// Authorize at checkout, capture later.
        Authorize = "Authorize",
        /// Authorize and capture at checkout.
        AuthorizeWithCapture = "AuthorizeWithCapture",
    }
}

wire_enum! {
    /// `chargePermissionType` (spec §2.3).
    pub enum ChargePermissionType {
        /// A single purchase (the default).
        OneTime = "OneTime",
        /// A subscription charged on a schedule.
        Recurring = "Recurring",
        /// A saved wallet the merchant can charge later.
        PaymentMethodOnFile = "PaymentMethodOnFile",
    }
}

wire_enum! {
    /// `productType` (spec §2.3).
    pub enum ProductType {
        /// Physical goods: the buyer picks a shipping address (the default).
        PayAndShip = "PayAndShip",
        /// No shipping address.
        PayOnly = "PayOnly",
        /// Sign in with Amazon only (a button type).
        SignIn = "SignIn",
    }
}

wire_enum! {
    /// `constraints[].constraintId` (spec §2.9): what still blocks the payment step.
    pub enum ConstraintId {
        /// No buyer has signed in yet.
        BuyerNotAssociated = "BuyerNotAssociated",
        /// `paymentDetails.chargeAmount` is not set.
        ChargeAmountNotSet = "ChargeAmountNotSet",
        /// `webCheckoutDetails.checkoutResultReturnUrl` is not set.
        CheckoutResultReturnUrlNotSet = "CheckoutResultReturnUrlNotSet",
        /// `paymentDetails.paymentIntent` is not set.
        PaymentIntentNotSet = "PaymentIntentNotSet",
        /// A Recurring session lacks `recurringMetadata.frequency`.
        RecurringFrequencyNotSet = "RecurringFrequencyNotSet",
    }
}

wire_enum! {
    /// `recurringMetadata.frequency.unit` (spec §2.8).
    pub enum FrequencyUnit {
        /// Yearly.
        Year = "Year",
        /// Monthly.
        Month = "Month",
        /// Weekly.
        Week = "Week",
        /// Daily.
        Day = "Day",
        /// No fixed schedule.
        Variable = "Variable",
    }
}

wire_enum! {
    /// `releaseEnvironment` (spec §2.1).
    pub enum ReleaseEnvironment {
        /// Sandbox (test) environment.
        Sandbox = "Sandbox",
        /// Live (production) environment.
        Live = "Live",
    }
}

wire_enum! {
    /// `chargeInitiator` on Create Charge (spec §2.15).
    pub enum ChargeInitiator {
        /// Customer-initiated, unscheduled.
        Citu = "CITU",
        /// Merchant-initiated, unscheduled.
        Mitu = "MITU",
        /// Customer-initiated, recurring.
        Citr = "CITR",
        /// Merchant-initiated, recurring.
        Mitr = "MITR",
    }
}

wire_enum! {
    /// `channel` on Create Charge (spec §2.15).
    pub enum Channel {
        /// Web.
        Web = "Web",
        /// Phone.
        Phone = "Phone",
        /// Mobile app.
        App = "App",
        /// Alexa.
        Alexa = "Alexa",
        /// Point of sale.
        PointOfSale = "PointOfSale",
        /// Fire TV.
        FireTv = "FireTv",
        /// Offline.
        Offline = "Offline",
        /// Amazon.
        Amazon = "Amazon",
    }
}

wire_enum! {
    /// `webCheckoutDetails.checkoutMode` (spec §2.4).
    pub enum CheckoutMode {
        /// Additional Payment Button: the buyer finishes on Amazon right after the button.
        ProcessOrder = "ProcessOrder",
    }
}

wire_enum! {
    /// `scopes[]` on Create Checkout Session and `signInScopes[]` (spec §2.11, §2.18).
    pub enum Scope {
        /// Buyer name.
        Name = "name",
        /// Buyer email.
        Email = "email",
        /// Postal code of the default shipping address.
        PostalCode = "postalCode",
        /// Shipping address.
        ShippingAddress = "shippingAddress",
        /// Phone number.
        PhoneNumber = "phoneNumber",
        /// Prime membership status.
        PrimeStatus = "primeStatus",
        /// Billing address.
        BillingAddress = "billingAddress",
    }
}

wire_enum! {
    /// `deliverySpecifications.specialRestrictions[]` (spec §2.10).
    pub enum SpecialRestriction {
        /// Flag PO boxes.
        RestrictPoBoxes = "RestrictPOBoxes",
        /// Flag German Packstations.
        RestrictPackstations = "RestrictPackstations",
    }
}

wire_enum! {
    /// `deliverySpecifications.addressRestrictions.type` (spec §2.10).
    pub enum AddressRestrictionType {
        /// Only the listed regions are allowed.
        Allowed = "Allowed",
        /// The listed regions are not allowed.
        NotAllowed = "NotAllowed",
    }
}

wire_enum! {
    /// ISO 4217 currency code (`currencyCode`, `presentmentCurrency`; spec §2.1).
    ///
    /// The known values are the ledger currencies (USD, EUR, GBP, JPY) and the EU/UK presentment
    /// currencies. See [`Currency::exponent`] for the number of decimals each allows.
    pub enum Currency {
        /// US dollar (ledger, US).
        Usd = "USD",
        /// Euro (ledger, EU).
        Eur = "EUR",
        /// Pound sterling (ledger, UK).
        Gbp = "GBP",
        /// Japanese yen (ledger, JP); no decimals.
        Jpy = "JPY",
        /// Australian dollar (presentment).
        Aud = "AUD",
        /// Danish krone (presentment).
        Dkk = "DKK",
        /// Hong Kong dollar (presentment).
        Hkd = "HKD",
        /// New Zealand dollar (presentment).
        Nzd = "NZD",
        /// Norwegian krone (presentment).
        Nok = "NOK",
        /// South African rand (presentment).
        Zar = "ZAR",
        /// Swedish krona (presentment).
        Sek = "SEK",
        /// Swiss franc (presentment).
        Chf = "CHF",
    }
}

wire_enum! {
    /// `reasonCode` of an error response (spec §5): the error vocabulary the SDK exposes.
    ///
    /// The HTTP status each code comes with is documented on the variant; mapping codes to statuses
    /// is the server's job, so this enum carries no status method.
    pub enum ApiErrorCode {
        /// 400: a header value is invalid.
        InvalidHeaderValue = "InvalidHeaderValue",
        /// 400: the request is invalid.
        InvalidRequest = "InvalidRequest",
        /// 400: a body, path or query value is invalid.
        InvalidParameterValue = "InvalidParameterValue",
        /// 400: the body is not valid JSON.
        InvalidRequestFormat = "InvalidRequestFormat",
        /// 400: a required header is absent.
        MissingHeader = "MissingHeader",
        /// 400: a header is present but empty.
        MissingHeaderValue = "MissingHeaderValue",
        /// 400: a required parameter is absent.
        MissingParameterValue = "MissingParameterValue",
        /// 400: the body has an unknown field.
        UnrecognizedField = "UnrecognizedField",
        /// 400: bad or inapplicable `x-amz-pay-simulation-code`.
        InvalidSandboxSimulationSpecified = "InvalidSandboxSimulationSpecified",
        /// 400: an idempotency key was reused with a different request.
        DuplicateIdempotencyKey = "DuplicateIdempotencyKey",
        /// 400: incompatible parameters.
        InvalidParameterCombination = "InvalidParameterCombination",
        /// 400: the currency differs from the session, permission or charge currency.
        CurrencyMismatch = "CurrencyMismatch",
        /// 400: unsupported API version.
        InvalidApiVersion = "InvalidAPIVersion",
        /// 400: charge, capture or refund above the permitted amount.
        TransactionAmountExceeded = "TransactionAmountExceeded",
        /// 400: monthly maximum exceeded.
        PeriodicAmountExceeded = "PeriodicAmountExceeded",
        /// 400 (Delivery Tracker): malformed input or token.
        InvalidInputFormat = "InvalidInputFormat",
        /// 401: the merchant is not authorised for this request.
        UnauthorizedAccess = "UnauthorizedAccess",
        /// 403: authentication failed.
        InvalidAuthentication = "InvalidAuthentication",
        /// 403: the merchant account is not in a state to do this.
        InvalidAccountStatus = "InvalidAccountStatus",
        /// 403: the request signature does not verify.
        InvalidRequestSignature = "InvalidRequestSignature",
        /// 403: bad `x-amz-pay-authtoken`.
        InvalidAuthorizationToken = "InvalidAuthorizationToken",
        /// 404: unknown or expired id.
        ResourceNotFound = "ResourceNotFound",
        /// 405: operation not supported.
        UnsupportedOperation = "UnsupportedOperation",
        /// 405: HTTP method not supported.
        RequestNotSupported = "RequestNotSupported",
        /// 408: request timed out; a retry may succeed.
        RequestTimeout = "RequestTimeout",
        /// 409: the Complete/Finalize amount differs from the session amount.
        AmountMismatch = "AmountMismatch",
        /// 422: the Checkout Session's state forbids the operation.
        InvalidCheckoutSessionStatus = "InvalidCheckoutSessionStatus",
        /// 422: the buyer canceled or the payment was declined (Complete).
        CheckoutSessionCanceled = "CheckoutSessionCanceled",
        /// 422: the Charge Permission's state forbids the operation.
        InvalidChargePermissionStatus = "InvalidChargePermissionStatus",
        /// 422: Update Charge Permission is not allowed.
        ChargePermissionNotModifiable = "ChargePermissionNotModifiable",
        /// 422: the Charge's state forbids the operation.
        InvalidChargeStatus = "InvalidChargeStatus",
        /// 422: too many charges, captures or refunds.
        TransactionCountExceeded = "TransactionCountExceeded",
        /// 422: Amazon rejected the charge, capture or refund.
        AmazonRejected = "AmazonRejected",
        /// 422 (Create Charge): declined; a retry may succeed.
        SoftDeclined = "SoftDeclined",
        /// 422 (Create Charge): declined; the buyer must change the instrument.
        HardDeclined = "HardDeclined",
        /// 422 (Create Charge): the instrument is not allowed.
        PaymentMethodNotAllowed = "PaymentMethodNotAllowed",
        /// 422 (Create Charge): the buyer must complete multi-factor authentication.
        MfaNotCompleted = "MFANotCompleted",
        /// 422 (Create Charge): the authorization could not be decided in time.
        TransactionTimedOut = "TransactionTimedOut",
        /// 426: TLS version too old.
        TlsVersionNotSupported = "TLSVersionNotSupported",
        /// 429: throttled.
        TooManyRequests = "TooManyRequests",
        /// 429: throttled (alternative name seen in Amazon's Magento plugin).
        RequestThrottled = "RequestThrottled",
        /// 500: internal error; retryable.
        InternalServerError = "InternalServerError",
        /// 500: processing error on Create Charge, Capture or Create Refund.
        ProcessingFailure = "ProcessingFailure",
        /// 503: service unavailable; retryable.
        ServiceUnavailable = "ServiceUnavailable",
    }
}
