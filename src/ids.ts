// Opaque, time-ordered ids (newest sorts last) and random secrets.
import crypto from 'node:crypto';

let lastMs = 0;
let counter = 0;

/** 9 chars of base36 milliseconds + a 4-char monotonic counter + 10 random chars: sortable and unguessable. */
export function newId(): string {
  const now = Date.now();
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  const rand = crypto.randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0').slice(0, 10);
  return now.toString(36).padStart(9, '0') + counter.toString(36).padStart(4, '0') + rand;
}

export function randomToken(prefix: string, bytes = 32): string {
  return prefix + crypto.randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export const nowIso = () => new Date().toISOString();
