// Storage faults are the server's: a read-only file system, a full one, and an S3 endpoint that went away each answer
// 503 STORAGE_UNAVAILABLE with Retry-After, log the cause at error level beside the request id, and leave no partial
// file and no row. The file-system faults are real: a tiny tmpfs mounted over the files folder (needs root; skipped
// where mounting is not allowed).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { call, login, upload, widgetSession } from '../support/client.js';
import { pdf, png } from '../support/fixtures.js';
import { startServer, TEST_ADMIN, TEST_SECRET_KEY } from '../support/server.js';
import { s3StorageEnv, startS3rver } from '../support/s3rver.js';
import { tusCreate, tusHead, tusPatch } from '../support/tus.js';
import { PassThrough } from 'node:stream';
import { eventually } from '../support/eventually.js';
import Database from 'better-sqlite3';

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
})();

describe.skipIf(!canMount)('local storage on a file system that fails', () => {
  let dataDir: string;
  let filesDir: string;
  let server: ServerProcess;
  let cookie: string;
  let chatPath: string;
  let workspaceId: string;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-storage-fault-'));
    filesDir = path.join(dataDir, 'files');
    fs.mkdirSync(filesDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', filesDir]);
    server = await spawnServer({
      PARLEY_DATA_DIR: dataDir,
      PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
      PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
      PARLEY_SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'error',
    });
    cookie = await login(server.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(server.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
    workspaceId = ws.id;
    const v = await widgetSession(server.url, ws.widgetKey);
    chatPath = `/api/workspaces/${ws.id}/chats/${v.chat.id}/files`;
  });
  afterAll(async () => {
    await server?.stop();
    try {
      execFileSync('umount', [filesDir]);
    } catch {
      /* not mounted */
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const leftovers = () => {
    const tmp = path.join(filesDir, '.tmp');
    return fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
  };

  it('answers 503 STORAGE_UNAVAILABLE on a read-only file system, and logs the cause with the request id', async () => {
    execFileSync('mount', ['-o', 'remount,ro', filesDir]);
    try {
      const r = await upload(server.url, chatPath, [{ name: 'ro.pdf', data: pdf() }], { cookie });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('STORAGE_UNAVAILABLE');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      const line = await eventually(
        () => {
          const found = server
            .output()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l))
            .find((l) => l.code === 'STORAGE_UNAVAILABLE');
          expect(found).toBeDefined();
          return found;
        },
        { timeoutMs: 5000 },
      );
      expect(line).toMatchObject({ level: 50, cause: { syscall: expect.any(String) } });
      expect(['EROFS', 'ENOENT']).toContain(line.cause.code);
      expect(line.reqId).toBeTruthy();
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', filesDir]);
    }
  });

  it('answers 503 STORAGE_UNAVAILABLE when the disk fills mid-upload, keeps no partial file, and recovers', async () => {
    const r = await upload(server.url, chatPath, [{ name: 'big.pdf', data: pdf(3 * 1024 * 1024) }], { cookie });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('STORAGE_UNAVAILABLE');
    expect(leftovers()).toEqual([]);
    expect((await call(server.url, 'GET', chatPath, { cookie })).body.files).toEqual([]);
    const ok = await upload(server.url, chatPath, [{ name: 'small.pdf', data: pdf(2048) }], { cookie });
    expect(ok.status).toBe(201);
  });

  // Rocket.Chat #13249: the retention policy ran but the files stayed. A deletion is a durable job: bytes it could not
  // remove while the file system refused are removed by its retry once the file system takes writes again.
  it('deletes a file on a read-only file system: the row at once, the bytes once it takes writes again', async () => {
    const sent = await upload(server.url, chatPath, [{ name: 'gone.pdf', data: pdf(2048) }], { cookie });
    expect(sent.status).toBe(201);
    const id = sent.body.files[0].id as string;
    const bytes = path.join(filesDir, 'ws', workspaceId, id);
    expect(fs.existsSync(bytes)).toBe(true);
    execFileSync('mount', ['-o', 'remount,ro', filesDir]);
    try {
      const del = await call(server.url, 'DELETE', `/api/workspaces/${workspaceId}/files/${id}`, { cookie });
      expect(del.status).toBe(204);
      expect((await call(server.url, 'GET', chatPath, { cookie })).body.files.map((f: any) => f.id)).not.toContain(id);
      expect(fs.existsSync(bytes)).toBe(true);
      // The removal job has tried and failed (it is retried with backoff), so what follows is its retry at work.
      const db = new Database(path.join(dataDir, 'parley.db'), { readonly: true, fileMustExist: true });
      try {
        await eventually(() => {
          const job = db
            .prepare("SELECT attempts, last_error FROM jobs WHERE kind = 'files.delete_blobs' AND payload LIKE ?")
            .get(`%${id}%`) as { attempts: number; last_error: string | null } | undefined;
          expect(job?.last_error).toBeTruthy();
        });
      } finally {
        db.close();
      }
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', filesDir]);
    }
    await eventually(() => expect(fs.existsSync(bytes)).toBe(false), { timeoutMs: 30_000 });
  });
});

describe('S3 storage that went away', () => {
  it('answers 503 STORAGE_UNAVAILABLE and keeps no row', async () => {
    const s3 = await startS3rver(['primary']);
    const s = await startServer({
      env: {
        PARLEY_STORAGE: 's3',
        PARLEY_S3_BUCKET: 'primary',
        PARLEY_S3_ENDPOINT: s3.endpoint,
        PARLEY_S3_FORCE_PATH_STYLE: 'true',
        PARLEY_S3_ACCESS_KEY_ID: s3.accessKeyId,
        PARLEY_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    });
    try {
      const v = await widgetSession(s.url, s.widgetKey);
      expect(
        (await upload(s.url, '/api/widget/chat/files', [{ name: 'up.pdf', data: pdf() }], { token: v.visitorToken }))
          .status,
      ).toBe(201);
      await s3.close();
      const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'down.pdf', data: pdf() }], {
        token: v.visitorToken,
      });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('STORAGE_UNAVAILABLE');
      const files = await call(s.url, 'GET', '/api/widget/chat/files', { token: v.visitorToken });
      expect(files.body.files.map((f: { name: string }) => f.name)).toEqual(['up.pdf']);
    } finally {
      await s.close();
    }
  });

  // Found by a review: the thumbnail route's stat of the object rethrew S3's error as it came: 500 INTERNAL.
  it("answers a thumbnail's download 503 STORAGE_UNAVAILABLE while S3 is down, then serves it", async () => {
    const s3 = await startS3rver(['primary']);
    const s = await startServer({ env: { ...s3StorageEnv(s3, 'primary'), PARLEY_JOB_POLL_MS: '50' } });
    try {
      const v = await widgetSession(s.url, s.widgetKey);
      const auth = { token: v.visitorToken };
      const r = await upload(
        s.url,
        '/api/widget/chat/files',
        [{ name: 'p.png', data: await png(), type: 'image/png' }],
        auth,
      );
      expect(r.status).toBe(201);
      const fileId = r.body.files[0].id;
      const thumb = await eventually(async () => {
        const url = (await call(s.url, 'GET', `/api/files/${fileId}`, auth)).body.file.thumbnailUrl;
        expect(url).toBeTruthy();
        return url as string;
      });
      await s3.stop();
      try {
        const down = await call(s.url, 'GET', thumb, auth);
        expect(down.status, JSON.stringify(down.body)).toBe(503);
        expect(down.body.error.code).toBe('STORAGE_UNAVAILABLE');
      } finally {
        await s3.start();
      }
      expect((await call(s.url, 'GET', thumb, auth)).status).toBe(200);
    } finally {
      await s.close();
      await s3.close();
    }
  });

  // Found by the chaos suite (npm run chaos): the resumable path answered 500 INTERNAL and logged nothing.
  it('on the resumable (tus) path too: 503 STORAGE_UNAVAILABLE with Retry-After and an error line, then it resumes', async () => {
    const s3 = await startS3rver(['primary']);
    const logs = new PassThrough();
    let logged = '';
    logs.on('data', (d) => (logged += d));
    const s = await startServer({ env: s3StorageEnv(s3, 'primary'), logStream: logs });
    try {
      const v = await widgetSession(s.url, s.widgetKey);
      const auth = { token: v.visitorToken };
      const data = pdf(300 * 1024, 'tus-outage');
      const created = await tusCreate(s.url, auth, data.length, { filename: 'resumed.pdf' });
      expect(created.status).toBe(201);
      expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 100 * 1024))).status).toBe(204);

      await s3.stop();
      const refusals = [
        await tusPatch(created.url!, auth, 100 * 1024, data.subarray(100 * 1024)),
        await tusCreate(s.url, auth, 10, { filename: 'new.pdf' }),
        await tusHead(created.url!, auth),
      ];
      for (const r of refusals) {
        expect(r.status).toBe(503);
        if (r.body) expect(r.body.error.code).toBe('STORAGE_UNAVAILABLE'); // a HEAD answer has no body
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const lines = logged
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((l) => l.code === 'STORAGE_UNAVAILABLE');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[0]).toMatchObject({ level: 50, cause: { code: 'ECONNREFUSED' } });
      expect(lines[0].reqId).toBeTruthy();

      await s3.start();
      const offset = Number((await tusHead(created.url!, auth)).headers.get('upload-offset'));
      const done = await tusPatch(created.url!, auth, offset, data.subarray(offset));
      expect(done.status).toBe(204);
      const fileId = done.headers.get('parley-file-id');
      const file = await call(s.url, 'GET', `/api/files/${fileId}`, { token: v.visitorToken });
      expect(file.body.file.name).toBe('resumed.pdf');
      expect(file.body.file.size).toBe(data.length);
    } finally {
      await s.close();
      await s3.close();
    }
  });
});
