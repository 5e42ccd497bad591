// Short-lived signed download URLs (what the widget gets in `url`): HMAC over file id, variant and expiry.
import crypto from 'node:crypto';
import type { Keyring } from '../../keyring.js';

export type Variant = 'content' | 'thumbnail';

export function signFileUrl(
  keyring: Keyring,
  fileId: string,
  variant: Variant,
  ttlSeconds: number,
  now = Date.now(),
): string {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const sig = keyring.hmac('file-url', `${fileId}.${variant}.${exp}`);
  return `/api/files/${encodeURIComponent(fileId)}/${variant}?exp=${exp}&sig=${sig}`;
}

export function verifyFileUrl(
  keyring: Keyring,
  fileId: string,
  variant: Variant,
  exp: unknown,
  sig: unknown,
  now = Date.now(),
): boolean {
  if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d+$/.test(exp)) return false;
  if (Number(exp) * 1000 < now) return false;
  const expected = Buffer.from(keyring.hmac('file-url', `${fileId}.${variant}.${exp}`));
  const given = Buffer.from(sig);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
