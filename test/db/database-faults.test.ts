// PostgreSQL faults under load: every backend of the server's database is terminated five times while messages and
// uploads stream in. The process survives, no answer is a 500, every 2xx write is in the database, and traffic
// recovers. Runs on every pass against its own PostgreSQL database (PostgreSQL is always on the test machine).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_PG_URL, createPgDatabase } from '../support/databases.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { call, login, upload, widgetSession } from '../support/client.js';
import { pdf } from '../support/fixtures.js';
import { TEST_ADMIN, TEST_SECRET_KEY } from '../support/server.js';
import { startPgCutProxy } from '../support/pg-cut-proxy.js';

let server: ServerProcess;
let db: { url: string; drop(): Promise<void> };
let dataDir: string;

beforeAll(async () => {
  db = await createPgDatabase(BASE_PG_URL);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pgfault-'));
  server = await spawnServer({
    DATABASE_URL: db.url,
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
    PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
    PARLEY_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: 'warn',
  });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function terminateBackends(dbUrl: string) {
  const name = new URL(dbUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: BASE_PG_URL });
  await admin.connect();
  try {
    const r = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
    return r.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('PostgreSQL connections terminated under load', () => {
  it('keeps the process up, answers 503 UNAVAILABLE (never 500), loses no acknowledged write, and recovers', async () => {
    const base = server.url;
    const cookie = await login(base, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(base, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
    const visitors = await Promise.all([1, 2, 3].map(() => widgetSession(base, ws.widgetKey)));

    const acknowledged = { messages: [] as string[], files: [] as string[] };
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    let stop = false;
    const note = (status: number, body: any) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (body?.error?.code) codes.add(body.error.code);
    };
    const messageLoad = async (token: string) => {
      for (let i = 0; !stop; i++) {
        const r = await call(base, 'POST', '/api/widget/chat/messages', { token, body: { text: `m${i}` } }).catch(
          () => undefined,
        );
        if (!r) continue;
        note(r.status, r.body);
        if (r.status === 201) acknowledged.messages.push(r.body.message.id);
      }
    };
    const uploadLoad = async (chatId: string) => {
      for (let i = 0; !stop; i++) {
        const r = await upload(
          base,
          `/api/workspaces/${ws.id}/chats/${chatId}/files`,
          [{ name: `f${i}.pdf`, data: pdf(64 * 1024, String(i)) }],
          { cookie },
        ).catch(() => undefined);
        if (!r) continue;
        note(r.status, r.body);
        if (r.status === 201) acknowledged.files.push(...r.body.files.map((f: { id: string }) => f.id));
      }
    };
    const load = [
      ...visitors.map((v) => messageLoad(v.visitorToken)),
      uploadLoad(visitors[0]!.chat.id),
      uploadLoad(visitors[1]!.chat.id),
    ];

    let terminated = 0;
    for (let round = 0; round < 5; round++) {
      await new Promise((r) => setTimeout(r, 300));
      terminated += await terminateBackends(db.url);
    }
    // Traffic recovers: a write succeeds again within 5 s of the last termination.
    const deadline = Date.now() + 5000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      const r = await call(base, 'POST', '/api/widget/chat/messages', {
        token: visitors[2]!.visitorToken,
        body: { text: 'after the storm' },
      });
      recovered = r.status === 201;
      if (recovered) acknowledged.messages.push(r.body.message.id);
    }
    stop = true;
    await Promise.all(load);

    expect(terminated).toBeGreaterThan(0);
    expect(recovered).toBe(true);
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toMatch(/Unhandled 'error' event|uncaughtException/);
    // Only successes and "retry later": a terminated connection is never blamed on the client or called a bug.
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503)).toEqual([]);
    for (const code of codes) expect(code).toBe('UNAVAILABLE');
    expect(acknowledged.messages.length).toBeGreaterThan(0);

    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    try {
      const msgs = await check.query('select id from messages where id = any($1)', [acknowledged.messages]);
      expect(msgs.rowCount).toBe(acknowledged.messages.length);
      const files = await check.query('select id from files where id = any($1)', [acknowledged.files]);
      expect(files.rowCount).toBe(acknowledged.files.length);
    } finally {
      await check.end();
    }
    expect((await call(base, 'GET', '/readyz')).status).toBe(200);
  });
});

// Found by a review: a transaction whose COMMIT reached PostgreSQL but whose answer was lost (a failover, a pooler
// restart) answered 503 and removed the file's bytes — while PostgreSQL had committed its row, message and
// deliveries: downloads answered 404 for good and every delivery failed. Bytes no row holds are the storage
// reconciliation's to remove, which looks at the rows.
describe('a COMMIT whose answer is lost', () => {
  it('keeps the bytes of a file whose row PostgreSQL committed, though the answer was 503', async () => {
    const database = await createPgDatabase(BASE_PG_URL);
    const target = new URL(BASE_PG_URL);
    const proxy = await startPgCutProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pgcut-'));
    const srv = await spawnServer({
      DATABASE_URL: proxy.urlFor(database.url),
      PARLEY_PG_PREPARED_STATEMENTS: 'false',
      PARLEY_DATA_DIR: dir,
      PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
      PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
      PARLEY_SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'warn',
    });
    try {
      const cookie = await login(srv.url, TEST_ADMIN.email, TEST_ADMIN.password);
      const ws = (await call(srv.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
      const v = await widgetSession(srv.url, ws.widgetKey);
      const data = pdf(64 * 1024, 'committed-unknown');
      proxy.arm('files');
      const r = await upload(srv.url, '/api/widget/chat/files', [{ name: 'cut.pdf', data }], {
        token: v.visitorToken,
      });
      expect(proxy.cuts).toBe(1);
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      const check = new pg.Client({ connectionString: database.url });
      await check.connect();
      let rows: { id: string }[];
      try {
        rows = (await check.query("select id from files where name = 'cut.pdf'")).rows;
      } finally {
        await check.end();
      }
      // PostgreSQL committed it: the File is there, and so are its bytes.
      expect(rows).toHaveLength(1);
      const res = await fetch(`${srv.url}/api/files/${rows[0]!.id}/content`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    } finally {
      await srv.stop();
      await proxy.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
