// The zip's CRC-32s come from zlib's native crc32 (zip.ts replaces buffer-crc32's JavaScript loop for yazl): the
// value yazl gets chunk by chunk is the file's CRC-32, as unzip tools check it.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import '../../../../src/modules/files/zip.js';

const crc = createRequire(import.meta.url)('buffer-crc32') as { unsigned(buf: Buffer, previous?: number): number };

/** The standard bitwise CRC-32 (IEEE 802.3, reflected), independent of both implementations. */
function reference(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

it('gives yazl the CRC-32 of a file fed to it in chunks, natively', () => {
  expect(crc.unsigned).not.toBe(undefined);
  const data = crypto.randomBytes(300_000);
  let running = 0;
  for (let at = 0; at < data.length; at += 65_536) running = crc.unsigned(data.subarray(at, at + 65_536), running);
  expect(running).toBe(reference(data));
  expect(crc.unsigned(data)).toBe(reference(data));
  expect(crc.unsigned(Buffer.from('123456789'))).toBe(0xcbf43926);
  expect(crc.unsigned(Buffer.alloc(0))).toBe(0);
  // The native one, not buffer-crc32's own (`_crc32.apply(…) >>> 0`, the byte loop).
  expect(crc.unsigned.toString()).not.toContain('_crc32');
  expect(crc.unsigned(data)).toBe(zlib.crc32(data));
});
