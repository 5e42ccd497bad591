// A thumbnail of a file on the local store is made by a preview worker reading the stored file itself: the server
// does not read the bytes and pipe them to the worker (a 1 MiB PDF cost the server's event loop ~2.6 ms that way,
// competing with the uploads in flight; issue 18). Where objects are not local files (S3), the bytes still stream.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeThumbnail, previewPool, type PreviewSettings } from '../../../src/modules/files/thumbnail.js';
import type { BlobStore } from '../../../src/storage/index.js';
import { createLocalStore } from '../../../src/storage/local.js';
import { pdfWithPage, png } from '../../support/fixtures.js';

const settings: PreviewSettings = {
  previewWorkers: 1,
  previewMemoryMb: 256,
  previewTimeoutMs: 20_000,
  previewMaxJobs: 50,
  previewRecycleRssMb: 256,
  previewIdleMs: 5_000,
  previewNice: 0,
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-thumb-local-'));
const store = createLocalStore(dir);

afterAll(async () => {
  await previewPool(settings)?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The store, with its reads counted (and, for `s3Like`, without the local file a worker could read). */
function counted(s3Like: boolean) {
  const reads = { count: 0 };
  const wrapped: BlobStore = {
    ...store,
    get: (key, range) => {
      reads.count++;
      return store.get(key, range);
    },
    localFile: s3Like ? undefined : store.localFile,
  };
  return { wrapped, reads };
}

describe('thumbnails of local files', () => {
  it.each([
    ['image/png', 'png', async () => png(120, 80)],
    ['application/pdf', 'pdf', async () => pdfWithPage()],
  ])('makes the %s thumbnail with no read of the bytes by the server', async (mimeType, ext, bytes) => {
    const sourceKey = `ws/chat/source.${ext}`;
    await store.put(sourceKey, Readable.from([await bytes()]));
    const { wrapped, reads } = counted(false);
    const made = await makeThumbnail(wrapped, { mimeType, sourceKey, thumbKey: `ws/chat/thumb-${ext}.webp` }, settings);
    expect(made).toBe(true);
    expect(reads.count).toBe(0);
    const thumb = await store.get(`ws/chat/thumb-${ext}.webp`);
    const chunks: Buffer[] = [];
    for await (const c of thumb) chunks.push(c as Buffer);
    expect((await sharp(Buffer.concat(chunks)).metadata()).format).toBe('webp');
  });

  it('streams the bytes where the store has no local file (S3), and reports a missing file as no preview', async () => {
    const sourceKey = 'ws/chat/streamed.png';
    await store.put(sourceKey, Readable.from([await png(30, 30)]));
    const s3 = counted(true);
    expect(
      await makeThumbnail(s3.wrapped, { mimeType: 'image/png', sourceKey, thumbKey: 'ws/chat/t2.webp' }, settings),
    ).toBe(true);
    expect(s3.reads.count).toBe(1);
    const local = counted(false);
    const missing = { mimeType: 'image/png', sourceKey: 'ws/chat/gone.png', thumbKey: 'ws/chat/t3.webp' };
    expect(await makeThumbnail(local.wrapped, missing, settings)).toBe(false);
    expect(await store.stat('ws/chat/t3.webp')).toBeUndefined();
  });
});
