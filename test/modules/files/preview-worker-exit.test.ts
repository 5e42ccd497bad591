// Preview workers are long-lived children of the server (src/previews/pool.ts): they must never outlive it. Stopped
// (SIGTERM) the server exits with its worker idle, and killed (SIGKILL, no shutdown code) its worker exits too, on
// the end of its stdin.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { createPgDatabase, onPostgres } from '../../support/databases.js';
import { eventually } from '../../support/eventually.js';
import { png } from '../../support/fixtures.js';
import { spawnServer, type ServerProcess } from '../../support/process.js';
import { TEST_ADMIN, TEST_SECRET_KEY } from '../../support/server.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-preview-exit-'));
const running: ServerProcess[] = [];
let dropDb: (() => Promise<void>) | undefined;

afterAll(async () => {
  for (const p of running) await p.kill().catch(() => {});
  await dropDb?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Running (not gone, not a zombie waiting for a reaper). */
function alive(pid: number) {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
}

/** The server's preview workers: its children running previews/worker. */
function previewWorkersOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const ppid = Number(fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
        return ppid === pid && fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('previews/worker');
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function env() {
  const base: Record<string, string> = {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
    PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
    PARLEY_SECRET_KEY: TEST_SECRET_KEY,
    PARLEY_JOB_POLL_MS: '50',
    PARLEY_WORKERS: '1',
  };
  if (onPostgres()) {
    const db = await createPgDatabase();
    dropDb = db.drop;
    base.DATABASE_URL = db.url;
  }
  return base;
}

/** Starts a server, has it make one thumbnail, and returns it with its (idle) preview worker. */
async function serverWithWorker(settings: Record<string, string>) {
  const server = await spawnServer(settings);
  running.push(server);
  const owner = await login(server.url, TEST_ADMIN.email, TEST_ADMIN.password);
  const ws = (await call(server.url, 'GET', '/api/workspaces', { cookie: owner })).body.workspaces[0];
  const visitor = await widgetSession(server.url, ws.widgetKey);
  const r = await upload(server.url, '/api/widget/chat/files', [{ name: 'p.png', data: await png(50, 40) }], {
    token: visitor.visitorToken,
  });
  expect(r.status).toBe(201);
  await eventually(
    async () => {
      const f = await call(server.url, 'GET', `/api/files/${r.body.files[0].id}`, { token: visitor.visitorToken });
      expect(f.body.file?.thumbnailUrl).toBeTruthy();
    },
    { timeoutMs: 90_000 },
  );
  const workers = previewWorkersOf(server.child.pid!);
  expect(workers).toHaveLength(1);
  return { server, worker: workers[0]! };
}

describe('preview workers and the end of their server', () => {
  it('end with it, whether it is stopped or killed', async () => {
    const settings = await env();
    const stopped = await serverWithWorker(settings);
    expect(await stopped.server.stop()).toBe(0);
    await eventually(() => expect(alive(stopped.worker)).toBe(false));

    const killed = await serverWithWorker(settings);
    await killed.server.kill();
    await eventually(() => expect(alive(killed.worker)).toBe(false));
  }, 300_000);
});
