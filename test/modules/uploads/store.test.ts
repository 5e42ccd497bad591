// The local upload store (the embedded default's @tus/file-store, extended): the running SHA-256 it keeps while a
// node writes every byte of an upload, so that the commit need not read them again, and when it must not be trusted
// (a gap in the offsets: another node or process wrote; a write that failed; a removed upload; another store).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config.js';
import { createUploadStore } from '../../../src/modules/uploads/stores.js';
import { newId } from '../../../src/ids.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-upload-store-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const config = { dataDir, storage: 'local', uploadExpiryHours: 24 } as Config;
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const data = crypto.randomBytes(3 * 1024 * 1024 + 17);

async function created(store: Awaited<ReturnType<typeof createUploadStore>>) {
  const id = newId();
  await store.create(new Upload({ id, size: data.length, offset: 0 }));
  return id;
}
/** A PATCH's body: `bytes` in network-sized chunks. */
const body = (bytes: Buffer) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536)),
  );

describe('the local upload store', () => {
  // Found by a review of the chaos suite's "vanished upload": FileStore's metadata store answered "no such upload"
  // (404: the client starts over) for any failure to read <id>.json, a disk failing or no file descriptors left.
  it('is missing only when its metadata is: unreadable metadata is an error of its own', async () => {
    const store = await createUploadStore(config);
    const status = (id: string) =>
      store.getUpload(id).then(
        () => 'found',
        (err: { status_code?: number; code?: string }) => err.status_code ?? err.code,
      );
    const unreadable = await created(store);
    const json = `${store.localPath!(unreadable)}.json`;
    fs.rmSync(json);
    fs.mkdirSync(json); // reading it fails (EISDIR), as a failing disk or a full file table would
    expect(await status(unreadable)).toBe('EISDIR');
    fs.rmdirSync(json);
    expect(await status(unreadable)).toBe(404);
    // Cut short by a crash while it was written: the upload is unusable, so missing.
    const cut = await created(store);
    fs.writeFileSync(`${store.localPath!(cut)}.json`, '{"id":');
    expect(await status(cut)).toBe(404);
  });

  it('removes whatever is left of an upload, and says no such upload only when nothing was', async () => {
    const store = await createUploadStore(config);
    const id = await created(store);
    fs.rmSync(store.localPath!(id));
    await store.remove(id);
    expect(fs.existsSync(`${store.localPath!(id)}.json`)).toBe(false);
    await expect(store.remove(id)).rejects.toMatchObject({ status_code: 404 });
  });

  it('knows the SHA-256 of an upload whose every byte it wrote, at exactly the size written', async () => {
    const store = await createUploadStore(config);
    const id = await created(store);
    let offset = 0;
    for (const end of [1_000_000, 2_500_000, data.length]) {
      offset = await store.write(body(data.subarray(offset, end)), id, offset);
      expect(offset).toBe(end);
      expect(store.digestOf!(id, end)).toBe(sha(data.subarray(0, end)));
      expect(store.digestOf!(id, end - 1)).toBeUndefined();
    }
    // Asking twice gives the same digest (a commit that failed may be retried).
    expect(store.digestOf!(id, data.length)).toBe(sha(data));
    expect(sha(fs.readFileSync(store.localPath!(id)))).toBe(sha(data));
    await store.remove(id);
    expect(store.digestOf!(id, data.length)).toBeUndefined();
  });

  it('drops it when bytes came from elsewhere: the next write does not follow on from what it hashed', async () => {
    const store = await createUploadStore(config);
    const id = await created(store);
    await store.write(body(data.subarray(0, 1_000_000)), id, 0);
    // Another node (or process) on the same directory appends the next bytes.
    fs.appendFileSync(store.localPath!(id), data.subarray(1_000_000, 2_000_000));
    expect(await store.write(body(data.subarray(2_000_000)), id, 2_000_000)).toBe(data.length);
    expect(store.digestOf!(id, data.length)).toBeUndefined();
    // A store that did not see the beginning (a restarted node) knows nothing either.
    const other = await createUploadStore(config);
    expect(await other.write(body(Buffer.alloc(0)), id, data.length)).toBe(data.length);
    expect(other.digestOf!(id, data.length)).toBeUndefined();
    await store.remove(id);
  });

  it('drops it after a write that failed half way, and does not take it up again', async () => {
    const store = await createUploadStore(config);
    const id = await created(store);
    await store.write(body(data.subarray(0, 1_000_000)), id, 0);
    const failing = new Readable({
      read() {
        this.push(data.subarray(1_000_000, 1_100_000));
        this.destroy(new Error('the client went away'));
      },
    });
    await expect(store.write(failing, id, 1_000_000)).rejects.toBeTruthy();
    const offset = fs.statSync(store.localPath!(id)).size;
    expect(await store.write(body(data.subarray(offset)), id, offset)).toBe(data.length);
    expect(store.digestOf!(id, data.length)).toBeUndefined();
    await store.remove(id);
  });
});
