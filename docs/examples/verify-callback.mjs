// Verifies a Parley callback (Standard Webhooks signature) over the RAW body bytes, as received.
// Use it with the body as a Buffer, before any multipart or JSON parsing (Express: express.raw({ type: '*/*' })).
// Run as a script: node verify-callback.mjs <secret> <webhook-id> <webhook-timestamp> <webhook-signature> < body
import crypto from 'node:crypto';

const TOLERANCE_SECONDS = 5 * 60;

/**
 * @param {string} secret the signing secret shown in Parley ("whsec_…")
 * @param {{ 'webhook-id': string, 'webhook-timestamp': string, 'webhook-signature': string }} headers
 * @param {Buffer} rawBody the request body exactly as received (never decoded to a string)
 * @returns {boolean}
 */
export function verifyCallback(secret, headers, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return false;
  // Refuse old or future-dated messages, so a captured request cannot be replayed later.
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(String(secret ?? '').replace(/^whsec_/, ''), 'base64');
  if (key.length < 16) return false; // no secret (or a mangled one): anyone could sign with it
  const hmac = crypto.createHmac('sha256', key);
  hmac.update(`${id}.${timestamp}.`, 'utf8');
  hmac.update(rawBody); // the bytes themselves: a PDF or an image is not valid UTF-8 text
  const expected = hmac.digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [secret, id, timestamp, signature] = process.argv.slice(2);
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
  const valid = verifyCallback(secret, headers, Buffer.concat(chunks));
  console.log(valid ? 'valid' : 'invalid');
  process.exit(valid ? 0 : 1);
}
