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
  const rand = random64().toString(36).padStart(13, '0').slice(0, 10);
  return now.toString(36).padStart(9, '0') + counter.toString(36).padStart(4, '0') + rand;
}

// Random bytes for ids drawn 4 KiB at a time from the same generator: one call into it per 512 ids rather than one
// per id (each message, file and delivery has one; the call was ~2 % of a message's CPU).
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function random64(): bigint {
  if (poolAt === pool.length) {
    crypto.randomFillSync(pool);
    poolAt = 0;
  }
  const value = pool.readBigUInt64BE(poolAt);
  poolAt += 8;
  return value;
}

export function randomToken(prefix: string, bytes = 32): string {
  return prefix + crypto.randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export const nowIso = () => new Date().toISOString();
