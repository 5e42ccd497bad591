// The blob store port's promises, run unchanged against both adapters: local files in a temp dir, and S3 against a
// real s3rver in a child process. Local-only promises (key safety, temp sweeping) follow in their own block.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/storage/index.js';
import { createLocalStore, sweepTemp } from '../../src/storage/local.js';
import { createS3Store } from '../../src/storage/s3.js';
import { startS3rverProcess } from '../support/s3rver.js';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

interface StoreUnderTest {
  store: BlobStore;
  /** Temp files a put may leave behind (local only; S3 keeps none of its own). */
  tempFiles(): Promise<string[]>;
  close(): Promise<void>;
}

/** A fresh key per test, shaped like the ones Parley generates. */
const newKey = () => `ws/${crypto.randomUUID()}/${crypto.randomUUID()}`;

/** Streams `data` in CHUNK-sized pieces, the way a socket would deliver it. */
function streamOf(data: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      this.push(offset < data.length ? data.subarray(offset, (offset += CHUNK)) : null);
    },
  });
}

/**
 * Yields `total` bytes lazily as views of one repeated block, so the source itself allocates nothing and any growth
 * during a put is the store's; `tick` runs each time another `every` bytes have gone out.
 */
function lazyStreamOf(block: Buffer, total: number, tick?: { every: number; call: () => void }): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= total) return void this.push(null);
      const offset = sent % block.length;
      const piece = block.subarray(offset, Math.min(offset + CHUNK, block.length, offset + total - sent));
      if (tick && Math.floor(sent / tick.every) !== Math.floor((sent + piece.length) / tick.every)) tick.call();
      sent += piece.length;
      this.push(piece);
    },
  });
}

/** Sends `bytesBefore` random bytes, then fails with `error` (or is destroyed without one when error is undefined). */
function failingStream(bytesBefore: number, error: Error | undefined): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytesBefore) return void this.destroy(error);
      sent += CHUNK;
      this.push(crypto.randomBytes(CHUNK));
    },
  });
}

