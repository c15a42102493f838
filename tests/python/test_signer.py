"""The contract tests' signer (`amzpay_signer.py`) against the project's own signing vectors
(crates/signing/tests/vectors, described in its README): every case's canonical request and
string to sign byte for byte, every committed signature verifies with the committed public key,
and a signature the signer makes verifies too."""

import json
import pathlib

import pytest

import amzpay_signer as signer

VECTORS = pathlib.Path(__file__).resolve().parents[2] / "crates/signing/tests/vectors"
CASES = json.loads((VECTORS / "canonical-requests.json").read_text(encoding="utf-8"))
PRIVATE = signer.load_key((VECTORS / "test-key-private.pem").read_text(encoding="ascii"))
PUBLIC = signer.load_key((VECTORS / "test-key-public.pem").read_text(encoding="ascii"))


def build(case):
    headers = dict(case["headers"], **{"x-amz-pay-date": case["date"]})
    pairs = [(name, value) for name, values in case["parameters"].items() for value in values]
    return signer.canonical_request(
        case["method"],
        signer.canonical_uri(case["uri"]),
        signer.canonical_query(pairs),
        headers,
        case["payload"],
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['name']}-{c['algorithm']}")
def test_every_vector_reproduces_its_canonical_request_and_string_to_sign(case):
    canonical, signed_headers = build(case)
    assert canonical == case["canonicalRequest"]
    assert signer.string_to_sign(case["algorithm"], canonical) == case["stringToSign"]
    assert signer.authorization(
        case["algorithm"], "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B", signed_headers, case["signature"]
    ) == case["authorization"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['name']}-{c['algorithm']}")
def test_every_committed_signature_verifies_and_so_does_a_new_one(case):
    text = case["stringToSign"]
    assert signer.verify(PUBLIC, case["algorithm"], text, case["signature"])
    assert not signer.verify(PUBLIC, case["algorithm"], text + "x", case["signature"])
    ours = signer.sign(PRIVATE, case["algorithm"], text)
    assert signer.verify(PUBLIC, case["algorithm"], text, ours)


def test_a_received_query_is_decoded_before_it_is_re_encoded():
    assert signer.query_from_raw("foo=b&foo=a&f%20oo=%2a&flag&&x=1+2") == "f%20oo=%2A&flag=&foo=a&foo=b&x=1%2B2"
