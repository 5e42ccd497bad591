// A resumable upload's commit outlives the node that made it. The commit (tus bytes → blob store → File) holds a
// lease on its row: a node killed (SIGKILL) mid-commit leaves the upload `committing`, and once the lease is stale the
// uploads.reconcile job takes it over with no client around; a node that stalled (SIGSTOP) mid-commit is taken over by
// the client's HEAD on another node, and when it wakes up its own commit writes nothing (fenced by the lease) and its
// answer names the one File. Each case checks that the chat holds exactly one File with the right bytes.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../../src/db/index.js';
import { call, login, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { spawnServer, type ServerProcess } from '../../support/process.js';
import { processEnv, TEST_ADMIN } from '../../support/server.js';
import { tusCreate, tusDelete, tusHead, tusPatch, type TusAuth, type TusRes } from '../../support/tus.js';

const running: ServerProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const p of running) {
    p.child.kill('SIGCONT');
    await p.kill().catch(() => {});
  }
  for (const c of cleanups.reverse()) await c();
});

/** One data dir and database shared by every node of a case; a lease of 2 s so a dead commit goes stale soon. */
async function settings(): Promise<{ env: Record<string, string>; dataDir: string; db: DbHandle }> {
  const { env, dataDir, cleanup } = await processEnv('parley-commit-crash-', {
    PARLEY_JOB_POLL_MS: '50',
    PARLEY_JOB_LEASE_SECONDS: '2',
    LOG_LEVEL: 'warn',
  });
  cleanups.push(cleanup);
  const db = await createDb({ databaseUrl: env.DATABASE_URL, dataDir });
  cleanups.push(() => db.close());
  return { env, dataDir, db };
}

const statusOf = async (db: DbHandle, id: string) =>
  (await db.db.selectFrom('resumable_uploads').selectAll().where('id', '=', id).executeTakeFirst())!;

/**
 * Sends an upload's last PATCH to `node` and freezes the node (SIGSTOP) while its commit is under way (the row is
 * `committing`: the bytes being checked and linked into the blob store, the File not yet written). A commit that
 * finished before the freeze is no use: the node is woken and another upload tried.
 */
async function freezeMidCommit(node: ServerProcess, db: DbHandle, auth: TusAuth) {
  const bytes = pdf(32 * 1024 * 1024, 'commit-crash');
  for (let attempt = 0; attempt < 10; attempt++) {
    const created = await tusCreate(node.url, auth, bytes.length, { filename: 'report.pdf' });
    expect(created.status).toBe(201);
    const id = created.url!.split('/').pop()!;
    expect((await tusPatch(created.url!, auth, 0, bytes.subarray(0, 1024))).status).toBe(204);
    let answered = false;
    const last: Promise<TusRes | Error> = tusPatch(created.url!, auth, 1024, bytes.subarray(1024)).then(
      (r) => {
        answered = true;
        return r;
      },
      (err: Error) => {
        answered = true;
        return err;
      },
    );
    let caught = false;
    while (!answered) {
      // A turn of the event loop each time: on SQLite the read is synchronous, and the answer must get through.
      await new Promise((r) => setImmediate(r));
      if ((await statusOf(db, id)).status === 'committing') {
        node.child.kill('SIGSTOP');
        caught = true;
        break;
      }
    }
    if (caught && (await statusOf(db, id)).status === 'committing')
      return { id, url: created.url!, path: new URL(created.url!).pathname, bytes, last };
    node.child.kill('SIGCONT');
    await last;
  }
  throw new Error('no commit was caught in the middle in 10 tries');
}

async function visitorOf(url: string): Promise<TusAuth> {
  const owner = await login(url, TEST_ADMIN.email, TEST_ADMIN.password);
  const ws = (await call(url, 'GET', '/api/workspaces', { cookie: owner })).body.workspaces[0];
  // Room for the 32 MiB upload whose commit is caught in the middle.
  const rules = await call(url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
    cookie: owner,
    body: { maxFileSizeKb: 64 * 1024 },
  });
  expect(rules.status).toBe(200);
  return { token: (await widgetSession(url, ws.widgetKey)).visitorToken };
}

async function theOneFile(url: string, auth: TusAuth, fileId: string, bytes: Buffer) {
  const files = (await call(url, 'GET', '/api/widget/chat/files', { token: auth.token })).body.files;
  expect(files.map((f: { id: string }) => f.id)).toEqual([fileId]);
  const file = (await call(url, 'GET', `/api/files/${fileId}`, { token: auth.token })).body.file;
  expect(file).toMatchObject({
    name: 'report.pdf',
    size: bytes.length,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
  });
}

describe('an upload whose commit was cut', () => {
  it('is committed once by the reconcile job after its node was killed mid-commit; HEAD names the File', async () => {
    const { env, db } = await settings();
    const first = await spawnServer(env);
    running.push(first);
    const auth = await visitorOf(first.url);
    const cut = await freezeMidCommit(first, db, auth);
    await first.kill();
    running.splice(running.indexOf(first), 1);
    expect(await cut.last).toBeInstanceOf(Error);
    expect((await statusOf(db, cut.id)).status).toBe('committing');

    // No client comes back: the restarted node's reconcile job takes the commit over once its lease is stale.
    const second = await spawnServer(env);
    running.push(second);
    const row = await eventually(
      async () => {
        const r = await statusOf(db, cut.id);
        expect(r.status).toBe('committed');
        return r;
      },
      { timeoutMs: 60_000 },
    );
    const head = await tusHead(second.url + cut.path, auth);
    expect(head.status).toBe(200);
    expect(head.headers.get('parley-file-id')).toBe(row.file_id);
    const again = await tusPatch(second.url + cut.path, auth, cut.bytes.length, Buffer.alloc(0));
    expect(again.status).toBe(204);
    expect(again.headers.get('parley-file-id')).toBe(row.file_id);
    await theOneFile(second.url, auth, row.file_id!, cut.bytes);
  }, 240_000);

  it('is taken over by HEAD when its node stalled mid-commit; the stalled commit then writes nothing', async () => {
    const { env, db } = await settings();
    const stalled = await spawnServer(env);
    running.push(stalled);
    const auth = await visitorOf(stalled.url);
    const cut = await freezeMidCommit(stalled, db, auth);

    // Another node, without background work (so only the client's HEAD can take the commit over).
    const other = await spawnServer({ ...env, PARLEY_BACKGROUND_WORKERS: 'false' });
    running.push(other);
    // A DELETE meanwhile removes nothing: every byte is in and the upload is being made a File.
    const del = await tusDelete(other.url + cut.path, auth);
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('UPLOAD_COMPLETE');
    const head = await eventually(
      async () => {
        const r = await tusHead(other.url + cut.path, auth);
        expect(r.status).toBe(200);
        expect(r.headers.get('parley-file-id')).toBeTruthy();
        return r;
      },
      { timeoutMs: 60_000 },
    );
    const fileId = head.headers.get('parley-file-id')!;

    // The stalled node wakes up, finishes copying, and finds its lease gone: its answer names the same File.
    stalled.child.kill('SIGCONT');
    const last = await cut.last;
    if (last instanceof Error) throw last;
    expect(last.status).toBe(204);
    expect(last.headers.get('parley-file-id')).toBe(fileId);
    await theOneFile(other.url, auth, fileId, cut.bytes);
    expect((await statusOf(db, cut.id)).file_id).toBe(fileId);
  }, 240_000);
});
