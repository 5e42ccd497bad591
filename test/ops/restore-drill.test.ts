// The restore drill from docs/operations.md, run for real: back up a running instance that has files and
// deliveries with `parley backup`, restore into a new data dir (and a new database on PostgreSQL) with
// `parley restore`, start it, and every file downloads with the same sha256; the delivery log came along.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, login, upload, widgetSession } from '../support/client.js';
import { createPgDatabase, onPostgres } from '../support/databases.js';
import { pdf } from '../support/fixtures.js';
import { runCli } from '../support/process.js';
import { eventually } from '../support/eventually.js';
import { startReceiver } from '../support/receiver.js';
import { startServer, TEST_SECRET_KEY, type TestServer } from '../support/server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-drill-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
};
const sha256 = (b: Buffer | ArrayBuffer) =>
  crypto
    .createHash('sha256')
    .update(Buffer.from(b as ArrayBuffer))
    .digest('hex');

const envOf = (s: { dataDir: string; databaseUrl?: string }) => ({
  PARLEY_DATA_DIR: s.dataDir,
  PARLEY_SECRET_KEY: TEST_SECRET_KEY,
  ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}),
});

async function downloadAll(srv: TestServer, cookie: string, fileIds: string[]) {
  const sums: Record<string, string> = {};
  for (const id of fileIds) {
    const res = await fetch(`${srv.url}/api/files/${id}/content`, { headers: { cookie } });
    expect(res.status).toBe(200);
    sums[id] = sha256(await res.arrayBuffer());
  }
  return sums;
}

describe('restore drill', () => {
  it('restores a running instance with files and deliveries into a new data dir, byte for byte', async () => {
    const original = await startServer();
    cleanups.push(() => original.close());
    let secret: string | undefined;
    const receiver = await startReceiver(() => secret);
    cleanups.push(() => receiver.close());
    const owner = await login(original.url, original.admin.email, original.admin.password);
    const saved = await call(original.url, 'PUT', `/api/workspaces/${original.workspaceId}/integrations/callback`, {
      cookie: owner,
      body: { url: receiver.url, disabled: false },
    });
    secret = saved.body.signingSecret;

    const v = await widgetSession(original.url, original.widgetKey);
    const sent: Record<string, string> = {};
    for (const [i, size] of [1_000, 70_000, 300_000].entries()) {
      const data = pdf(size, `drill-${i}`);
      const r = await upload(original.url, '/api/widget/chat/files', [{ name: `drill-${i}.pdf`, data }], {
        token: v.visitorToken,
      });
      expect(r.status).toBe(201);
      sent[r.body.files[0].id] = sha256(data);
    }
    const ids = Object.keys(sent);
    await eventually(async () => receiver.received.length >= ids.length, { timeoutMs: 30_000 });
    const deliveriesUrl = `/api/workspaces/${original.workspaceId}/deliveries?kind=callback`;
    await eventually(async () => {
      const list = (await call(original.url, 'GET', deliveriesUrl, { cookie: owner })).body.deliveries;
      return list.filter((d: { status: string }) => d.status === 'succeeded').length === ids.length;
    });

    // Online: the original keeps running while it is backed up.
    const backupDir = path.join(tmp(), 'backup');
    const backedUp = await runCli(['backup', '--to', backupDir], envOf(original));
    expect(backedUp.stderr).toBe('');
    expect(backedUp.code).toBe(0);
    expect((await call(original.url, 'GET', '/readyz')).status).toBe(200);

    const target = { dataDir: tmp(), databaseUrl: undefined as string | undefined };
    if (onPostgres()) {
      const db = await createPgDatabase();
      cleanups.push(() => db.drop());
      target.databaseUrl = db.url;
    }
    const restored = await runCli(['restore', '--from', backupDir], envOf(target));
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const twice = await runCli(['restore', '--from', backupDir], envOf(target));
    expect(twice.code).not.toBe(0);

    const copy = await startServer({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, keep: true });
    cleanups.push(() => copy.close());
    const cookie = await login(copy.url, copy.admin.email, copy.admin.password);
    expect(await downloadAll(copy, cookie, ids)).toEqual(sent);
    const list = (await call(copy.url, 'GET', deliveriesUrl, { cookie })).body.deliveries;
    expect(list.map((d: { fileId: string; status: string }) => [d.fileId, d.status]).sort()).toEqual(
      ids.map((id) => [id, 'succeeded']).sort(),
    );
  }, 300_000);
});
