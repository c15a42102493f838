//! `amzpay <resource> <verb>`: one command per Amazon Pay operation.
//!
//! Bodies come from `--body FILE` (or `-` for stdin) and are checked against the request model
//! before anything is sent; common bodies can also be given as flags. Responses are printed as
//! received (every field, even ones this version does not model).

use std::process::ExitCode;

use amzpay::types::{
    CancelChargeRequest, CaptureChargeRequest, CloseChargePermissionRequest,
    CompleteCheckoutSessionRequest, CreateChargeRequest, CreateCheckoutSessionRequest,
    CreateDeliveryTrackerRequest, CreateRefundRequest, Currency, DeliveryDetail,
    FinalizeCheckoutSessionRequest, PaymentDetailsInput, PaymentIntent, Price,
    UpdateChargePermissionRequest, UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
};
use amzpay::{Call, Client, Error};
use serde::de::DeserializeOwned;

use super::sign::{read_input, split_pair};
use crate::lowargs::{
    AmountArgs, BodyArgs, BuyerCommand, CallArgs, ChargeCommand, ChargePermissionCommand,
    CheckoutSessionCommand, DeliveryTrackerCommand, NewSessionArgs, RefundCommand,
};
use crate::output::Output;
use crate::{EXIT_API_ERROR, EXIT_OUTCOME_UNKNOWN, usage};

/// Runs `amzpay buyer ...`.
pub(crate) async fn buyer(
    command: BuyerCommand,
    client: &Client,
    out: &Output,
) -> anyhow::Result<ExitCode> {
    let BuyerCommand::Get { token, call } = command;
    send(client.get_buyer(token), &call, out).await
}

/// Runs the commands of one resource.
pub(crate) async fn checkout_session(
    command: CheckoutSessionCommand,
    client: &Client,
    out: &Output,
) -> anyhow::Result<ExitCode> {
    match command {
        CheckoutSessionCommand::Create {
            session,
            body,
            call,
        } => {
            let body: CreateCheckoutSessionRequest = match read_body(&body)? {
                Some(body) => {
                    // AMZPAY_STORE_ID alone must not make a JSON body unusable.
                    reject_flags_with_body(
                        NewSessionArgs {
                            store_id: None,
                            ..session.clone()
                        }
                        .any(),
                    )?;
                    body
                }
                None => new_session_body(session)?,
            };
            send(client.create_checkout_session(&body), &call, out).await
        }
        CheckoutSessionCommand::Get { id, call } => {
            send(client.get_checkout_session(id), &call, out).await
        }
        CheckoutSessionCommand::Update { id, body, call } => {
            let body: UpdateCheckoutSessionRequest =
                required_body(&body, "checkout-session update")?;
            send(client.update_checkout_session(id, &body), &call, out).await
        }
        CheckoutSessionCommand::Complete {
            id,
            amount,
            total_order_amount,
            body,
            call,
        } => {
            let body: CompleteCheckoutSessionRequest = match read_body(&body)? {
                Some(body) => {
                    reject_flags_with_body(
                        amount.amount.is_some() || total_order_amount.is_some(),
                    )?;
                    body
                }
                None => {
                    let charge_amount = optional_price(&amount)?;
                    let total_order_amount = match total_order_amount {
                        None => None,
                        Some(total) => {
                            let currency = charge_amount
                                .as_ref()
                                .map(|p| p.currency().clone())
                                .ok_or_else(|| {
                                    usage("--total-order-amount needs --amount and --currency")
                                })?;
                            Some(parse_price(&total, currency)?)
                        }
                    };
                    CompleteCheckoutSessionRequest {
                        charge_amount,
                        total_order_amount,
                    }
                }
            };
            send(client.complete_checkout_session(id, &body), &call, out).await
        }
        CheckoutSessionCommand::Finalize { id, body, call } => {
            let body: FinalizeCheckoutSessionRequest =
                required_body(&body, "checkout-session finalize")?;
            send(client.finalize_checkout_session(id, &body), &call, out).await
        }
    }
}

/// Runs the commands of one resource.
pub(crate) async fn charge_permission(
    command: ChargePermissionCommand,
    client: &Client,
    out: &Output,
) -> anyhow::Result<ExitCode> {
    match command {
        ChargePermissionCommand::Get { id, call } => {
            send(client.get_charge_permission(id), &call, out).await
        }
        ChargePermissionCommand::Update { id, body, call } => {
            let body: UpdateChargePermissionRequest =
                required_body(&body, "charge-permission update")?;
            send(client.update_charge_permission(id, &body), &call, out).await
        }
        ChargePermissionCommand::Close {
            id,
            reason,
            cancel_pending_charges,
            body,
            call,
        } => {
            let body: CloseChargePermissionRequest = match read_body(&body)? {
                Some(body) => {
                    reject_flags_with_body(reason.is_some() || cancel_pending_charges)?;
                    body
                }
                None => CloseChargePermissionRequest {
                    cancel_pending_charges: cancel_pending_charges.then_some(true),
                    ..CloseChargePermissionRequest::new(
                        reason.ok_or_else(|| usage("give --reason or a JSON --body"))?,
                    )
                },
            };
            send(client.close_charge_permission(id, &body), &call, out).await
        }
    }
}

