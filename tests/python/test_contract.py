"""Contract tests: Schemathesis generates requests from the OpenAPI document (docs/openapi.json,
which the emulator serves at `/__openapi.json`), signs each with `amzpay_signer`, and checks
every answer: never a 5xx, a documented status, a documented content type, a body that conforms
to the documented schema.

Three tests:
- `test_every_operation`: each operation on its own, with schema-valid (positive) and
  schema-invalid (negative) inputs;
- `TestCheckout`: Schemathesis' state machine following the document's links (create -> get ->
  update -> complete -> charge permission, charge, capture, refund ...), with the buyer's sign-in
  and payment step played through the admin API after every successful create, so that Complete
  can succeed and the later operations have real objects to work on;
- `test_every_successful_answer_of_a_whole_checkout_conforms`: a whole checkout by hand, through
  the same checks, because generated requests rarely get as far as the payment objects.

Run by the Rust test `openapi::schemathesis_finds_no_contract_violation` against a live emulator.
Environment: EMULATOR_URL, ADMIN_TOKEN; AMZPAY_CONTRACT_EXAMPLES (examples per operation, 15 by
default) and AMZPAY_CONTRACT_STEPS (state machine runs, 20 by default) make a longer run.
"""

import atexit
import collections
import os
import pathlib

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import amzpay_signer

BASE = os.environ["EMULATOR_URL"]
ADMIN = {"authorization": f"Bearer {os.environ['ADMIN_TOKEN']}"}
LONG = os.environ.get("AMZPAY_CONTRACT_LONG") == "1"
EXAMPLES = int(os.environ.get("AMZPAY_CONTRACT_EXAMPLES", "200" if LONG else "15"))
STEPS = int(os.environ.get("AMZPAY_CONTRACT_STEPS", "200" if LONG else "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def admin(method, path, body=None):
    response = requests.request(method, BASE + path, json=body, headers=ADMIN, timeout=30)
    assert response.ok, f"{method} {path} answered {response.status_code}: {response.text}"
    return response.json()


MERCHANT = admin("POST", "/__admin/merchants", {"region": "na", "environment": "sandbox"})
SESSION = requests.Session()
SESSION.auth = amzpay_signer.SignedAuth(
    MERCHANT["publicKeyId"], amzpay_signer.load_key(MERCHANT["privateKeyPem"]), "na"
)

# The committed document; `openapi::the_emulator_serves_the_committed_openapi_document` checks that
# the emulator serves these very bytes.
schema = schemathesis.openapi.from_path(pathlib.Path(__file__).resolve().parents[2] / "docs/openapi.json")
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    database="none",
)
# The coverage phase (every boundary and negation of every field, deterministically) sends far
# more requests than the examples and fuzzing phases; it runs in the longer run only.
if not LONG:
    schema.config.phases.update(phases=["examples", "fuzzing", "stateful"])


# What the runs got, by operation and status, printed at the end so a run shows how deep it went.
TALLY = collections.Counter()
atexit.register(lambda: print("\n".join(f"{n:5} {k}" for k, n in sorted(TALLY.items()))))


def prepare(case):
    """Makes a generated Create Checkout Session name the merchant's own store (any other store
    id is refused before anything interesting happens) when the generator wrote a string there."""
    body = case.body
    if (
        case.operation.label.endswith("/v2/checkoutSessions")
        and isinstance(body, dict)
        and isinstance(body.get("storeId"), str)
    ):
        body["storeId"] = MERCHANT["storeId"]


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation(case):
    prepare(case)
    response = case.call(base_url=BASE, session=SESSION)
    TALLY[f"{case.operation.label} {response.status_code}"] += 1
    case.validate_response(response, checks=CHECKS)


def checked(path, method, expect, body=None, headers=None, **path_parameters):
    """Sends one hand-made request through Schemathesis, so its answer gets the same checks,
    and returns the answer's body after checking its status."""
    operation = schema[path][method]
    extra = {} if body is None else {"body": body}
    case = schema.make_case(operation=operation, path_parameters=path_parameters, headers=headers or {}, **extra)
    response = case.call(base_url=BASE, session=SESSION)
    TALLY[f"flow {operation.label} {response.status_code}"] += 1
    case.validate_response(response, checks=CHECKS)
    assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def usd(amount):
    return {"amount": amount, "currencyCode": "USD"}


KEY = {"x-amz-pay-idempotency-key": "k"}


def paid_session(prefix, env, intent):
    """A session the buyer has signed in to and paid, ready for Complete."""
    session = checked(f"{prefix}/v2/checkoutSessions", "POST", 201, headers=KEY, body={
        "storeId": MERCHANT["storeId"],
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://shop.example/review",
            "checkoutResultReturnUrl": "https://shop.example/result",
        },
        "paymentDetails": {"paymentIntent": intent, "chargeAmount": usd("14.00")},
        "merchantMetadata": {"merchantReferenceId": "order-1"},
    }, **env)
    session_id = session["checkoutSessionId"]
    admin("POST", f"/__admin/checkoutSessions/{session_id}/sign-in", {"instrument": "1111"})
    admin("POST", f"/__admin/checkoutSessions/{session_id}/pay", {})
    return session_id


