// Standard Webhooks signatures: HMAC-SHA256 over "{msgId}.{timestamp}.{raw body}" keyed by the secret after "whsec_".
// Pure crypto only: no I/O, no clock. The incremental signer lets a caller hash a streamed body it never buffers.
import crypto from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** Decodes "whsec_<base64>" into the HMAC key; throws on anything else so a misconfigured secret is never used. */
function signingKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('signing secret must start with "whsec_"');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('signing secret is empty');
  return key;
}

export interface PayloadSigner {
  /** Feeds the next bytes of the raw body, in order. */
  update(chunk: Buffer): void;
  /** The header value, "v1,<base64>". Call once, after the last chunk. */
  signature(): string;
}

/** An incremental signer, for bodies that are streamed rather than held in memory. */
export function createPayloadSigner(secret: string, msgId: string, timestampSec: number): PayloadSigner {
  const hmac = crypto.createHmac('sha256', signingKey(secret));
  hmac.update(`${msgId}.${timestampSec}.`, 'utf8');
  return {
    update: (chunk) => void hmac.update(chunk),
    signature: () => `v1,${hmac.digest('base64')}`,
  };
}

/** Signs a body known in full (one buffer or its parts in order). */
export function signPayload(secret: string, msgId: string, timestampSec: number, body: Buffer | Buffer[]): string {
  const signer = createPayloadSigner(secret, msgId, timestampSec);
  for (const part of Array.isArray(body) ? body : [body]) signer.update(part);
  return signer.signature();
}

/**
 * True when any of the space-separated signatures in `header` matches. Only "v1," entries count; the comparison is
 * constant-time so a receiver built on this cannot leak how many bytes of a forged signature were right.
 */
export function verifySignature(
  secret: string,
  msgId: string,
  timestampSec: number,
  body: Buffer | Buffer[],
  header: string,
): boolean {
  const expected = Buffer.from(signPayload(secret, msgId, timestampSec, body).slice(3), 'base64');
  let matched = false;
  for (const entry of header.split(' ')) {
    if (!entry.startsWith('v1,')) continue;
    const candidate = Buffer.from(entry.slice(3), 'base64');
    // Keep looping after a match so timing does not reveal which entry matched.
    if (candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

/** A fresh secret: "whsec_" + base64 of 24 random bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(24).toString('base64');
}
