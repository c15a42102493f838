'use strict';
// Benchmark: full checkouts driven by the official Amazon Pay Node.js SDK against the amzpay
// emulator, the same sequence of requests as amzpay-bench's Rust SDK figure:
//   create -> buyer sign-in (admin API) -> update -> payment step (admin API) -> complete
//   -> capture -> refund
// Capture and refund are left out when the emulator answers them with 404/405/501 (not
// implemented yet); the answer says which steps ran. Run by `amzpay-bench` (scripts/bench).
// Environment: EMULATOR_URL (https://127.0.0.1:PORT), ADMIN_TOKEN, NODE_EXTRA_CA_CERTS (the
// emulator's ca.pem), CONCURRENCY (default 1), SECONDS (default 5). Prints one JSON object.

const { admin, merchantClient, idempotency } = require('./emulator');

const concurrency = Number(process.env.CONCURRENCY || 1);
const seconds = Number(process.env.SECONDS || 5);

const amount = { amount: '14.00', currencyCode: 'USD' };
const notImplemented = (err) => err.response && [404, 405, 501].includes(err.response.status);

async function checkout(client, storeId, full) {
    const created = await client.createCheckoutSession({
        storeId,
        webCheckoutDetails: {
            checkoutReviewReturnUrl: 'https://shop.example/review',
            checkoutResultReturnUrl: 'https://shop.example/result',
        },
        paymentDetails: { paymentIntent: 'Authorize', canHandlePendingAuthorization: false, chargeAmount: amount },
        merchantMetadata: { merchantReferenceId: 'order-1', merchantStoreName: 'Node shop' },
    }, idempotency());
    const id = created.data.checkoutSessionId;
    await admin('POST', `/__admin/checkoutSessions/${id}/sign-in`, { instrument: '1111' });
    await client.updateCheckoutSession(id, { merchantMetadata: { noteToBuyer: 'Thank you!' } });
    await admin('POST', `/__admin/checkoutSessions/${id}/pay`, {});
    const completed = await client.completeCheckoutSession(id, { chargeAmount: amount }, idempotency());
    if (!full) return false;
    const chargeId = completed.data.chargeId;
    try {
        await client.captureCharge(chargeId, { captureAmount: amount }, idempotency());
        await client.createRefund({ chargeId, refundAmount: amount }, idempotency());
    } catch (err) {
        if (notImplemented(err)) return false;
        throw err;
    }
    return true;
}

async function main() {
    const { merchant, client } = await merchantClient('AMZN-PAY-RSASSA-PSS-V2');
    // One checkout decides the steps and warms up.
    const full = await checkout(client, merchant.storeId, true);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    const latencies = [];
    async function worker() {
        while (performance.now() < deadline) {
            const t = performance.now();
            await checkout(client, merchant.storeId, full);
            latencies.push(performance.now() - t);
        }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    latencies.sort((a, b) => a - b);
    const rank = (p) => latencies[Math.min(latencies.length, Math.max(1, Math.ceil(p / 100 * latencies.length))) - 1];
    console.log(JSON.stringify({
        checkouts: latencies.length,
        seconds: wall,
        perSecond: latencies.length / wall,
        p50Ms: rank(50),
        p99Ms: rank(99),
        cpuMs: (cpu.user + cpu.system) / 1000,
        steps: full ? 'full' : 'without-capture-and-refund',
    }));
}

main().catch((err) => {
    console.error(err && err.response ? `${err.message}: ${JSON.stringify(err.response.data)}` : err);
    process.exit(1);
});
