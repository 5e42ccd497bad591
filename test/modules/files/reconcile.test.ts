// Crash leftovers are reconciled: the server is killed (SIGKILL) in the middle of a 200 MB upload and 20 small ones,
// and bytes were stored that no file row holds. After a restart the reconciliation job (run at every start, then
// hourly) removes them all; the file committed before the crash is untouched.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN, TEST_SECRET_KEY, useServer } from '../../support/server.js';
import { s3ClientFor, s3StorageEnv, startS3rver, type S3Server } from '../../support/s3rver.js';
import { reconcileStorage } from '../../../src/modules/files/reconcile.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { spawnServer, type ServerProcess } from '../../support/process.js';
import { createLocalStore } from '../../../src/storage/local.js';
import { newId } from '../../../src/ids.js';
import { jobsRepo } from '../../../src/jobs/repo.js';

const BOUNDARY = 'reconcileboundary';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-reconcile-'));
const filesDir = path.join(dataDir, 'files');
let server: ServerProcess | undefined;

const env = {
  PARLEY_DATA_DIR: dataDir,
  PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
  PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
  PARLEY_SECRET_KEY: TEST_SECRET_KEY,
  PARLEY_VISITOR_SESSIONS_PER_IP_HOUR: '100000',
  // Leftovers count as such after a second here (defaults: the upload idle timeout, 60 s, and an hour).
  PARLEY_UPLOAD_IDLE_TIMEOUT_S: '1',
  PARLEY_ORPHAN_AGE_S: '1',
  LOG_LEVEL: 'warn',
};
// Before the crash, stalled uploads must stay stalled (not be cut by a one-second idle timeout and cleaned up).
const { PARLEY_UPLOAD_IDLE_TIMEOUT_S: _idle, ...envBeforeCrash } = env;