/** The engine's full garbage collector, without needing node --expose-gc on the command line. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function blobStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} blob store`, () => {
    let subject: StoreUnderTest;
    let store: BlobStore;
    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('passes its readiness check', async () => {
      await expect(store.check()).resolves.toBeUndefined();
    });

    it('stores a stream and reads it back byte-identical, reporting its size', async () => {
      const key = newKey();
      const data = crypto.randomBytes(5 * MiB);
      await expect(store.put(key, streamOf(data), { contentType: 'application/octet-stream' })).resolves.toEqual({
        size: data.length,
      });
      const back = await readAll(await store.get(key));
      expect(back.length).toBe(data.length);
      expect(back.equals(data)).toBe(true);
      await expect(store.stat(key)).resolves.toEqual({ size: data.length });
    });

    it('stores an empty stream as a zero-byte object', async () => {
      const key = newKey();
      await expect(store.put(key, streamOf(Buffer.alloc(0)))).resolves.toEqual({ size: 0 });
      await expect(store.stat(key)).resolves.toEqual({ size: 0 });
      expect((await readAll(await store.get(key))).length).toBe(0);
    });

    it('reads an inclusive byte range', async () => {
      const key = newKey();
      const data = crypto.randomBytes(100_000);
      await store.put(key, streamOf(data));
      const middle = await readAll(await store.get(key, { start: 1000, end: 4999 }));
      expect(middle.equals(data.subarray(1000, 5000))).toBe(true);
      const lastByte = await readAll(await store.get(key, { start: data.length - 1, end: data.length - 1 }));
      expect(lastByte.equals(data.subarray(data.length - 1))).toBe(true);
    });

    it.each([
      ['before the first 8 MiB part is full', 3 * MiB],
      ['after two multipart parts went out', 20 * MiB],
    ])('rejects with the source error when it fails %s, and leaves no object behind', async (_when, bytesBefore) => {
      const key = newKey();
      const clientGone = new Error('client went away');
      await expect(store.put(key, failingStream(bytesBefore, clientGone))).rejects.toBe(clientGone);
      await expect(store.stat(key)).resolves.toBeUndefined();
      await expect(store.list(path.posix.dirname(key) + '/')).resolves.toEqual([]);
      await expect(subject.tempFiles()).resolves.toEqual([]);
    });

    it('rejects a put whose source is destroyed mid-way, and leaves no object behind', async () => {
      const key = newKey();
      await expect(store.put(key, failingStream(1 * MiB, undefined))).rejects.toThrow();
      await expect(store.stat(key)).resolves.toBeUndefined();
      await expect(subject.tempFiles()).resolves.toEqual([]);
    });

    it('rejects with the error of a source failing before the store reads it (never uncaught)', async () => {
      // An upload's inspector refusing the content at once, while the store is still opening its temp file: the
      // error was emitted to nobody and crashed the process (found by CI on a tus upload's last PATCH).
      const key = newKey();
      const source = new PassThrough();
      const refused = new Error('the contents are not what the name says');
      const putting = store.put(key, source);
      source.destroy(refused);
      await expect(putting).rejects.toBe(refused);
      await expect(store.stat(key)).resolves.toBeUndefined();
      await expect(subject.tempFiles()).resolves.toEqual([]);
    });

    it('reports a missing key as NOT_FOUND on get, undefined on stat, and deletes it without complaint', async () => {
      const key = newKey();
      await expect(store.get(key)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
      await expect(store.get(key, { start: 0, end: 9 })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
      await expect(store.stat(key)).resolves.toBeUndefined();
      await expect(store.delete(key)).resolves.toBeUndefined();
    });

    it.runIf(name === 's3')(
      'copies another object of its bucket in, byte-identical (a finished tus upload)',
      async () => {
        const bytes = crypto.randomBytes(3 * 1024 * 1024 + 1);
        await store.put('ws/w1/copy-source', Readable.from([bytes]));
        // The source is named by its key in the bucket (tus uploads sit at its root, outside the store's prefix).
        expect(await store.copyIn!('ws/w1/copied', 'parley/ws/w1/copy-source')).toEqual({ size: bytes.length });
        expect(await sha256Of(await store.get('ws/w1/copied'))).toBe(
          crypto.createHash('sha256').update(bytes).digest('hex'),
        );
        // A missing source is the port's "no such object" (the upload's bytes are gone), not a storage fault.
        await expect(store.copyIn!('ws/w1/not-copied', 'parley/ws/w1/no-such-object')).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(await store.stat('ws/w1/not-copied')).toBeUndefined();
      },
    );

    it('delete removes the bytes', async () => {
      const key = newKey();
      await store.put(key, streamOf(Buffer.from('short-lived')));
      await store.delete(key);
      await expect(store.stat(key)).resolves.toBeUndefined();
      await expect(store.get(key)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    });

    it('lists the keys under a prefix, and only those', async () => {
      const workspace = `ws/${crypto.randomUUID()}`;
      const inside = [`${workspace}/a`, `${workspace}/b`, `${workspace}/b.thumb`];
      const outside = `${workspace}-other/a`;
      for (const key of [...inside, outside]) await store.put(key, streamOf(Buffer.from(key)));
      await expect(store.list(`${workspace}/`)).resolves.toEqual(inside);
      await expect(store.list(`${workspace}/b`)).resolves.toEqual([`${workspace}/b`, `${workspace}/b.thumb`]);
      await expect(store.list('ws/no-such-workspace/')).resolves.toEqual([]);
    });

    it('lists only keys written before a time, and has no partial write of an hour ago to sweep', async () => {
      const workspace = `ws/${crypto.randomUUID()}`;
      await store.put(`${workspace}/old`, streamOf(Buffer.from('old')));
      const future = Date.now() + 60_000;
      await expect(store.listOlderThan(`${workspace}/`, future)).resolves.toEqual([`${workspace}/old`]);
      await expect(store.listOlderThan(`${workspace}/`, Date.now() - 60_000)).resolves.toEqual([]);
      // Nothing was interrupted before an hour ago.
      await expect(store.sweepPartial(Date.now() - 3_600_000)).resolves.toBe(0);
    });

    it('stores a 64 MiB stream with a flat memory profile', async () => {
      const key = newKey();
      const total = 64 * MiB;
      const block = crypto.randomBytes(MiB);
      const expectedDigest = await sha256Of(lazyStreamOf(block, total));

      // Noise kept out: a 12 MiB warm-up compiles the code paths and grows V8's heap (too small to leave room that
      // could hide 64 MiB), and the source runs a full GC every 4 MiB, since V8 lets dead Buffers pile up to 64 MiB
      // first. A store that copies the stream into memory still grows by 64 MiB or more here.
      const collect = exposeGc();
      const warmUpKey = newKey();
      await store.put(warmUpKey, lazyStreamOf(block, 12 * MiB));
      await store.delete(warmUpKey);
      collect();
      const before = process.memoryUsage.rss();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
      try {
        const source = lazyStreamOf(block, total, { every: 4 * MiB, call: collect });
        await expect(store.put(key, source)).resolves.toEqual({ size: total });
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, process.memoryUsage.rss());
      expect((peak - before) / MiB).toBeLessThan(48);

      await expect(store.stat(key)).resolves.toEqual({ size: total });
      await expect(sha256Of(await store.get(key))).resolves.toBe(expectedDigest);
      await store.delete(key);
    });
  });
}

blobStoreContract('local', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-local-store-'));
  return {
    store: createLocalStore(root),
    tempFiles: async () => (fs.existsSync(path.join(root, '.tmp')) ? fs.readdirSync(path.join(root, '.tmp')) : []),
    close: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
});

blobStoreContract('s3', async () => {
  const bucket = 'parley-blob-store-test';
  // In its own process: the memory test measures this process, and the server's receive buffers are not the store's
  // (in-process, they pushed the peak to 48.2 MiB under CI load).
  const server = await startS3rverProcess([bucket]);
  const store = createS3Store({
    bucket,
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    prefix: 'parley',
  });
  return { store, tempFiles: async () => [], close: () => server.close() };
});

describe('local blob store, on its own', () => {
  let root: string;
  let store: BlobStore;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-local-store-'));
    store = createLocalStore(path.join(root, 'files'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('answers a put only after a sync of its folder begun after its rename; concurrent puts share syncs', async () => {
    // The instrumented seam: the directory fsync (real files, real renames). Each sync records the names present in the
    // folder when it began: a put's name must be among them (its rename came first) before the put resolves.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dir-sync-'));
    const syncs: { dir: string; sawNames: string[]; done: boolean }[] = [];
    const releases: (() => void)[] = [];
    const grouped = createLocalStore(dir, {
      syncDirectory: async (folder) => {
        const s = { dir: folder, sawNames: fs.existsSync(folder) ? fs.readdirSync(folder) : [], done: false };
        syncs.push(s);
        await new Promise<void>((resolve) => releases.push(resolve));
        s.done = true;
      },
    });
    const keys = Array.from({ length: 8 }, (_, i) => `ws/w1/f${i}`);
    const resolvedWith: Record<string, number> = {};
    const puts = keys.map((key) =>
      grouped.put(key, streamOf(Buffer.alloc(64 * 1024, 1))).then(() => {
        // The syncs of ws/w1 that had ended and had seen this name: at least one, or the answer came too early.
        resolvedWith[key] = syncs.filter(
          (s) => s.done && s.dir.endsWith('w1') && s.sawNames.includes(key.slice(6)),
        ).length;
      }),
    );
    // Release syncs as they come until every put is answered (never more than one running per folder).
    while (Object.keys(resolvedWith).length < keys.length) {
      await new Promise((r) => setTimeout(r, 20));
      releases.splice(0).forEach((release) => release());
    }
    await Promise.all(puts);
    for (const key of keys) expect(resolvedWith[key], key).toBeGreaterThanOrEqual(1);
    // Fewer fsyncs of ws/w1 than puts (grouped), and the new folders' parents were synced once made.
    expect(syncs.filter((s) => s.dir.endsWith(path.join('ws', 'w1'))).length).toBeLessThan(keys.length);
    expect(syncs.some((s) => s.dir === path.join(dir, 'ws'))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['../outside', 'ws/../../outside', 'ws/a/..', '/etc/passwd', 'ws\\a', 'ws/a\0b', 'ws//a', '.tmp/a', ''])(
    'refuses the key %j for every operation and writes nothing outside its root',
    async (key) => {
      await expect(store.put(key, streamOf(Buffer.from('x')))).rejects.toMatchObject({ code: 'EINVALIDKEY' });
      await expect(store.get(key)).rejects.toMatchObject({ code: 'EINVALIDKEY' });
      await expect(store.stat(key)).rejects.toMatchObject({ code: 'EINVALIDKEY' });
      await expect(store.delete(key)).rejects.toMatchObject({ code: 'EINVALIDKEY' });
      expect(fs.readdirSync(root).filter((name) => name !== 'files')).toEqual([]);
    },
  );

  it('links a finished local file in (no copy), syncs its folder, and copies only across file systems', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-put-file-'));
    const synced: string[] = [];
    const linking = createLocalStore(path.join(dir, 'files'), {
      syncDirectory: async (folder) => {
        synced.push(folder);
      },
    });
    const source = path.join(dir, 'upload-bytes');
    const bytes = crypto.randomBytes(300 * 1024);
    fs.writeFileSync(source, bytes);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(source, old, old);
    expect(await linking.putFile!('ws/w1/linked', source)).toEqual({ size: bytes.length });
    const target = path.join(dir, 'files', 'ws', 'w1', 'linked');
    // The same bytes under a second name; the object is new to the age-based sweeps.
    expect(fs.statSync(target).ino).toBe(fs.statSync(source).ino);
    expect(fs.statSync(target).mtimeMs).toBeGreaterThan(old.getTime() + 60_000);
    expect(await linking.listOlderThan('ws/', Date.now() - 60_000)).toEqual([]);
    expect(synced).toContain(path.join(dir, 'files', 'ws', 'w1'));
    // The source goes (as the tus copy does after the commit): the object stays whole.
    fs.rmSync(source);
    expect(await readAll(await linking.get('ws/w1/linked'))).toEqual(bytes);
    // A missing source is ENOENT (the upload's bytes are gone), and nothing is left under the key.
    await expect(linking.putFile!('ws/w1/missing', source)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await linking.stat('ws/w1/missing')).toBeUndefined();
    // Another file system (tmpfs): no link is possible, so the bytes are copied.
    const shm = fs.mkdtempSync(path.join('/dev/shm', 'parley-put-file-'));
    try {
      const elsewhere = path.join(shm, 'upload-bytes');
      fs.writeFileSync(elsewhere, bytes);
      expect(await linking.putFile!('ws/w1/copied', elsewhere)).toEqual({ size: bytes.length });
      const copied = path.join(dir, 'files', 'ws', 'w1', 'copied');
      expect(fs.statSync(copied).ino).not.toBe(fs.statSync(elsewhere).ino);
      expect(fs.readFileSync(copied)).toEqual(bytes);
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no temp file the moment a put rejects, even when the source fails before the file is open', async () => {
    const { PassThrough } = await import('node:stream');
    const tmp = path.join(root, 'files', '.tmp');
    for (let i = 0; i < 60; i++) {
      const source = new PassThrough();
      source.on('error', () => {});
      const put = store.put(`race/${i}`, source);
      const refuse = () => source.destroy(new Error('refused'));
      // Refusals land at different points of the put's start-up (before, during and after the file's open).
      [
        () => process.nextTick(refuse),
        () => setImmediate(refuse),
        () => setTimeout(refuse, 0),
        () => setTimeout(refuse, 1),
      ][i % 4]!();
      const error = await put.then(
        () => undefined,
        (err: Error) => err,
      );
      // Checked at once: the caller answers its client as soon as the put has rejected.
      expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
      expect(error?.message).toBe('refused');
    }
  });

  it('sweeps temp files a crash left behind, and keeps fresh ones', async () => {
    const tmp = path.join(root, 'files', '.tmp');
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'stale.part'), 'left by a crash');
    fs.writeFileSync(path.join(tmp, 'fresh.part'), 'an upload in progress');
    const anHourAgo = new Date(Date.now() - 60 * 60 * 1000);
    fs.utimesSync(path.join(tmp, 'stale.part'), anHourAgo, anHourAgo);

    await expect(sweepTemp(path.join(root, 'files'), 10 * 60 * 1000)).resolves.toBe(1);
    expect(fs.readdirSync(tmp)).toEqual(['fresh.part']);
    fs.rmSync(path.join(tmp, 'fresh.part'));
  });
});
