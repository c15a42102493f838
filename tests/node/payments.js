'use strict';
// Cross-implementation test: the official Amazon Pay Node.js SDK, unmodified, drives everything
// after Complete against the amzpay emulator over HTTPS:
//   update and get charge permission -> capture -> create and get refund (Refunded after 30 s on
//   the virtual clock) -> delivery tracker -> deferred charge -> cancel -> close permission
//   -> a simulated decline -> Get Buyer for an Amazon Sign-in token.
// Run by the Rust test `node::the_official_nodejs_sdk_captures_refunds_cancels_and_closes_with_both_algorithms`.
// Environment: EMULATOR_URL (https://127.0.0.1:PORT), ADMIN_TOKEN, SIGNING_ALGORITHM,
// NODE_EXTRA_CA_CERTS (the emulator's ca.pem).

const assert = require('assert');
const { admin, merchantClient, idempotency } = require('./emulator');

const algorithm = process.env.SIGNING_ALGORITHM || 'AMZN-PAY-RSASSA-PSS-V2';

const usd = (amount) => ({ amount, currencyCode: 'USD' });

async function rejects(promise, status, reasonCode) {
    await assert.rejects(promise, (err) => {
        assert.ok(err.response, `expected an HTTP error, got ${err}`);
        assert.strictEqual(err.response.status, status, JSON.stringify(err.response.data));
        assert.strictEqual(err.response.data.reasonCode, reasonCode);
        return true;
    });
}