afterAll(async () => {
  await server?.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts a multipart upload of `declared` bytes and sends the first `sent` of them, then holds the connection. */
async function partialUpload(url: string, urlPath: string, auth: string, declared: number, sent: number) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  const partHead =
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n` +
    'Content-Type: application/pdf\r\n\r\n';
  socket.write(
    `POST ${urlPath} HTTP/1.1\r\nHost: ${new URL(url).host}\r\n${auth}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${declared}\r\n\r\n${partHead}`,
  );
  const chunk = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1024 * 1024 - 9, 0x41)]);
  for (let written = 0; written < sent && !socket.destroyed; written += chunk.length) {
    if (!socket.write(chunk))
      await new Promise((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
  }
  return socket;
}

const parts = () => {
  const tmp = path.join(filesDir, '.tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((n) => n.endsWith('.part')) : [];
};
const partBytes = () => parts().reduce((n, p) => n + fs.statSync(path.join(filesDir, '.tmp', p)).size, 0);

describe('reconciling storage after a crash', () => {
  it('removes partial and uncommitted bytes after a SIGKILL mid-upload, and touches no committed file', async () => {
    server = await spawnServer(envBeforeCrash);
    const cookie = await login(server.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(server.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
    const limit = await call(server.url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
      cookie,
      body: { maxFileSizeKb: 300 * 1024 },
    });
    expect(limit.status).toBe(200);
    const v = await widgetSession(server.url, ws.widgetKey);
    const committedBytes = pdf(50_000, 'kept');
    const committed = await upload(
      server.url,
      '/api/widget/chat/files',
      [{ name: 'kept.pdf', data: committedBytes, type: 'application/pdf' }],
      { token: v.visitorToken },
    );
    expect(committed.status).toBe(201);
    const keptFile = committed.body.files[0];

    // A 200 MB agent upload with 60 MB sent, and 20 small visitor uploads, all in progress...
    const agentPath = `/api/workspaces/${ws.id}/chats/${v.chat.id}/files`;
    const sockets = [
      await partialUpload(server.url, agentPath, `Cookie: ${cookie}`, 200 * 1024 * 1024, 60 * 1024 * 1024),
    ];
    for (let i = 0; i < 5; i++) {
      const visitor = await widgetSession(server.url, ws.widgetKey);
      for (let j = 0; j < 4; j++)
        sockets.push(
          await partialUpload(
            server.url,
            '/api/widget/chat/files',
            `Authorization: Bearer ${visitor.visitorToken}`,
            2 * 1024 * 1024,
            1024 * 1024,
          ),
        );
    }
    await eventually(
      () => {
        expect(parts().length).toBe(21);
        expect(partBytes()).toBeGreaterThan(60 * 1024 * 1024);
      },
      { timeoutMs: 60_000 },
    );
    // ...when the server is killed.
    await server.kill();
    server = undefined;
    for (const s of sockets) s.destroy();
    const leftoverBytes = partBytes();

    // Bytes stored before a crash whose row was never committed (and their thumbnail), as the store wrote them.
    const store = createLocalStore(filesDir);
    const orphanKey = `ws/${ws.id}/${newId()}`;
    await store.put(orphanKey, Readable.from([crypto.randomBytes(10_000)]));
    await store.put(`${orphanKey}.thumb`, Readable.from([crypto.randomBytes(1000)]));
    const before = await store.list('ws/');
    expect(before).toContain(orphanKey);

    // The server stays down a while: the partial files are older than the idle timeout by the time it is back. (The
    // pass at start-up leaves younger ones alone, since another node may still be writing them; without this, a
    // restart quicker than the idle timeout + 5 s would leave them for the next hourly pass.)
    const downSince = new Date(Date.now() - 10 * 60_000);
    for (const p of parts()) fs.utimesSync(path.join(filesDir, '.tmp', p), downSince, downSince);
    for (const key of [orphanKey, `${orphanKey}.thumb`])
      fs.utimesSync(path.join(filesDir, ...key.split('/')), downSince, downSince);
    server = await spawnServer(env);
    await eventually(
      async () => {
        expect(parts()).toEqual([]);
        expect(await store.list('ws/')).not.toContain(orphanKey);
        expect(await store.list('ws/')).not.toContain(`${orphanKey}.thumb`);
      },
      { timeoutMs: 60_000 },
    );
    console.info(
      `reconciled after SIGKILL: 21 partial files (${Math.round(leftoverBytes / 2 ** 20)} MiB) and 2 orphans`,
    );

    // The committed file is whole.
    const owner = await login(server.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const res = await fetch(`${server.url}/api/files/${keptFile.id}/content`, { headers: { cookie: owner } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(committedBytes)).toBe(true);
    expect(server.output()).toMatch(/storage reconciled/);
  }, 300_000);
});

describe('reconciling S3 storage', () => {
  const BUCKET = 'parley-reconcile';
  let s3: S3Server;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
    client = s3ClientFor(s3);
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });
  const s = useServer(() => ({
    env: {
      ...s3StorageEnv(s3, BUCKET),
      PARLEY_UPLOAD_IDLE_TIMEOUT_S: '1',
      PARLEY_ORPHAN_AGE_S: '1',
    },
  }));

  it('aborts an interrupted multipart put and deletes objects no file holds, keeping committed files', async () => {
    const v = await s.visitor();
    const committedBytes = pdf(30_000, 's3-kept');
    const committed = await s.upload(
      '/api/widget/chat/files',
      [{ name: 'kept.pdf', data: committedBytes, type: 'application/pdf' }],
      { token: v.visitorToken },
    );
    expect(committed.status).toBe(201);
    const store = s.parley.deps.storage;
    const orphanKey = `ws/${s.workspaceId}/${newId()}`;
    await store.put(orphanKey, Readable.from([crypto.randomBytes(5000)]));
    // What a put cut by a crash leaves in S3: a multipart upload that was never completed.
    const interruptedKey = `ws/${s.workspaceId}/${newId()}`;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: interruptedKey }));
    await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: interruptedKey,
        UploadId,
        PartNumber: 1,
        Body: crypto.randomBytes(1000),
      }),
    );
    const open = async () =>
      ((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).filter(
        (u) => u.Key === interruptedKey,
      );
    expect(await open()).toHaveLength(1);

    await eventually(async () => {
      await reconcileStorage(s.parley.deps);
      expect(await store.list(orphanKey)).toEqual([]);
      expect(await open()).toEqual([]);
    });
    const res = await fetch(`${s.url}/api/files/${committed.body.files[0].id}/content`, {
      headers: { cookie: s.owner },
    });
    expect(Buffer.from(await res.arrayBuffer()).equals(committedBytes)).toBe(true);
  });

  // Found by a review: an hourly sweep scheduled its next hour only when it succeeded, and an outage used up its
  // attempts: a storage outage of a few minutes ended the sweeps until the next restart.
  it('keeps its hourly schedule through a storage outage, and the failed run is tried again', async () => {
    const db = s.parley.deps.db;
    const id = `files.reconcile:outage:${newId()}`;
    await s3.stop();
    try {
      await jobsRepo.enqueueOnce(db, id, { kind: 'files.reconcile', payload: {}, maxAttempts: 1 });
      s.parley.deps.jobs.wake();
      const failed = await eventually(async () => {
        const j = await jobsRepo.byId(db, id);
        expect(j?.last_error).toBeTruthy();
        return j!;
      });
      expect(failed.status).toBe('queued');
      const HOUR = 3_600_000;
      const nextHour = new Date(Math.floor(Date.now() / HOUR) * HOUR + HOUR).toISOString();
      expect(await jobsRepo.byId(db, `files.reconcile:${nextHour}`)).toBeTruthy();
    } finally {
      await s3.start();
    }
    await db.updateTable('jobs').set({ run_at: new Date().toISOString() }).where('id', '=', id).execute();
    s.parley.deps.jobs.wake();
    await eventually(async () => expect(await jobsRepo.byId(db, id)).toBeUndefined());
  });
});
