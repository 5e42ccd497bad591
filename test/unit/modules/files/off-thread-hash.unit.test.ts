// SHA-256 on a worker thread (a large upload's hash, off the event loop's thread): the same digest as hashing inline
// whatever the chunks, streams kept apart, the worker waited for when it is behind, and no hash left behind in it.
import crypto from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FileInspector } from '../../../../src/modules/files/inspect.js';
import {
  InlineSha256,
  OffThreadSha256,
  offThreadDigests,
  offThreadHashesHeld,
  streamSha256,
} from '../../../../src/modules/files/off-thread-hash.js';

const MiB = 1024 * 1024;
const sha = (...parts: Buffer[]) => {
  const hash = crypto.createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
};
/** `total` random bytes cut at `sizes` (cycled). */
function chunks(total: number, sizes: number[]): Buffer[] {
  const bytes = crypto.randomBytes(total);
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < total; i++) {
    const n = Math.min(sizes[i % sizes.length]!, total - at);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

async function offThread(parts: Buffer[]): Promise<string> {
  const hash = new OffThreadSha256();
  for (const part of parts) await hash.update(part);
  return hash.digest();
}

describe('OffThreadSha256', () => {
  it('gives the digest crypto gives inline, whatever the chunks', async () => {
    const before = offThreadDigests();
    const cases = [
      [Buffer.from('a')],
      chunks(256 * 1024, [256 * 1024]),
      chunks(256 * 1024 + 1, [256 * 1024]),
      chunks(3 * MiB + 17, [1, 65_536, 199_999, 7]),
      chunks(9 * MiB, [65_536]),
      chunks(5 * MiB, [5 * MiB]),
    ];
    for (const parts of cases) expect(await offThread(parts)).toBe(sha(...parts));
    expect(offThreadDigests() - before).toBe(cases.length);
    // Nothing taken: the empty digest, without a word to the worker.
    expect(await offThread([])).toBe(sha());
    expect(await offThread([Buffer.alloc(0)])).toBe(sha());
    expect(offThreadDigests() - before).toBe(cases.length);
    expect(await offThreadHashesHeld()).toBe(0);
  });

  it('keeps concurrent streams apart', async () => {
    const streams = Array.from({ length: 12 }, (_, i) => chunks(MiB + i * 4099, [65_536, 1_000 + i]));
    const hashes = streams.map(() => new OffThreadSha256());
    const longest = Math.max(...streams.map((s) => s.length));
    for (let i = 0; i < longest; i++) {
      await Promise.all(streams.map((parts, s) => (i < parts.length ? hashes[s]!.update(parts[i]!) : undefined)));
    }
    const digests = await Promise.all(hashes.map((h) => h.digest()));
    expect(digests).toEqual(streams.map((parts) => sha(...parts)));
    expect(await offThreadHashesHeld()).toBe(0);
  });

  it('has the caller wait once more than 4 MiB wait for the worker, and the wait ends', async () => {
    const hash = new OffThreadSha256();
    const small = hash.update(crypto.randomBytes(MiB));
    expect(small).toBeUndefined();
    const big = crypto.randomBytes(16 * MiB);
    // Nothing the worker answers can arrive while update() runs: 17 MiB are in flight when it returns.
    const wait = hash.update(big);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(await hash.digest()).toHaveLength(64);
  });

  it('lets a dropped stream go, and refuses a second digest', async () => {
    const dropped = new OffThreadSha256();
    await dropped.update(crypto.randomBytes(MiB));
    dropped.drop();
    const done = new OffThreadSha256();
    await done.update(Buffer.from('x'));
    expect(await done.digest()).toBe(sha(Buffer.from('x')));
    await expect(done.digest()).rejects.toThrow(/finished or dropped/);
    expect(await offThreadHashesHeld()).toBe(0);
  });
});

describe('InlineSha256', () => {
  it('has the same interface: never behind, the digest crypto gives, a second digest refused', async () => {
    const parts = chunks(3 * MiB + 5, [65_536, 7]);
    const hash = streamSha256(false);
    expect(hash).toBeInstanceOf(InlineSha256);
    expect(streamSha256(true)).toBeInstanceOf(OffThreadSha256);
    for (const part of parts) expect(hash.update(part)).toBeUndefined();
    hash.drop(); // nothing to let go: the hash stays usable
    expect(await hash.digest()).toBe(sha(...parts));
    await expect(hash.digest()).rejects.toThrow();
    expect(await new InlineSha256().digest()).toBe(sha());
  });
});

describe('FileInspector with the hash inline or off the thread', () => {
  const drain = () => new Writable({ write: (_c, _e, done) => done() });
  const pdf = (total: number) => {
    const parts = chunks(total, [65_536, 12_345]);
    parts[0] = Buffer.concat([Buffer.from('%PDF-1.4\n'), parts[0]!.subarray(9)]);
    return parts;
  };

  it.each([true, false])(
    'passes every byte through in order and gives their digest (off the thread: %s)',
    async (hashOffThread) => {
      const before = offThreadDigests();
      const parts = pdf(10 * MiB + 3);
      const inspector = new FileInspector('pdf', 20 * MiB, 20 * 1024, { remainingBytes: Infinity }, { hashOffThread });
      const seen = crypto.createHash('sha256');
      await pipeline(
        Readable.from(parts),
        inspector,
        new Writable({
          write: (c, _e, done) => {
            seen.update(c);
            done();
          },
        }),
      );
      expect(seen.digest('hex')).toBe(sha(...parts));
      expect(await inspector.digest()).toBe(sha(...parts));
      expect(await inspector.digest()).toBe(sha(...parts)); // asked again: the same answer
      expect(offThreadDigests() - before).toBe(hashOffThread ? 1 : 0);
      expect(inspector.size).toBe(10 * MiB + 3);
      expect(await offThreadHashesHeld()).toBe(0);
    },
  );

  it('refused midway (too large), it leaves no hash in the worker', async () => {
    const inspector = new FileInspector(
      'pdf',
      2 * MiB,
      2 * 1024,
      { remainingBytes: Infinity },
      { hashOffThread: true },
    );
    await expect(pipeline(Readable.from(pdf(3 * MiB)), inspector, drain())).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
    });
    expect(await offThreadHashesHeld()).toBe(0);
  });
});
