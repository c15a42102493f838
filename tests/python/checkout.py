"""Cross-implementation test: the community Python client `AmazonPayClient` 2.0.1 (module
`AmazonPay`, https://pypi.org/project/AmazonPayClient/) drives a whole checkout against the amzpay
emulator over HTTPS:

    create -> buyer sign-in and payment step (emulator admin API) -> get -> complete
    -> get charge -> capture -> create refund -> (30 s on the virtual clock) -> get refund

Run by the Rust test `python::the_community_python_client_checks_out_captures_and_refunds`.
Environment: EMULATOR_URL (https://127.0.0.1:PORT), ADMIN_TOKEN, REQUESTS_CA_BUNDLE (the
emulator's ca.pem; `requests` reads it for every call, the client's included).

The client has no option for the API host, so this script sets the client's `endpoint`
attribute after construction; docs/sdks.md explains this and everything else the client does on
its own, and the checks marked "documented in docs/sdks.md" pin those statements.
"""

import json
import os
import re
import sys
import tempfile

import requests
from AmazonPay import Client

BASE = os.environ.get("EMULATOR_URL")
ADMIN_TOKEN = os.environ.get("ADMIN_TOKEN")
if not BASE or not ADMIN_TOKEN or not os.environ.get("REQUESTS_CA_BUNDLE"):
    sys.exit("EMULATOR_URL, ADMIN_TOKEN and REQUESTS_CA_BUNDLE are required")


def usd(amount):
    return {"amount": amount, "currencyCode": "USD"}


def admin(method, path, body=None):
    """Calls the emulator's admin API (it plays the buyer and moves the clock); anything but a
    2xx fails the script."""
    response = requests.request(
        method,
        BASE + path,
        json=body,
        headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=30,
    )
    assert response.ok, f"{method} {path} answered {response.status_code}: {response.text}"
    return response.json()


def expect(response, status, what):
    """Returns the JSON body of `response` after checking its status."""
    assert response.status_code == status, (
        f"{what}: expected {status}, got {response.status_code}: {response.text}"
    )
    return response.json()


def main():
    merchant = admin("POST", "/__admin/merchants", {"region": "na", "environment": "sandbox"})
    assert merchant["publicKeyId"].startswith("SANDBOX-"), merchant["publicKeyId"]

    # The client takes the private key as a file path (its documented parameter); a PEM string is
    # also read as a file name (documented in docs/sdks.md), so the key goes into a file.
    with tempfile.TemporaryDirectory() as keys:
        key_file = os.path.join(keys, "private.pem")
        with open(key_file, "w", encoding="ascii") as f:
            f.write(merchant["privateKeyPem"])
        run_checkout(merchant, key_file)


