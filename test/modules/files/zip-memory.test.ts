// "Download as zip" holds memory flat: a real server process (tsx on src/main.ts, SQLite, local disk) streams a zip of
// 2 GiB of files (four 512 MiB sparse files) while this test samples its RSS from /proc. The zip is checked from its
// central directory (kept from the stream's tail; the body is never held): four entries of 512 MiB each whose CRC-32
// is that of 512 MiB of zeros, so every byte went through. Figures are printed; only the memory bound is asserted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import yauzl from 'yauzl';
import { afterAll, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../../support/process.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { TEST_SECRET_KEY } from '../../support/server.js';

const MiB = 1024 * 1024;
const FILE_SIZE = 512 * MiB;
const FILES = 4;
const TAIL = 4 * MiB;

let server: ServerProcess | undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-zipmem-'));
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const rssOf = (pid: number) => {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) * 1024 : 0;
};

/** Serves yauzl the bytes it asks for from the kept tail of the stream (the central directory lives there). */
class TailReader extends yauzl.RandomAccessReader {
  constructor(
    private tail: Buffer,
    private tailStart: number,
  ) {
    super();
  }
  override _readStreamForRange(start: number, end: number) {
    if (start < this.tailStart) throw new Error(`read at ${start} is before the kept tail`);
    return Readable.from([this.tail.subarray(start - this.tailStart, end - this.tailStart)]);
  }
}

function crcOfZeros(size: number): number {
  const chunk = Buffer.alloc(MiB);
  let crc = 0;
  for (let done = 0; done < size; done += MiB) crc = zlib.crc32(chunk.subarray(0, Math.min(MiB, size - done)), crc);
  return crc;
}

it('streams a 2 GiB zip with the server’s RSS staying flat', { timeout: 240_000 }, async () => {
  const admin = { email: 'owner@example.test', password: 'correct horse battery' };
  server = await spawnServer({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: admin.email,
    PARLEY_ADMIN_PASSWORD: admin.password,
    PARLEY_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: 'warn',
  });
  const url = server.url;
  const pid = server.child.pid!;
  const cookie = await login(url, admin.email, admin.password);
  const ws = (await call(url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
  const v = await widgetSession(url, ws.widgetKey);
  const ids: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const r = await upload(url, '/api/widget/chat/files', [{ name: `big-${i}.pdf`, data: pdf() }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(201);
    ids.push(r.body.files[0].id);
  }
  // Grow the stored files into 512 MiB sparse files of zeros, and tell the database their size.
  const db = new Database(path.join(dataDir, 'parley.db'));
  for (const id of ids) {
    const file = path.join(dataDir, 'files', 'ws', ws.id, id);
    fs.truncateSync(file, 0);
    fs.truncateSync(file, FILE_SIZE);
    db.prepare('update files set size = ? where id = ?').run(FILE_SIZE, id);
  }
  db.close();

  const zipOf = (body: unknown) =>
    fetch(`${url}/api/workspaces/${ws.id}/files/zip`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // Warm up (the route's code is loaded and compiled), then measure from idle.
  await (await zipOf({ fileIds: [ids[0]] })).body?.cancel();
  const idle = rssOf(pid);
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 25);

  const started = Date.now();
  const res = await zipOf({ fileIds: ids });
  expect(res.status).toBe(200);
  let total = 0;
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    kept.push(chunk);
    keptBytes += chunk.length;
    while (keptBytes - kept[0]!.length >= TAIL) keptBytes -= kept.shift()!.length;
  }
  const tail = Buffer.concat(kept);
  clearInterval(sampler);
  peak = Math.max(peak, rssOf(pid));
  const seconds = (Date.now() - started) / 1000;

  const zip = await yauzl.fromRandomAccessReaderPromise(new TailReader(tail, total - tail.length), total, {
    lazyEntries: true,
  });
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  const zeros = crcOfZeros(FILE_SIZE);
  expect(entries.map((e) => e.uncompressedSize)).toEqual(Array(FILES).fill(FILE_SIZE));
  expect(entries.every((e) => e.compressedSize === FILE_SIZE && e.crc32 === zeros)).toBe(true);
  expect(total).toBeGreaterThan(FILES * FILE_SIZE);

  const mb = (n: number) => (n / MiB).toFixed(0);
  console.log(
    `zip of ${mb(total)} MiB in ${seconds.toFixed(1)} s (${mb(total / seconds)} MiB/s); server RSS idle ${mb(idle)} ` +
      `MiB, peak ${mb(peak)} MiB (+${mb(peak - idle)} MiB)`,
  );
  // Flat: the growth while 2 GiB went through is a small constant, nowhere near the zip's size.
  expect(peak - idle).toBeLessThan(64 * MiB);
});
