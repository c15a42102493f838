'use strict';
// What the scripts that drive the emulator share: where it is (EMULATOR_URL, ADMIN_TOKEN), its
// admin API (which plays the buyer and moves the clock), a fresh merchant with an official SDK
// client for it, and idempotency keys.

const assert = require('assert');
const { randomUUID } = require('crypto');
const Client = require('@amazonpay/amazon-pay-api-sdk-nodejs');

const base = process.env.EMULATOR_URL;
const adminToken = process.env.ADMIN_TOKEN;
if (!base || !adminToken) {
    console.error('EMULATOR_URL and ADMIN_TOKEN are required');
    process.exit(2);
}

// Calls the admin API and returns its JSON answer; anything but a 2xx throws.
async function admin(method, path, body) {
    const response = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text);
}

// A new sandbox merchant (NA) and an unmodified SDK client signing as it with `algorithm`.
async function merchantClient(algorithm) {
    const merchant = await admin('POST', '/__admin/merchants', { region: 'na', environment: 'sandbox' });
    const client = new Client.WebStoreClient({
        publicKeyId: merchant.publicKeyId,
        privateKey: merchant.privateKeyPem,
        region: 'us',
        sandbox: true,
        algorithm,
        overrideServiceUrl: new URL(base).host,
    });
    return { merchant, client };
}

const idempotency = () => ({ 'x-amz-pay-idempotency-key': randomUUID().replace(/-/g, '') });

module.exports = { admin, merchantClient, idempotency };
