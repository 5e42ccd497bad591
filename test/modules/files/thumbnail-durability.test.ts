// Thumbnails are durable jobs written in the upload's own transaction: a server killed (SIGKILL, no shutdown code)
// after the upload committed and before its thumbnail was made makes the thumbnail once it runs again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../../support/process.js';
import { createPgDatabase, onPostgres } from '../../support/databases.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { png } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { TEST_ADMIN, TEST_SECRET_KEY, useServer } from '../../support/server.js';
import { s3StorageEnv, startS3rver, type S3Server } from '../../support/s3rver.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-thumb-crash-'));
const running: ServerProcess[] = [];
let dropDb: (() => Promise<void>) | undefined;

afterAll(async () => {
  for (const p of running) await p.kill().catch(() => {});
  await dropDb?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One data dir and database for both lives of the server. */
async function env() {
  const base: Record<string, string> = {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
    PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
    PARLEY_SECRET_KEY: TEST_SECRET_KEY,
    PARLEY_JOB_POLL_MS: '50',
  };
  if (onPostgres()) {
    const db = await createPgDatabase();
    dropDb = db.drop;
    base.DATABASE_URL = db.url;
  }
  return base;
}

describe("a crash between the upload's commit and its thumbnail", () => {
  it('makes the thumbnail after the restart', async () => {
    const settings = await env();
    // The first node takes the upload but runs no background work, so the crash is certain to come first.
    const first = await spawnServer({ ...settings, PARLEY_BACKGROUND_WORKERS: 'false' });
    running.push(first);
    const owner = await login(first.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(first.url, 'GET', '/api/workspaces', { cookie: owner })).body.workspaces[0];
    const visitor = await widgetSession(first.url, ws.widgetKey);
    const r = await upload(first.url, '/api/widget/chat/files', [{ name: 'photo.png', data: await png(200, 150) }], {
      token: visitor.visitorToken,
    });
    expect(r.status).toBe(201);
    const fileId = r.body.files[0].id as string;
    expect(r.body.files[0].thumbnailUrl).toBeUndefined();
    await first.kill();

    const second = await spawnServer(settings);
    running.push(second);
    const file = await eventually(async () => {
      const r = await call(second.url, 'GET', `/api/files/${fileId}`, { token: visitor.visitorToken });
      expect(r.body.file?.thumbnailUrl).toBeTruthy();
      return r.body.file;
    });
    const thumb = await fetch(second.url + file.thumbnailUrl);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    await second.stop();
  }, 240_000);
});

// Found by a review: a storage fault while reading an image (or writing its thumbnail) counted as "no preview for
// this file": the job ended without one, and that image never got a thumbnail.
describe('a storage outage while a thumbnail is made', () => {
  const BUCKET = 'parley-thumbs';
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
  });
  afterAll(async () => {
    await s3?.close();
  });
  const s = useServer(() => ({ env: { ...s3StorageEnv(s3, BUCKET), PARLEY_JOB_POLL_MS: '50' } }));

  it('makes it once the storage is back: the job is tried again, not done without one', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const db = s.parley.deps.db;
    // Stored files cannot be read back (their thumbnails' source).
    s3.failRequests((method, key) => method === 'GET' && key.includes('ws/') && !key.endsWith('.thumb'));
    let fileId: string;
    try {
      const r = await upload(
        s.url,
        '/api/widget/chat/files',
        [{ name: 'p.png', data: await png(), type: 'image/png' }],
        auth,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      fileId = r.body.files[0].id;
      await eventually(async () => {
        const job = await db.selectFrom('jobs').selectAll().where('kind', '=', 'files.thumbnails').executeTakeFirst();
        expect(job?.last_error).toBeTruthy();
        expect(job?.status).toBe('queued');
      });
    } finally {
      s3.failRequests(undefined);
    }
    await db
      .updateTable('jobs')
      .set({ run_at: new Date().toISOString() })
      .where('kind', '=', 'files.thumbnails')
      .execute();
    s.parley.deps.jobs.wake();
    await eventually(async () => {
      const file = (await call(s.url, 'GET', `/api/files/${fileId}`, auth)).body.file;
      expect(file.thumbnailUrl).toBeTruthy();
    });
  });
});
