'use strict';
// Observes what the official Amazon Pay Node.js SDK, unmodified, does on its own with 503 and 429
// answers, against fault rules in the emulator:
//   a rule answers 503 to the next 2 Create Checkout Session requests of a fresh merchant, a second
//   rule answers 429 to the one after them.
// The SDK's source means to retry 408, 425, 429 and 5xx after 2, 4 and 8 s (src/clientHelper.js,
// `retryLogic`); this script records what actually reaches the emulator, both from the client
// side (an axios interceptor: the SDK sends through the shared axios module) and from the
// emulator's side (each rule's `hits` and `matched` in `GET /__admin/faults`), and asserts it, so
// it fails the day the SDK's behaviour changes.
// Run by the Rust test `node::the_official_nodejs_sdk_does_not_retry_503_or_429_answers`.
// Environment: EMULATOR_URL (https://127.0.0.1:PORT), ADMIN_TOKEN, SIGNING_ALGORITHM,
// NODE_EXTRA_CA_CERTS (the emulator's ca.pem).

const assert = require('assert');
const axios = require('axios');
const { admin, merchantClient, idempotency } = require('./emulator');

const algorithm = process.env.SIGNING_ALGORITHM || 'AMZN-PAY-RSASSA-PSS-V2';

// Every request the SDK hands to axios, with the idempotency key it carries.
const sent = [];
axios.interceptors.request.use((config) => {
    const headers = config.headers || {};
    const key = typeof headers.get === 'function'
        ? headers.get('x-amz-pay-idempotency-key')
        : headers['x-amz-pay-idempotency-key'];
    sent.push({ method: config.method, url: config.url, key });
    return config;
});

async function rule(id) {
    const { rules } = await admin('GET', '/__admin/faults');
    const found = rules.find((r) => r.id === id);
    assert.ok(found, `rule ${id} is listed`);
    return found;
}

// Awaits one SDK call that must fail with `status` and `reasonCode`; returns how long it took.
async function failsWith(call, status, reasonCode) {
    const started = Date.now();
    await assert.rejects(call(), (err) => {
        assert.ok(err.response, `expected an HTTP error, got ${err}`);
        assert.strictEqual(err.response.status, status, JSON.stringify(err.response.data));
        assert.strictEqual(err.response.data.reasonCode, reasonCode);
        assert.ok(err.response.headers['x-amzpay-emulator-fault'], 'the answer names its fault rule');
        return true;
    });
    return Date.now() - started;
}

async function main() {
    const { merchant, client } = await merchantClient(algorithm);
    const merchantId = merchant.merchantId;
    // The rules match this merchant only, so the run with the other algorithm (same emulator)
    // never sees them; rules apply in the order they were added, so the 503s come first.
    const unavailable = await admin('POST', '/__admin/faults', {
        merchantId,
        operation: 'CreateCheckoutSession',
        count: 2,
        fault: { kind: 'error', status: 503 },
    });
    const throttled = await admin('POST', '/__admin/faults', {
        merchantId,
        operation: 'CreateCheckoutSession',
        count: 1,
        fault: { kind: 'error', status: 429 },
    });

    const headers = idempotency();
    const key = headers['x-amz-pay-idempotency-key'];
    const create = () => client.createCheckoutSession({
        storeId: merchant.storeId,
        webCheckoutDetails: { checkoutReviewReturnUrl: 'https://shop.example/review' },
    }, headers);

    // First call: the 503 comes back to the caller after one request. Had the SDK retried, its
    // retry (2 s later) would have met the second 503, then the 429, then succeeded.
    const firstMs = await failsWith(create, 503, 'ServiceUnavailable');
    assert.strictEqual(sent.length, 1, `the SDK sent ${JSON.stringify(sent)}`);
    assert.strictEqual((await rule(unavailable.id)).hits, 1);
    assert.ok(firstMs < 2000, `the 503 came back after ${firstMs} ms, so no retry wait ran`);

    // The caller retries with the same headers: the second 503, again one request.
    await failsWith(create, 503, 'ServiceUnavailable');
    assert.strictEqual(sent.length, 2);
    assert.strictEqual((await rule(unavailable.id)).hits, 2);

    // The 429 is not retried either.
    const throttledMs = await failsWith(create, 429, 'TooManyRequests');
    assert.strictEqual(sent.length, 3);
    const afterThrottle = await rule(throttled.id);
    assert.strictEqual(afterThrottle.hits, 1);
    assert.strictEqual(afterThrottle.matched, 1);
    assert.ok(throttledMs < 2000, `the 429 came back after ${throttledMs} ms`);

    // The fourth attempt meets no rule with hits left and creates the session.
    const created = await create();
    assert.strictEqual(created.status, 201);
    assert.strictEqual(created.headers['x-amzpay-emulator-fault'], undefined);
    assert.strictEqual(sent.length, 4);
    // Every attempt carried the caller's key: the SDK neither makes one up nor changes it.
    for (const request of sent) {
        assert.strictEqual(request.method, 'post');
        assert.ok(request.url.endsWith('/v2/checkoutSessions'), request.url);
        assert.strictEqual(request.key, key);
    }
    // The failed answers recorded nothing under the key, so the fourth attempt was the one
    // execution: one Checkout Session.
    const counts = await admin('GET', `/__admin/merchants/${merchantId}/objects`);
    assert.strictEqual(counts.checkoutSessions, 1);
    const final503 = await rule(unavailable.id);
    assert.strictEqual(final503.hits, 2);
    assert.strictEqual(final503.matched, 2);
    assert.strictEqual((await rule(throttled.id)).hits, 1);

    console.log(`${algorithm}: 4 calls, 4 requests (503, 503, 429, 201), one key; `
        + `first 503 after ${firstMs} ms, 429 after ${throttledMs} ms`);
    console.log('no retries observed');
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
