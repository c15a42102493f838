'use strict';
// Cross-check of amzpay's own signing vectors (crates/signing/tests/vectors) with the official
// Node.js SDK, unmodified. Run by the Rust tests in crates/signing/tests/signing/nodejs.rs:
//   1. Node's crypto verifies every committed signature (requests and button) with the committed
//      public key;
//   2. the SDK (getSignedHeaders, with the clock set to the vector's date) signs every case it can
//      send (`nodejsSdk`), with the case's algorithm; amzpay-signing verifies those signatures, so
//      the SDK and amzpay canonicalize these requests identically;
//   3. the SDK signs the button payload (generateButtonSignature) with both algorithms;
//      amzpay-signing verifies them.
// Usage: node signing-vectors.js VECTORS_DIR. Prints one JSON document on stdout.

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const Client = require('@amazonpay/amazon-pay-api-sdk-nodejs');

const dir = process.argv[2];
if (!dir) {
    console.error('usage: node signing-vectors.js VECTORS_DIR');
    process.exit(2);
}
const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
const cases = JSON.parse(read('canonical-requests.json'));
const privateKey = read('test-key-private.pem');
const publicKey = read('test-key-public.pem');
const payload = read('button-payload.json');
const SALT = { 'AMZN-PAY-RSASSA-PSS': 20, 'AMZN-PAY-RSASSA-PSS-V2': 32 };
// An environment-specific key id: the SDK then signs `/v2/...` paths without a sandbox prefix.
const KEY_ID = 'SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B';

function verifies(message, signatureBase64, algorithm) {
    return crypto.verify(
        'sha256',
        Buffer.from(message, 'utf8'),
        { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT[algorithm] },
        Buffer.from(signatureBase64, 'base64'),
    );
}

// 1. Every committed signature.
const rejected = [];
let verified = 0;
for (const c of cases) {
    if (verifies(c.stringToSign, c.signature, c.algorithm)) verified += 1;
    else rejected.push(`${c.name} (${c.algorithm})`);
}
const payloadHash = crypto.createHash('sha256').update(payload, 'utf8').digest('hex');
for (const [algorithm, salt] of Object.entries(SALT)) {
    const signature = read(`button-signature-salt${salt}.b64`).trim();
    if (verifies(`${algorithm}\n${payloadHash}`, signature, algorithm)) verified += 1;
    else rejected.push(`button (${algorithm})`);
}

// 2. The SDK reads the clock for x-amz-pay-date: run it with the clock at the vector's date.
const RealDate = Date;
function at(amzDate, f) {
    const iso = amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
    const fixed = RealDate.parse(iso);
    global.Date = class extends RealDate {
        constructor(...args) {
            if (args.length === 0) super(fixed);
            else super(...args);
        }
        static now() { return fixed; }
    };
    try {
        return f();
    } finally {
        global.Date = RealDate;
    }
}
// The SDK sets these itself (from its configuration); the rest of a case's headers are passed in.
const SDK_HEADERS = ['accept', 'content-type', 'x-amz-pay-host', 'x-amz-pay-region'];
const client = (region, algorithm) => new Client.WebStoreClient({
    publicKeyId: KEY_ID, privateKey, region, sandbox: true, algorithm,
});
const requests = [];
for (const c of cases.filter((c) => c.nodejsSdk)) {
    const extra = {};
    for (const [name, value] of Object.entries(c.headers)) {
        if (!SDK_HEADERS.includes(name)) extra[name] = value;
    }
    const queryParams = {};
    for (const [name, values] of Object.entries(c.parameters)) queryParams[name] = values[0];
    const hasQuery = Object.keys(queryParams).length > 0;
    const headers = at(c.date, () => client(c.headers['x-amz-pay-region'], c.algorithm).getSignedHeaders({
        method: c.method,
        urlFragment: c.uri.replace(/^\/v2\//, ''),
        payload: c.payload,
        headers: extra,
        queryParams: hasQuery ? queryParams : undefined,
    }));
    // The query string as the SDK puts it on the URL (its invokeApi): names sorted, values
    // encoded with encodeURIComponent.
    const query = Object.keys(queryParams).sort()
        .map((name) => `${name}=${encodeURIComponent(queryParams[name])}`).join('&');
    requests.push({
        name: c.name, algorithm: c.algorithm, method: c.method, path: c.uri, query,
        payload: c.payload, date: c.date, headers,
    });
}

// 3. Button signatures.
const buttons = Object.keys(SALT).map((algorithm) => ({
    algorithm,
    signature: client('na', algorithm).generateButtonSignature(payload),
}));

process.stdout.write(JSON.stringify({ verified, rejected, requests, buttons }) + '\n');
