// The FileInspector for bytes hashed as they arrived (a resumable upload's commit): only the head streams through,
// the rest is still counted against the size limit and the budget, and the digest is the one given.
import crypto from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FileInspector } from '../../../../src/modules/files/inspect.js';

const head = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(4091, 0x20)]);
const drain = () => new Writable({ write: (_c, _e, done) => done() });
const run = (inspector: FileInspector) => pipeline(Readable.from([head]), inspector, drain());

describe('FileInspector.presume', () => {
  it('takes the digest given and counts the unread bytes into the size', async () => {
    const digest = crypto.createHash('sha256').update('whatever came').digest('hex');
    const inspector = new FileInspector('pdf', 10_000, 10, { remainingBytes: Infinity }).presume(5_000, digest);
    await run(inspector);
    expect(inspector.size).toBe(head.length + 5_000);
    expect(await inspector.digest()).toBe(digest);
    expect(inspector.mimeType).toBe('application/pdf');
  });

  it('refuses when the unread bytes pass the size limit', async () => {
    const inspector = new FileInspector('pdf', 10_000, 10, { remainingBytes: Infinity }).presume(6_000, 'x');
    await expect(run(inspector)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('refuses when the unread bytes pass the budget (an hourly or workspace quota)', async () => {
    const inspector = new FileInspector('pdf', 1e9, 1e6, { remainingBytes: 8_000 }).presume(6_000, 'x');
    await expect(run(inspector)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});