@pytest.mark.parametrize("prefix", ["", "/{environment}"])
def test_every_successful_answer_of_a_whole_checkout_conforms(prefix):
    """Generated requests rarely get far enough for the payment objects' success answers, so a
    whole checkout, on both path forms, goes through the same checks."""
    env = {"environment": "sandbox"} if prefix else {}
    sid = paid_session(prefix, env, "Authorize")
    checked(f"{prefix}/v2/checkoutSessions/{{checkoutSessionId}}", "GET", 200, checkoutSessionId=sid, **env)
    done = checked(f"{prefix}/v2/checkoutSessions/{{checkoutSessionId}}/complete", "POST", 200,
                   body={"chargeAmount": usd("14.00")}, checkoutSessionId=sid, **env)
    pid, cid = done["chargePermissionId"], done["chargeId"]
    checked(f"{prefix}/v2/chargePermissions/{{chargePermissionId}}", "GET", 200, chargePermissionId=pid, **env)
    checked(f"{prefix}/v2/chargePermissions/{{chargePermissionId}}", "PATCH", 200,
            body={"merchantMetadata": {"noteToBuyer": "Thank you"}}, chargePermissionId=pid, **env)
    checked(f"{prefix}/v2/charges/{{chargeId}}", "GET", 200, chargeId=cid, **env)
    checked(f"{prefix}/v2/charges/{{chargeId}}/capture", "POST", 200, headers=KEY,
            body={"captureAmount": usd("14.00")}, chargeId=cid, **env)
    refund = checked(f"{prefix}/v2/refunds", "POST", 201, headers=KEY,
                     body={"chargeId": cid, "refundAmount": usd("4.00")}, **env)
    checked(f"{prefix}/v2/refunds/{{refundId}}", "GET", 200, refundId=refund["refundId"], **env)
    checked(f"{prefix}/v2/deliveryTrackers", "POST", 200,
            body={"chargePermissionId": pid, "deliveryDetails": [{"trackingNumber": f"T{prefix and 'E'}1", "carrierCode": "UPS"}]}, **env)

    # A Confirm session leaves a Chargeable permission: charge, cancel, close.
    sid = paid_session(prefix, env, "Confirm")
    done = checked(f"{prefix}/v2/checkoutSessions/{{checkoutSessionId}}/complete", "POST", 200,
                   body={"chargeAmount": usd("14.00")}, checkoutSessionId=sid, **env)
    pid = done["chargePermissionId"]
    charge = checked(f"{prefix}/v2/charges", "POST", 201, headers=KEY,
                     body={"chargePermissionId": pid, "chargeAmount": usd("10.00")}, **env)
    checked(f"{prefix}/v2/charges/{{chargeId}}/cancel", "DELETE", 200,
            body={"cancellationReason": "Out of stock"}, chargeId=charge["chargeId"], **env)
    checked(f"{prefix}/v2/chargePermissions/{{chargePermissionId}}/close", "DELETE", 200,
            body={"closureReason": "Order done"}, chargePermissionId=pid, **env)

    # Amazon Sign-in: a buyer token, then Get Buyer.
    token = admin("POST", f"/__admin/merchants/{MERCHANT['merchantId']}/sign-in", {})["buyerToken"]
    checked(f"{prefix}/v2/buyers/{{buyerToken}}", "GET", 200, buyerToken=token, **env)


class Checkout(schema.as_state_machine()):
    """The stateful run: after each successful Create Checkout Session the buyer signs in with
    the succeeding test instrument and runs the payment step, as a browser would on Amazon's
    pages, so the links that follow reach Complete and the payment objects."""

    def before_call(self, case):
        prepare(case)

    def call(self, case, **kwargs):
        return case.call(base_url=BASE, session=SESSION, **kwargs)

    def validate_response(self, response, case, **kwargs):
        case.validate_response(response, checks=CHECKS)

    def after_call(self, response, case):
        TALLY[f"stateful {case.operation.label} {response.status_code}"] += 1
        if case.method.upper() == "POST" and case.path.endswith("/v2/checkoutSessions") and response.status_code == 201:
            session_id = response.json()["checkoutSessionId"]
            signed_in = requests.post(
                f"{BASE}/__admin/checkoutSessions/{session_id}/sign-in",
                json={"instrument": "1111"},
                headers=ADMIN,
                timeout=30,
            )
            if signed_in.ok:
                # The payment step needs the session's constraints lifted; a generated session
                # may still lack an amount or a result URL, and then the step is refused.
                requests.post(f"{BASE}/__admin/checkoutSessions/{session_id}/pay", json={}, headers=ADMIN, timeout=30)


Checkout.TestCase.settings = settings(
    max_examples=STEPS,
    stateful_step_count=8,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TestCheckout = Checkout.TestCase