def run_checkout(merchant, key_file):
    client = Client(
        public_key_id=merchant["publicKeyId"],
        private_key=key_file,
        region="NA",
        sandbox=True,
    )
    # The host is fixed by the region (documented in docs/sdks.md) ...
    assert client.endpoint == "https://pay-api.amazon.com", client.endpoint
    # ... so this is the one workaround the recipe needs: `request` builds every URL and the
    # signed x-amz-pay-host from this attribute, and nothing but `setup(region=...)` resets it.
    client.endpoint = BASE

    # A PEM string where the key file is expected is opened as a file name (documented in
    # docs/sdks.md). The endpoint already points at the emulator, so a fixed client would just
    # send this request there.
    pem_as_text = Client(merchant["publicKeyId"], merchant["privateKeyPem"], "NA", True)
    pem_as_text.endpoint = BASE
    try:
        pem_as_text.get_checkout_session("none")
    except OSError:
        pass
    else:
        raise AssertionError("the client now accepts PEM text: update docs/sdks.md")

    # Create Checkout Session.
    created = client.create_checkout_session({
        "storeId": merchant["storeId"],
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://shop.example/review",
            "checkoutResultReturnUrl": "https://shop.example/result",
        },
        "paymentDetails": {
            "paymentIntent": "Authorize",
            "canHandlePendingAuthorization": False,
            "chargeAmount": usd("14.00"),
        },
        "merchantMetadata": {"merchantReferenceId": "order-py-1", "merchantStoreName": "Python shop"},
    })
    session = expect(created, 201, "Create Checkout Session")
    assert created.headers.get("x-amz-pay-request-id"), "x-amz-pay-request-id"
    session_id = session["checkoutSessionId"]
    assert session["statusDetails"]["state"] == "Open", session["statusDetails"]
    assert [c["constraintId"] for c in session["constraints"]] == ["BuyerNotAssociated"]

    # What the client sends on its own (documented in docs/sdks.md): the first signing algorithm
    # only, the region as given, the endpoint's host and port as x-amz-pay-host, and a fresh
    # random idempotency key on every POST (the caller cannot choose it).
    sent = created.request.headers
    assert sent["Authorization"].startswith("AMZN-PAY-RSASSA-PSS PublicKeyId="), sent["Authorization"]
    assert sent["X-Amz-Pay-Region"] == "NA"
    assert sent["X-Amz-Pay-Host"] == BASE.split("://", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", sent["X-Amz-Pay-Idempotency-Key"])
    assert created.request.url == f"{BASE}/v2/checkoutSessions"

    # The buyer signs in with the succeeding test instrument and runs the payment step (what the
    # browser does on Amazon's pages).
    signed_in = admin("POST", f"/__admin/checkoutSessions/{session_id}/sign-in", {"instrument": "1111"})
    assert signed_in["redirectUrl"] == f"https://shop.example/review?amazonCheckoutSessionId={session_id}"
    got = expect(client.get_checkout_session(session_id), 200, "Get Checkout Session")
    assert got["constraints"] == [], got["constraints"]
    assert session_id in got["webCheckoutDetails"]["amazonPayRedirectUrl"]
    assert got["buyer"]["name"] == "Test Buyer", got["buyer"]
    paid = admin("POST", f"/__admin/checkoutSessions/{session_id}/pay", {})
    assert paid["redirectUrl"] == f"https://shop.example/result?amazonCheckoutSessionId={session_id}"

    # Complete Checkout Session: the charge is authorized.
    completed = expect(
        client.complete_checkout_session(session_id, {"chargeAmount": usd("14.00")}),
        200,
        "Complete Checkout Session",
    )
    assert completed["statusDetails"]["state"] == "Completed", completed["statusDetails"]
    permission_id = completed["chargePermissionId"]
    charge_id = completed["chargeId"]
    assert re.fullmatch(r"S01-\d{7}-\d{7}", permission_id), permission_id
    assert charge_id.startswith(f"{permission_id}-C"), charge_id
    charge = expect(client.get_charge(charge_id), 200, "Get Charge")
    assert charge["statusDetails"]["state"] == "Authorized", charge["statusDetails"]
    assert charge["chargeAmount"] == usd("14.00")
    permission = expect(client.get_charge_permission(permission_id), 200, "Get Charge Permission")
    assert permission["statusDetails"]["state"] == "NonChargeable", permission["statusDetails"]

    # Capture Charge (the intent was Authorize).
    captured = expect(
        client.capture_charge(charge_id, {"captureAmount": usd("14.00"), "softDescriptor": "PY SHOP"}),
        200,
        "Capture Charge",
    )
    assert captured["statusDetails"]["state"] == "Captured", captured["statusDetails"]
    assert captured["captureAmount"] == usd("14.00")

    # Create Refund: initiated now, refunded 30 s later on the merchant's virtual clock.
    created_refund = client.create_refund({
        "chargeId": charge_id,
        "refundAmount": usd("4.50"),
        "softDescriptor": "PY REFUND",
    })
    refund = expect(created_refund, 201, "Create Refund")
    assert refund["statusDetails"]["state"] == "RefundInitiated", refund["statusDetails"]
    assert created_refund.request.headers["X-Amz-Pay-Idempotency-Key"] != sent["X-Amz-Pay-Idempotency-Key"]
    refund_id = refund["refundId"]
    admin("POST", f"/__admin/merchants/{merchant['merchantId']}/clock/advance", {"duration": "30s"})

    # Get Refund reads it back.
    refunded = expect(client.get_refund(refund_id), 200, "Get Refund")
    assert refunded["refundId"] == refund_id
    assert refunded["chargeId"] == charge_id
    assert refunded["refundAmount"] == usd("4.50")
    assert refunded["statusDetails"]["state"] == "Refunded", refunded["statusDetails"]
    charge = expect(client.get_charge(charge_id), 200, "Get Charge after the refund")
    assert charge["refundedAmount"] == usd("4.50"), charge["refundedAmount"]

    print(json.dumps({
        "checkoutSessionId": session_id,
        "chargePermissionId": permission_id,
        "chargeId": charge_id,
        "refundId": refund_id,
    }))
    print("python checkout refunded")


if __name__ == "__main__":
    main()