/// Runs the commands of one resource.
pub(crate) async fn charge(
    command: ChargeCommand,
    client: &Client,
    out: &Output,
) -> anyhow::Result<ExitCode> {
    match command {
        ChargeCommand::Create {
            charge_permission_id,
            amount,
            capture_now,
            can_handle_pending_authorization,
            body,
            call,
        } => {
            let body: CreateChargeRequest = match read_body(&body)? {
                Some(body) => {
                    reject_flags_with_body(
                        charge_permission_id.is_some()
                            || amount.amount.is_some()
                            || capture_now
                            || can_handle_pending_authorization,
                    )?;
                    body
                }
                None => CreateChargeRequest {
                    capture_now: capture_now.then_some(true),
                    can_handle_pending_authorization: can_handle_pending_authorization
                        .then_some(true),
                    ..CreateChargeRequest::new(
                        charge_permission_id
                            .ok_or_else(|| usage("give --charge-permission-id or a JSON --body"))?
                            .into(),
                        required_price(&amount)?,
                    )
                },
            };
            send(client.create_charge(&body), &call, out).await
        }
        ChargeCommand::Get { id, call } => send(client.get_charge(id), &call, out).await,
        ChargeCommand::Capture {
            id,
            amount,
            body,
            call,
        } => {
            let body: CaptureChargeRequest = match read_body(&body)? {
                Some(body) => {
                    reject_flags_with_body(amount.amount.is_some())?;
                    body
                }
                None => CaptureChargeRequest::new(required_price(&amount)?),
            };
            send(client.capture_charge(id, &body), &call, out).await
        }
        ChargeCommand::Cancel {
            id,
            reason,
            body,
            call,
        } => {
            let body: CancelChargeRequest = match read_body(&body)? {
                Some(body) => {
                    reject_flags_with_body(reason.is_some())?;
                    body
                }
                None => CancelChargeRequest::new(
                    reason.ok_or_else(|| usage("give --reason or a JSON --body"))?,
                ),
            };
            send(client.cancel_charge(id, &body), &call, out).await
        }
    }
}

/// Runs the commands of one resource.
pub(crate) async fn refund(
    command: RefundCommand,
    client: &Client,
    out: &Output,
) -> anyhow::Result<ExitCode> {
    match command {
        RefundCommand::Create {
            charge_id,
            amount,
            body,
            call,
        } => {
            let body: CreateRefundRequest = match read_body(&body)? {
                Some(body) => {
                    reject_flags_with_body(charge_id.is_some() || amount.amount.is_some())?;
                    body
                }
                None => CreateRefundRequest::new(
                    charge_id
                        .ok_or_else(|| usage("give --charge-id or a JSON --body"))?
                        .into(),
                    required_price(&amount)?,
                ),
            };
            send(client.create_refund(&body), &call, out).await
        }
        RefundCommand::Get { id, call } => send(client.get_refund(id), &call, out).await,
    }
}

/// Runs the commands of one resource.
pub(crate) async fn delivery_tracker(
    command: DeliveryTrackerCommand,
    client: &Client,
    out: &Output,
) -> anyhow::Result<ExitCode> {
    let DeliveryTrackerCommand::Create {
        charge_permission_id,
        tracking_number,
        carrier_code,
        body,
        call,
    } = command;
    let body: CreateDeliveryTrackerRequest = match read_body(&body)? {
        Some(body) => {
            reject_flags_with_body(
                charge_permission_id.is_some()
                    || tracking_number.is_some()
                    || carrier_code.is_some(),
            )?;
            body
        }
        None => {
            let (Some(id), Some(number), Some(carrier)) =
                (charge_permission_id, tracking_number, carrier_code)
            else {
                return Err(usage(
                    "give --charge-permission-id, --tracking-number and --carrier-code, or a JSON --body",
                ));
            };
            CreateDeliveryTrackerRequest::new(id.into(), vec![DeliveryDetail::new(number, carrier)])
        }
    };
    send(client.create_delivery_tracker(&body), &call, out).await
}

