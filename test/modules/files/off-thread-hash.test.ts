// A large upload's SHA-256 is computed on a worker thread (files/off-thread-hash.ts), a small one's inline: the File
// answered and stored carries the digest of the bytes either way, and a refused large upload leaves no hash behind.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { offThreadDigests, offThreadHashesHeld } from '../../../src/modules/files/off-thread-hash.js';
import { useServer } from '../../support/server.js';
import { upload, widgetSession } from '../../support/client.js';

const s = useServer();
const MiB = 1024 * 1024;
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(size - 9)]);

/** A new visitor, after the workspace's size limit is set to `maxFileSizeKb`. */
async function visitorWithLimit(maxFileSizeKb: number) {
  const set = await s.call('PUT', s.api('/settings/file-upload'), { cookie: s.owner, body: { maxFileSizeKb } });
  expect(set.status).toBe(200);
  return widgetSession(s.url, s.widgetKey);
}

describe('the hash of an uploaded file', () => {
  it('is made off the event loop for a large upload, inline for a small one: the same digest', async () => {
    const v = await visitorWithLimit(20 * 1024);
    for (const [size, offThread] of [
      [9 * MiB + 5, 1],
      [MiB, 0],
    ] as const) {
      const bytes = pdf(size);
      const before = offThreadDigests();
      const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'big.pdf', data: bytes }], {
        token: v.visitorToken,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.files[0]).toMatchObject({ size, sha256: sha(bytes) });
      expect(offThreadDigests() - before).toBe(offThread);
      const stored = await s.call('GET', `/api/files/${r.body.files[0].id}`, { cookie: s.owner });
      expect(stored.body.file.sha256).toBe(sha(bytes));
    }
    expect(await offThreadHashesHeld()).toBe(0);
  });

  it('leaves no hash behind when a large upload is refused midway (too large)', async () => {
    const v = await visitorWithLimit(10 * 1024);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'huge.pdf', data: pdf(12 * MiB) }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('FILE_TOO_LARGE');
    expect(await offThreadHashesHeld()).toBe(0);
  });
});
