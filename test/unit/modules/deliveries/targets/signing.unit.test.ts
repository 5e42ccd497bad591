// Standard Webhooks signing: what a receiver verifying with any Standard Webhooks library will accept.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateSigningSecret,
  signPayload,
  verifySignature,
} from '../../../../../src/modules/deliveries/targets/signing.js';

describe('webhook signing', () => {
  it('verifies what it signed, whether the body is one buffer or its parts', () => {
    const secret = generateSigningSecret();
    const body = Buffer.from('--b\r\nhello\r\n--b--\r\n');
    const signature = signPayload(secret, 'dlv_1', 1_700_000_000, body);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(signPayload(secret, 'dlv_1', 1_700_000_000, [body.subarray(0, 5), body.subarray(5)])).toBe(signature);
    expect(verifySignature(secret, 'dlv_1', 1_700_000_000, body, signature)).toBe(true);
  });

  it('matches an HMAC computed independently from the Standard Webhooks definition', () => {
    const key = Buffer.from('a fixed test signing key');
    const secret = `whsec_${key.toString('base64')}`;
    const body = Buffer.from('{"chatID":"c1"}');
    const expected = crypto.createHmac('sha256', key).update(`msg_42.1712345678.${body.toString()}`).digest('base64');
    expect(signPayload(secret, 'msg_42', 1712345678, body)).toBe(`v1,${expected}`);
  });

  it('accepts a header holding several signatures when one of them is right', () => {
    const secret = generateSigningSecret();
    const body = Buffer.from('payload');
    const good = signPayload(secret, 'id', 1, body);
    const other = signPayload(generateSigningSecret(), 'id', 1, body);
    expect(verifySignature(secret, 'id', 1, body, `${other} v1a,xyz ${good}`)).toBe(true);
    expect(verifySignature(secret, 'id', 1, body, other)).toBe(false);
  });

  it('rejects a tampered body, timestamp or id, and another secret', () => {
    const secret = generateSigningSecret();
    const body = Buffer.from('the original bytes');
    const signature = signPayload(secret, 'dlv_9', 1000, body);
    expect(verifySignature(secret, 'dlv_9', 1000, Buffer.from('the original bytez'), signature)).toBe(false);
    expect(verifySignature(secret, 'dlv_9', 1001, body, signature)).toBe(false);
    expect(verifySignature(secret, 'dlv_8', 1000, body, signature)).toBe(false);
    expect(verifySignature(generateSigningSecret(), 'dlv_9', 1000, body, signature)).toBe(false);
    expect(verifySignature(secret, 'dlv_9', 1000, body, 'v1,')).toBe(false);
  });

  it('generates whsec_ secrets of 24 random bytes, different every time', () => {
    const first = generateSigningSecret();
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(first.slice(6), 'base64')).toHaveLength(24);
    expect(generateSigningSecret()).not.toBe(first);
  });

  it('refuses a secret without the whsec_ prefix instead of signing with it', () => {
    expect(() => signPayload('not-a-secret', 'id', 1, Buffer.from('x'))).toThrow(/whsec_/);
  });
});
