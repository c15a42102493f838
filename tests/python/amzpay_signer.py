"""A small Amazon Pay request signer for the contract tests (`AMZN-PAY-RSASSA-PSS` with a 20-byte
salt, `AMZN-PAY-RSASSA-PSS-V2` with a 32-byte salt), written from the description in
docs/openapi.json and checked against the project's own vectors in
crates/signing/tests/vectors (`test_signer.py`).

The client side (`canonical_uri`, `canonical_query`) follows what a client *means* to send, as
the vectors are written; `SignedAuth` signs a `requests` request exactly as it goes on the wire
(the path verbatim, the query decoded and re-encoded), which is what the emulator verifies.
"""

import base64
import hashlib
import time
import uuid
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA
from Crypto.Signature import pss

SALT = {"AMZN-PAY-RSASSA-PSS": 20, "AMZN-PAY-RSASSA-PSS-V2": 32}
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def _encode(data, keep=b""):
    """Percent-encodes every byte but the RFC 3986 unreserved ones (and `keep`), upper-case hex."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return "".join(chr(b) if b in _UNRESERVED or b in keep else f"%{b:02X}" for b in data)


def canonical_uri(path):
    """A path as a client means it (unencoded): a leading `//authority` dropped, encoded, runs of
    `/` collapsed, empty as `/`."""
    if path.startswith("//"):
        rest = path[2:]
        slash = rest.find("/")
        path = rest[slash:] if slash >= 0 else ""
    out = []
    for c in _encode(path, keep=b"/"):
        if not (c == "/" and out and out[-1] == "/"):
            out.append(c)
    return "".join(out) or "/"


def canonical_query(pairs):
    """Decoded (name, value) pairs: encoded, sorted by name then value, joined with `&`."""
    encoded = sorted((_encode(n), _encode(v)) for n, v in pairs)
    return "&".join(f"{n}={v}" for n, v in encoded)


def query_from_raw(raw):
    """A query as received: split on `&` (empty pieces skipped) and the first `=`, decoded
    (`+` stays literal), then canonicalized as by `canonical_query`."""
    pairs = []
    for piece in raw.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((unquote_to_bytes(name), unquote_to_bytes(value)))
    return canonical_query(pairs)


def _collapse(value):
    out, space = [], False
    for c in value.strip(" \t"):
        if c in " \t":
            space = True
        else:
            if space:
                out.append(" ")
                space = False
            out.append(c)
    return "".join(out)


def canonical_request(method, uri, query, headers, payload):
    """The canonical request and its `SignedHeaders` list; `headers` maps names to values."""
    lowered = sorted((name.lower(), _collapse(value)) for name, value in headers.items())
    signed = ";".join(name for name, _ in lowered)
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    lines = [method, uri, query]
    lines += [f"{name}:{value}" for name, value in lowered]
    lines += ["", signed, hashlib.sha256(payload or b"").hexdigest()]
    return "\n".join(lines), signed


def string_to_sign(algorithm, canonical):
    return f"{algorithm}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def sign(private_key, algorithm, text):
    """The base64 RSA-PSS (SHA-256, MGF1 SHA-256) signature of a string to sign."""
    signer = pss.new(private_key, salt_bytes=SALT[algorithm])
    return base64.b64encode(signer.sign(SHA256.new(text.encode("utf-8")))).decode("ascii")


def verify(public_key, algorithm, text, signature):
    """Whether a base64 signature of `text` verifies (the salt length is checked too)."""
    verifier = pss.new(public_key, salt_bytes=SALT[algorithm])
    try:
        verifier.verify(SHA256.new(text.encode("utf-8")), base64.b64decode(signature))
        return True
    except (ValueError, TypeError):
        return False


def authorization(algorithm, public_key_id, signed_headers, signature):
    return f"{algorithm} PublicKeyId={public_key_id}, SignedHeaders={signed_headers}, Signature={signature}"


def amz_date(seconds=None):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def load_key(pem):
    return RSA.import_key(pem)


class SignedAuth(requests.auth.AuthBase):
    """Signs a prepared `requests` request as it will be sent: sets `x-amz-pay-date`,
    `x-amz-pay-host` and `x-amz-pay-region` (whatever a generator put there: they are the
    signature's mechanics), signs them with `accept`, `content-type` and a valid
    `x-amz-pay-idempotency-key`, and adds `authorization`.

    A generated idempotency key that is valid is replaced by a fresh one, so that generated
    requests do not collide on keys by chance; an invalid one is kept (and signed), so the
    emulator's refusal of it is exercised.
    """

    def __init__(self, public_key_id, private_key, region, algorithm="AMZN-PAY-RSASSA-PSS-V2"):
        self.public_key_id = public_key_id
        self.private_key = private_key
        self.region = region
        self.algorithm = algorithm

    def __call__(self, request):
        url = urlsplit(request.url)
        headers = request.headers
        headers["accept"] = "application/json"
        headers["content-type"] = "application/json"
        headers["x-amz-pay-date"] = amz_date()
        headers["x-amz-pay-host"] = url.netloc
        headers["x-amz-pay-region"] = self.region
        signed = {
            name: headers[name]
            for name in ("accept", "content-type", "x-amz-pay-date", "x-amz-pay-host", "x-amz-pay-region")
        }
        key = headers.get("x-amz-pay-idempotency-key")
        if key is not None:
            key = key.decode("latin-1") if isinstance(key, bytes) else str(key)
            if _valid_key(key):
                key = uuid.uuid4().hex
                headers["x-amz-pay-idempotency-key"] = key
            if _signable(key):
                signed["x-amz-pay-idempotency-key"] = key
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        canonical, names = canonical_request(
            request.method.upper(), url.path or "/", query_from_raw(url.query), signed, body
        )
        signature = sign(self.private_key, self.algorithm, string_to_sign(self.algorithm, canonical))
        headers["authorization"] = authorization(self.algorithm, self.public_key_id, names, signature)
        return request


def _valid_key(key):
    return 0 < len(key) <= 32 and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)


def _signable(value):
    """A value that fits one line of a canonical request (no control characters but tab)."""
    return not any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value)