async function main() {
    const { merchant, client } = await merchantClient(algorithm);

    async function checkout(paymentDetails) {
        const created = await client.createCheckoutSession({
            storeId: merchant.storeId,
            webCheckoutDetails: {
                checkoutReviewReturnUrl: 'https://shop.example/review',
                checkoutResultReturnUrl: 'https://shop.example/result',
            },
            paymentDetails,
        }, idempotency());
        const id = created.data.checkoutSessionId;
        await admin('POST', `/__admin/checkoutSessions/${id}/sign-in`, { instrument: '1111' });
        await admin('POST', `/__admin/checkoutSessions/${id}/pay`, {});
        const completed = await client.completeCheckoutSession(id, {
            chargeAmount: paymentDetails.chargeAmount,
        }, idempotency());
        assert.strictEqual(completed.data.statusDetails.state, 'Completed');
        return completed.data;
    }

    // Authorize at checkout, then update the permission's metadata.
    const session = await checkout({ paymentIntent: 'Authorize', chargeAmount: usd('50.00') });
    const permissionId = session.chargePermissionId;
    const chargeId = session.chargeId;
    const updated = await client.updateChargePermission(permissionId, {
        merchantMetadata: { merchantReferenceId: 'order-42', noteToBuyer: 'Thank you!' },
    });
    assert.strictEqual(updated.status, 200);
    assert.strictEqual(updated.data.merchantMetadata.merchantReferenceId, 'order-42');
    const permission = await client.getChargePermission(permissionId);
    assert.strictEqual(permission.data.merchantMetadata.noteToBuyer, 'Thank you!');
    assert.strictEqual(permission.data.statusDetails.reasons[0].reasonCode, 'ChargeInProgress');

    // Capture.
    const captured = await client.captureCharge(chargeId, {
        captureAmount: usd('50.00'),
        softDescriptor: 'NODE SHOP',
    }, idempotency());
    assert.strictEqual(captured.status, 200);
    assert.ok(captured.headers['x-amz-pay-request-id'], 'x-amz-pay-request-id');
    assert.strictEqual(captured.data.statusDetails.state, 'Captured');
    assert.deepStrictEqual(captured.data.captureAmount, usd('50.00'));
    const closed = await client.getChargePermission(permissionId);
    assert.strictEqual(closed.data.statusDetails.state, 'Closed');
    assert.strictEqual(closed.data.statusDetails.reasons[0].reasonCode, 'AmazonClosed');

    // Refund: initiated, then refunded 30 s later on the virtual clock.
    const refund = await client.createRefund({
        chargeId,
        refundAmount: usd('12.34'),
        softDescriptor: 'NODE REFUND',
    }, idempotency());
    assert.strictEqual(refund.status, 201);
    assert.deepStrictEqual(Object.keys(refund.data), [
        'refundId', 'chargeId', 'creationTimestamp', 'refundAmount', 'statusDetails',
        'softDescriptor', 'releaseEnvironment',
    ]);
    assert.strictEqual(refund.data.statusDetails.state, 'RefundInitiated');
    const refundId = refund.data.refundId;
    await admin('POST', `/__admin/merchants/${merchant.merchantId}/clock/advance`, { duration: '30s' });
    const refunded = await client.getRefund(refundId);
    assert.strictEqual(refunded.data.statusDetails.state, 'Refunded');
    const charge = await client.getCharge(chargeId);
    assert.deepStrictEqual(charge.data.refundedAmount, usd('12.34'));

    // Delivery tracker (a closed OneTime permission still takes tracking).
    const tracking = `NODE${Date.now()}${algorithm.length}`;
    const tracker = await client.deliveryTrackers({
        chargePermissionId: permissionId,
        deliveryDetails: [{ trackingNumber: tracking, carrierCode: 'UPS' }],
    });
    assert.strictEqual(tracker.status, 200);
    assert.deepStrictEqual(tracker.data.deliveryDetails, [{ trackingNumber: tracking, carrierCode: 'UPS' }]);
    await rejects(client.deliveryTrackers({
        chargePermissionId: permissionId,
        deliveryDetails: [{ trackingNumber: tracking, carrierCode: 'UPS' }],
    }), 400, 'InvalidParameterValue');

    // Deferred payment: Confirm, create a charge later, cancel it, close the permission.
    const deferred = await checkout({ paymentIntent: 'Confirm', chargeAmount: usd('30.00') });
    const created = await client.createCharge({
        chargePermissionId: deferred.chargePermissionId,
        chargeAmount: usd('30.00'),
        channel: 'Web',
        chargeInitiator: 'CITU',
    }, idempotency());
    assert.strictEqual(created.status, 201);
    assert.strictEqual(created.data.statusDetails.state, 'Authorized');
    const canceled = await client.cancelCharge(created.data.chargeId, { cancellationReason: 'Out of stock' });
    assert.strictEqual(canceled.status, 200);
    assert.strictEqual(canceled.data.statusDetails.state, 'Canceled');
    assert.strictEqual(canceled.data.statusDetails.reasonCode, 'MerchantCanceled');
    const closing = await client.closeChargePermission(deferred.chargePermissionId, {
        closureReason: 'Order canceled',
        cancelPendingCharges: true,
    });
    assert.strictEqual(closing.status, 200);
    assert.strictEqual(closing.data.statusDetails.state, 'Closed');
    assert.strictEqual(closing.data.statusDetails.reasons[0].reasonCode, 'MerchantClosed');

    // A simulated decline (the Node SDK signs the simulation header).
    const declining = await checkout({ paymentIntent: 'Confirm', chargeAmount: usd('5.00') });
    await rejects(client.createCharge({
        chargePermissionId: declining.chargePermissionId,
        chargeAmount: usd('5.00'),
    }, { ...idempotency(), 'x-amz-pay-simulation-code': 'HardDeclined' }), 422, 'HardDeclined');
    const invalid = await client.getChargePermission(declining.chargePermissionId);
    assert.strictEqual(invalid.data.statusDetails.reasons[0].reasonCode, 'PaymentMethodInvalid');

    // Amazon Sign-in: a buyer token for Get Buyer.
    const signIn = await admin('POST', `/__admin/merchants/${merchant.merchantId}/sign-in`, {
        scopes: ['name', 'email', 'postalCode'],
    });
    const buyer = await client.getBuyer(signIn.buyerToken);
    assert.strictEqual(buyer.status, 200);
    assert.strictEqual(buyer.data.buyerId, signIn.buyerId);
    assert.strictEqual(buyer.data.name, 'Test Buyer');
    assert.strictEqual(buyer.data.postalCode, '98109');

    console.log(`payments done with ${algorithm}: ${permissionId} / ${chargeId} / ${refundId}`);
}

main().catch((err) => {
    if (err && err.response) {
        console.error(`HTTP ${err.response.status}: ${JSON.stringify(err.response.data)}`);
    }
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
});
