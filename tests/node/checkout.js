'use strict';
// Cross-implementation test: the official Amazon Pay Node.js SDK, unmodified, drives a whole
// checkout against the amzpay emulator over HTTPS:
//   create -> buyer sign-in and payment step (emulator admin API) -> update -> complete
//   -> get charge permission -> get charge
// Run by the Rust test `node::the_official_nodejs_sdk_completes_a_checkout_with_both_algorithms`.
// Environment: EMULATOR_URL (https://127.0.0.1:PORT), ADMIN_TOKEN, SIGNING_ALGORITHM,
// NODE_EXTRA_CA_CERTS (the emulator's ca.pem).

const assert = require('assert');
const { admin, merchantClient, idempotency } = require('./emulator');

const algorithm = process.env.SIGNING_ALGORITHM || 'AMZN-PAY-RSASSA-PSS-V2';

const SESSION_KEYS = [
    'checkoutSessionId', 'webCheckoutDetails', 'productType', 'paymentDetails',
    'chargePermissionType', 'orderType', 'recurringMetadata', 'paymentMethodOnFileMetadata',
    'merchantDetails', 'merchantMetadata', 'supplementaryData', 'buyer', 'billingAddress',
    'paymentPreferences', 'statusDetails', 'shippingAddress', 'platformId', 'chargePermissionId',
    'chargeId', 'constraints', 'creationTimestamp', 'expirationTimestamp', 'storeId',
    'providerMetadata', 'releaseEnvironment', 'checkoutButtonText', 'deliverySpecifications',
    'tokens',
];
const PERMISSION_KEYS = [
    'chargePermissionId', 'chargePermissionReferenceId', 'platformId', 'buyer', 'shippingAddress',
    'billingAddress', 'paymentPreferences', 'statusDetails', 'creationTimestamp',
    'expirationTimestamp', 'merchantMetadata', 'releaseEnvironment', 'limits',
    'chargePermissionType', 'recurringMetadata', 'presentmentCurrency',
];
const CHARGE_KEYS = [
    'chargeId', 'chargeAmount', 'chargePermissionId', 'captureAmount', 'refundedAmount',
    'softDescriptor', 'providerMetadata', 'convertedAmount', 'conversionRate', 'channel',
    'chargeInitiator', 'statusDetails', 'creationTimestamp', 'expirationTimestamp',
    'releaseEnvironment', 'merchantMetadata', 'platformId', 'webCheckoutDetails',
];
const TIMESTAMP = /^\d{8}T\d{6}Z$/;

function hasKeys(object, keys, what) {
    for (const key of keys) {
        assert.ok(Object.prototype.hasOwnProperty.call(object, key), `${what} has no ${key}`);
    }
}

