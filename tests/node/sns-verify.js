// Verifies SNS notification envelopes with the npm package `sns-validator`, an SNS verifier not
// written by amzpay: amzpay's notification tests hand it what the emulator posted.
//
// Usage: SNS_HOST_PATTERN='^127\.0\.0\.1:8443$' NODE_EXTRA_CA_CERTS=ca.pem node sns-verify.js FILE...
// Prints one line per file: "valid FILE" or "invalid FILE: reason". Exits 0 once all are checked.
'use strict';

const fs = require('fs');
const MessageValidator = require('sns-validator');

const pattern = process.env.SNS_HOST_PATTERN;
if (!pattern) {
  console.error('SNS_HOST_PATTERN is required (the emulator host, e.g. ^127\\.0\\.0\\.1:8443$)');
  process.exit(2);
}
const validator = new MessageValidator(new RegExp(pattern));

function check(file) {
  return new Promise((resolve) => {
    const body = fs.readFileSync(file, 'utf8');
    validator.validate(body, (err) => {
      console.log(err ? `invalid ${file}: ${err.message}` : `valid ${file}`);
      resolve();
    });
  });
}

(async () => {
  for (const file of process.argv.slice(2)) {
    await check(file);
  }
})();
