// The upload store is reconciled too: bytes of a resumable upload that has no row (its row gone with a database
// restored from an older backup, or deleted by hand) are never reached by the expiry job, so the uploads.reconcile
// pass (at start, then hourly) removes them once older than PARLEY_ORPHAN_AGE_S. An upload with a row is kept and
// still resumes; a file in the folder that is not an upload's is not touched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.js';
import { dropPgDatabase } from '../../support/databases.js';
import { widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { tusCreate, tusHead, tusPatch } from '../../support/tus.js';
import { jobsRepo } from '../../../src/jobs/repo.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tus-reconcile-'));
const servers: TestServer[] = [];
let databaseUrl: string | undefined;

afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl) await dropPgDatabase(databaseUrl);
});

describe('upload store reconciliation', () => {
  it('removes old bytes of uploads without a row, keeps uploads with one (they resume) and foreign files', async () => {
    const first = await startServer({ dataDir, keep: true });
    servers.push(first);
    databaseUrl = first.databaseUrl;
    const v = await widgetSession(first.url, first.widgetKey);
    const auth = { token: v.visitorToken };
    const bytes = pdf(200 * 1024, 'kept');
    const created = await tusCreate(first.url, auth, bytes.length, { filename: 'kept.pdf' });
    expect((await tusPatch(created.url!, auth, 0, bytes.subarray(0, 100 * 1024))).status).toBe(204);
    const keptId = created.url!.split('/').pop()!;
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    // What a lost row leaves: the tus file store's bytes and its .json, two hours old; and a file no upload names.
    const uploadsDir = path.join(dataDir, 'uploads');
    const rowless = `0${'a'.repeat(12)}${'7'.repeat(10)}`;
    fs.writeFileSync(path.join(uploadsDir, rowless), Buffer.alloc(4096, 1));
    fs.writeFileSync(
      path.join(uploadsDir, `${rowless}.json`),
      JSON.stringify({ id: rowless, size: 8192, offset: 4096 }),
    );
    fs.writeFileSync(path.join(uploadsDir, 'NOTES.txt'), 'not an upload');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const name of fs.readdirSync(uploadsDir)) fs.utimesSync(path.join(uploadsDir, name), twoHoursAgo, twoHoursAgo);
    expect(fs.readdirSync(uploadsDir)).toEqual(expect.arrayContaining([keptId, `${keptId}.json`]));

    const second = await startServer({
      dataDir,
      keep: true,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: { PARLEY_ORPHAN_AGE_S: '60' },
    });
    servers.push(second);
    // The store removes the bytes, then the .json: wait for both, as a reader of the folder would see them go.
    await eventually(
      () => {
        expect(fs.existsSync(path.join(uploadsDir, rowless))).toBe(false);
        expect(fs.existsSync(path.join(uploadsDir, `${rowless}.json`))).toBe(false);
      },
      { timeoutMs: 90_000 },
    );
    expect(fs.existsSync(path.join(uploadsDir, 'NOTES.txt'))).toBe(true);

    const url = `${second.url}/api/uploads/${keptId}`;
    const head = await tusHead(url, auth);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(100 * 1024));
    const last = await tusPatch(url, auth, 100 * 1024, bytes.subarray(100 * 1024));
    expect(last.status).toBe(204);
    expect(last.headers.get('parley-file-id')).toBeTruthy();
    // Two server starts and a job pass: on a loaded 2-core machine (PostgreSQL above all) that can take a minute.
  }, 180_000);

  it('expires an upload whose own expiry job is gone (dead, or lost with a restored backup)', async () => {
    const s = await startServer();
    servers.push(s);
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const bytes = pdf(200 * 1024, 'forgotten');
    const created = await tusCreate(s.url, auth, bytes.length, { filename: 'forgotten.pdf' });
    expect((await tusPatch(created.url!, auth, 0, bytes.subarray(0, 100 * 1024))).status).toBe(204);
    const id = created.url!.split('/').pop()!;
    const db = s.parley.deps.db;
    // Its expiry passed two hours ago and its job is no more; an upload expired only minutes ago is the job's.
    const recent = await tusCreate(s.url, auth, bytes.length, { filename: 'recent.pdf' });
    const recentId = recent.url!.split('/').pop()!;
    await db.deleteFrom('jobs').where('kind', '=', 'uploads.expire').execute();
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    await db
      .updateTable('resumable_uploads')
      .set({ expires_at: hoursAgo(2) })
      .where('id', '=', id)
      .execute();
    await db
      .updateTable('resumable_uploads')
      .set({ expires_at: hoursAgo(0.1) })
      .where('id', '=', recentId)
      .execute();
    const uploadsDir = path.join(s.dataDir, 'uploads');
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(true);

    await jobsRepo.enqueue(db, { kind: 'uploads.reconcile', payload: {}, runAt: new Date().toISOString() });
    await s.parley.idle();
    const status = async (uploadId: string) =>
      (await db.selectFrom('resumable_uploads').select('status').where('id', '=', uploadId).executeTakeFirst())?.status;
    expect(await status(id)).toBe('expired');
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(false);
    expect(fs.existsSync(path.join(uploadsDir, `${id}.json`))).toBe(false);
    expect((await tusHead(created.url!, auth)).status).toBe(410);
    expect(await status(recentId)).toBe('uploading');
  });
});