async function main() {
    const { merchant, client } = await merchantClient(algorithm);

    // Create
    const created = await client.createCheckoutSession({
        storeId: merchant.storeId,
        webCheckoutDetails: {
            checkoutReviewReturnUrl: 'https://shop.example/review',
            checkoutResultReturnUrl: 'https://shop.example/result',
        },
        paymentDetails: {
            paymentIntent: 'Authorize',
            canHandlePendingAuthorization: false,
            chargeAmount: { amount: '14.00', currencyCode: 'USD' },
        },
        merchantMetadata: { merchantReferenceId: 'order-1', merchantStoreName: 'Node shop' },
    }, idempotency());
    assert.strictEqual(created.status, 201);
    assert.ok(created.headers['x-amz-pay-request-id'], 'x-amz-pay-request-id');
    assert.deepStrictEqual(Object.keys(created.data), SESSION_KEYS);
    const sessionId = created.data.checkoutSessionId;
    assert.strictEqual(created.data.statusDetails.state, 'Open');
    assert.match(created.data.creationTimestamp, TIMESTAMP);
    assert.deepStrictEqual(created.data.constraints.map((c) => c.constraintId), ['BuyerNotAssociated']);

    // The buyer signs in and runs the payment step (what the browser does on Amazon's pages).
    const signIn = await admin('POST', `/__admin/checkoutSessions/${sessionId}/sign-in`, { instrument: '1111' });
    assert.strictEqual(signIn.redirectUrl, `https://shop.example/review?amazonCheckoutSessionId=${sessionId}`);
    const got = await client.getCheckoutSession(sessionId);
    assert.strictEqual(got.status, 200);
    assert.deepStrictEqual(got.data.constraints, []);
    assert.ok(got.data.webCheckoutDetails.amazonPayRedirectUrl.includes(sessionId));
    assert.strictEqual(got.data.buyer.name, 'Test Buyer');
    const paid = await admin('POST', `/__admin/checkoutSessions/${sessionId}/pay`, {});
    assert.strictEqual(paid.redirectUrl, `https://shop.example/result?amazonCheckoutSessionId=${sessionId}`);

    // Update (metadata only: the payment step stays valid)
    const updated = await client.updateCheckoutSession(sessionId, {
        merchantMetadata: { noteToBuyer: 'Thank you!' },
    });
    assert.strictEqual(updated.status, 200);
    assert.strictEqual(updated.data.merchantMetadata.noteToBuyer, 'Thank you!');
    assert.strictEqual(updated.data.merchantMetadata.merchantReferenceId, 'order-1');

    // Complete
    const completed = await client.completeCheckoutSession(sessionId, {
        chargeAmount: { amount: '14.00', currencyCode: 'USD' },
    }, idempotency());
    assert.strictEqual(completed.status, 200);
    assert.deepStrictEqual(Object.keys(completed.data), SESSION_KEYS);
    assert.strictEqual(completed.data.statusDetails.state, 'Completed');
    const chargePermissionId = completed.data.chargePermissionId;
    const chargeId = completed.data.chargeId;
    assert.match(chargePermissionId, /^S01-\d{7}-\d{7}$/);
    assert.ok(chargeId.startsWith(`${chargePermissionId}-C`), chargeId);

    // Get Charge Permission
    const permission = await client.getChargePermission(chargePermissionId);
    assert.strictEqual(permission.status, 200);
    hasKeys(permission.data, PERMISSION_KEYS, 'the charge permission');
    assert.strictEqual(permission.data.statusDetails.state, 'NonChargeable');
    assert.strictEqual(permission.data.statusDetails.reasons[0].reasonCode, 'ChargeInProgress');
    assert.strictEqual(permission.data.chargePermissionType, 'OneTime');
    assert.deepStrictEqual(permission.data.limits.amountLimit, { amount: '14.00', currencyCode: 'USD' });
    assert.strictEqual(permission.data.releaseEnvironment, 'Sandbox');

    // Get Charge
    const charge = await client.getCharge(chargeId);
    assert.strictEqual(charge.status, 200);
    hasKeys(charge.data, CHARGE_KEYS, 'the charge');
    assert.strictEqual(charge.data.statusDetails.state, 'Authorized');
    assert.deepStrictEqual(charge.data.chargeAmount, { amount: '14.00', currencyCode: 'USD' });
    assert.strictEqual(charge.data.chargePermissionId, chargePermissionId);

    // A second Complete with a new key is refused in Amazon's error shape.
    await assert.rejects(
        client.completeCheckoutSession(sessionId, { chargeAmount: { amount: '14.00', currencyCode: 'USD' } }, idempotency()),
        (err) => {
            assert.strictEqual(err.response.status, 422);
            assert.strictEqual(err.response.data.reasonCode, 'InvalidCheckoutSessionStatus');
            return true;
        },
    );

    console.log(`checkout completed with ${algorithm}: ${sessionId} -> ${chargePermissionId} / ${chargeId}`);
}

main().catch((err) => {
    if (err && err.response) {
        console.error(`HTTP ${err.response.status}: ${JSON.stringify(err.response.data)}`);
    }
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
});