/// Applies the per-call flags, sends, prints the answer, and maps the outcome to an exit code.
async fn send<T>(call: Call<'_, T>, args: &CallArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let mut call = call.into_json();
    if let Some(key) = &args.idempotency_key {
        call = call.idempotency_key(key);
    }
    if let Some(code) = &args.simulation_code {
        call = call.simulation_code(code);
    }
    for header in &args.header {
        let (name, value) = split_pair(header, ':', "--header")?;
        call = call.header(name, value);
    }
    match call.await {
        Ok(response) => {
            out.note(&format!(
                "HTTP {} request-id {} attempts {} in {:?}{}",
                response.status(),
                response.request_id().unwrap_or("-"),
                response.attempts(),
                response.duration(),
                response
                    .idempotency_key()
                    .map(|k| format!(" idempotency-key {k}"))
                    .unwrap_or_default()
            ));
            out.json(response.value())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Api(error)) => {
            // The error document goes to stdout like any answer, so scripts can read its
            // reasonCode; the one-line summary goes to stderr.
            if let Ok(body) = serde_json::from_slice::<serde_json::Value>(error.body()) {
                out.json(&body)?;
            }
            eprintln!("amzpay: {error}");
            Ok(ExitCode::from(EXIT_API_ERROR))
        }
        Err(error) if error.outcome_unknown() => {
            eprintln!("amzpay: {:#}", anyhow::Error::new(error));
            Ok(ExitCode::from(EXIT_OUTCOME_UNKNOWN))
        }
        Err(error) => Err(error.into()),
    }
}

/// The body from `--body`, parsed into the request model, if given.
fn read_body<T: DeserializeOwned>(args: &BodyArgs) -> anyhow::Result<Option<T>> {
    let Some(spec) = &args.body else {
        return Ok(None);
    };
    let bytes = read_input(spec)?;
    let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(deserializer)
        .map(Some)
        .map_err(|e| {
            let path = e.path().to_string();
            usage(format!(
                "invalid request body in {spec} at {path}: {}",
                e.into_inner()
            ))
        })
}

fn required_body<T: DeserializeOwned>(args: &BodyArgs, command: &str) -> anyhow::Result<T> {
    read_body(args)?.ok_or_else(|| {
        usage(format!(
            "{command} needs a JSON --body FILE (or - for stdin)"
        ))
    })
}

/// Builds a Create Checkout Session body from `checkout-session create` flags.
fn new_session_body(session: NewSessionArgs) -> anyhow::Result<CreateCheckoutSessionRequest> {
    let store_id = session.store_id.ok_or_else(|| {
        usage("give --store-id (or AMZPAY_STORE_ID) and --review-url, or a JSON --body")
    })?;
    let review_url = session
        .review_url
        .ok_or_else(|| usage("give --review-url, or a JSON --body"))?;
    let charge_amount = optional_price(&session.amount)?;
    let payment_details = if charge_amount.is_some()
        || session.intent.is_some()
        || session.can_handle_pending_authorization
    {
        Some(PaymentDetailsInput {
            payment_intent: session.intent.map(PaymentIntent::from),
            can_handle_pending_authorization: session
                .can_handle_pending_authorization
                .then_some(true),
            charge_amount,
            ..Default::default()
        })
    } else {
        None
    };
    Ok(CreateCheckoutSessionRequest {
        store_id: store_id.into(),
        web_checkout_details: WebCheckoutDetailsInput {
            checkout_review_return_url: Some(review_url),
            checkout_result_return_url: session.result_url,
            checkout_cancel_url: session.cancel_url,
            ..Default::default()
        },
        payment_details,
        ..Default::default()
    })
}

fn reject_flags_with_body(any_flag: bool) -> anyhow::Result<()> {
    if any_flag {
        Err(usage(
            "give either a JSON --body or the flags that build one, not both",
        ))
    } else {
        Ok(())
    }
}

fn parse_price(amount: &str, currency: Currency) -> anyhow::Result<Price> {
    Price::parse(amount, currency).map_err(|e| usage(format!("invalid amount {amount:?}: {e}")))
}

fn optional_price(args: &AmountArgs) -> anyhow::Result<Option<Price>> {
    match (&args.amount, &args.currency) {
        (None, None) => Ok(None),
        (Some(amount), Some(currency)) => {
            let currency = Currency::from(currency.to_ascii_uppercase());
            Ok(Some(parse_price(amount, currency)?))
        }
        _ => Err(usage("--amount and --currency go together")),
    }
}

fn required_price(args: &AmountArgs) -> anyhow::Result<Price> {
    optional_price(args)?.ok_or_else(|| usage("give --amount and --currency, or a JSON --body"))
}
