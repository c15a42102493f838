'use strict';
// Benchmark: the official Amazon Pay Node.js SDK signing a Complete Checkout Session request,
// through its public `getSignedHeaders` (canonical request, SHA-256s, RSA-PSS, header building),
// for both algorithms. Run by `amzpay-bench` (scripts/bench) beside the Rust SDK and
// `openssl speed`, in the same run.
//
// Rates are per CPU-second of this process (process.cpuUsage, user + system, like `openssl
// speed`) and per wall-clock second. Two key forms: the PEM string, as the SDK's README passes
// it (Node parses it on every signature), and a pre-parsed KeyObject.
// Environment: SECONDS (per measurement, default 3). Prints one JSON object.

const crypto = require('crypto');
const Client = require('@amazonpay/amazon-pay-api-sdk-nodejs');

const seconds = Number(process.env.SECONDS || 3);
const { privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const body = '{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}';
const sessionId = '7e9d5d2b-4f3c-4d8e-a1b2-c3d4e5f60718';

function options() {
    // prepareOptions rewrites urlFragment in place: a fresh object per call.
    return {
        method: 'POST',
        urlFragment: `checkoutSessions/${sessionId}/complete`,
        payload: body,
        headers: { 'x-amz-pay-idempotency-key': 'c2d3f1e0b4a5968778695a4b3c2d1e0f' },
    };
}

function measure(client) {
    for (let i = 0; i < 10; i++) client.getSignedHeaders(options());
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const end = t0 + BigInt(Math.round(seconds * 1e9));
    let count = 0;
    let now = t0;
    while (now < end) {
        client.getSignedHeaders(options());
        count++;
        now = process.hrtime.bigint();
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = Number(now - t0) / 1e9;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { count, perCpuSecond: count / cpuSeconds, perWallSecond: count / wall };
}

const rows = [];
for (const algorithm of ['AMZN-PAY-RSASSA-PSS', 'AMZN-PAY-RSASSA-PSS-V2']) {
    for (const [form, key] of [['pem', privateKey], ['keyobject', crypto.createPrivateKey(privateKey)]]) {
        const client = new Client.WebStoreClient({
            publicKeyId: 'SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B',
            privateKey: key,
            region: 'us',
            sandbox: true,
            algorithm,
        });
        rows.push({ algorithm, key: form, ...measure(client) });
    }
}
console.log(JSON.stringify({ node: process.version, openssl: process.versions.openssl, rows }));
