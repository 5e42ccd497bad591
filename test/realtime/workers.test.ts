// `parley start --workers 2` on PostgreSQL + Redis, as real processes: one port, one address line and one generated
// password; HTTP served by both workers; Socket.IO clients that start on HTTP long-polling and upgrade (which only
// works when every request of a session reaches the worker that holds it); a message posted through one worker
// reaches sockets held by the other; a killed worker is started again and its clients reconnect; SIGTERM stops all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { call, login, upload, widgetSession } from '../support/client.js';
import { pdf } from '../support/fixtures.js';
import { BASE_PG_URL, createPgDatabase } from '../support/databases.js';
import { spawnServer } from '../support/process.js';
import { eventually } from '../support/eventually.js';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Worker slot → pid, from the workers' "worker ready" lines (the latest per slot). */
function workerPids(stdout: string): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of stdout.split('\n')) {
    if (!line.includes('"worker ready"')) continue;
    const entry = JSON.parse(line) as { worker: number; pid: number };
    pids.set(entry.worker, entry.pid);
  }
  return pids;
}

describe('PARLEY_WORKERS', () => {
  it('defaults to every core with DATABASE_URL and REDIS_URL, and refuses more than one without both', () => {
    const both = { DATABASE_URL: 'postgres://x@127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig(both).workers).toBe(os.availableParallelism());
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ ...both, PARLEY_WORKERS: '1' }).workers).toBe(1);
    expect(() => loadConfig({ PARLEY_WORKERS: '2', REDIS_URL: both.REDIS_URL })).toThrow(/DATABASE_URL.*REDIS_URL/);
  });
});

describe('parley start --workers 2', () => {
  it('serves one port from two processes, sticky sessions, restarts a dead worker, stops on SIGTERM', async () => {
    const pg = await createPgDatabase(BASE_PG_URL);
    cleanup.push(() => pg.drop());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-workers-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const METRICS_TOKEN = 'workers-metrics-token';
    const env = {
      DATABASE_URL: pg.url,
      REDIS_URL: REDIS,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_METRICS_TOKEN: METRICS_TOKEN,
    };
    const srv = await spawnServer(env, 150_000, ['start', '--workers', '2']);
    cleanup.push(async () => {
      if (srv.child.exitCode === null) await srv.kill();
    });
    const out = srv.output();
    expect(out.match(/Parley is running on/g)).toHaveLength(1);
    expect(out).toMatch(/with 2 workers/);
    // Only the first worker made the owner: the generated password is printed once.
    const passwords = [...srv.stderr().matchAll(/PARLEY-PASSWORD email=(\S+) password=(\S+)/g)];
    expect(passwords).toHaveLength(1);
    // Each worker's "worker ready" line reaches this process through its own reads of the pipe: wait for both.
    const pids = await eventually(() => {
      const found = workerPids(srv.stdout());
      expect([...found.keys()].sort()).toEqual([1, 2]);
      return found;
    });

    // Plain HTTP is shared between the workers.
    const served = new Set<string | null>();
    for (let i = 0; i < 6; i++) served.add((await call(srv.url, 'GET', '/healthz')).headers.get('x-parley-worker'));
    expect([...served].sort()).toEqual(['1', '2']);

    const cookie = await login(srv.url, passwords[0]![1]!, passwords[0]![2]!);
    const ws = (await call(srv.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
    // Visitors with a chat each, taken by the owner; their sockets start on long-polling and upgrade.
    const visitors: { chatId: string; socket: Socket; seen: Set<string>; firstTransport: string; upgraded: boolean }[] =
      [];
    for (let i = 0; i < 6; i++) {
      const v = await widgetSession(srv.url, ws.widgetKey);
      const r = await call(srv.url, 'POST', `/api/workspaces/${ws.id}/chats/${v.chat.id}/assign`, { cookie, body: {} });
      expect(r.status).toBe(200);
      const socket = io(srv.url, {
        path: '/socket.io',
        auth: { token: v.visitorToken },
        forceNew: true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
      });
      const visitor = { chatId: v.chat.id, socket, seen: new Set<string>(), firstTransport: '', upgraded: false };
      // The transport the session opened on (before the upgrade) and whether it upgraded.
      socket.io.once('open', () => {
        visitor.firstTransport = socket.io.engine.transport.name;
        socket.io.engine.once('upgrade', () => {
          visitor.upgraded = true;
        });
      });
      socket.on('message.created', ({ message }: { message: { text?: string } }) =>
        visitor.seen.add(message.text ?? ''),
      );
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      visitors.push(visitor);
    }
    cleanup.push(() => visitors.forEach((v) => v.socket.close()));
    expect(visitors.map((v) => v.firstTransport)).toEqual(Array(6).fill('polling'));
    await expect.poll(() => visitors.map((v) => v.upgraded)).toEqual(Array(6).fill(true));
    expect(visitors.map((v) => v.socket.io.engine.transport.name)).toEqual(Array(6).fill('websocket'));

    // Two messages into each chat, back to back (plain requests go to the workers in turn): which workers posted.
    const postAll = async (text: string) => {
      const by: Set<string>[] = [];
      for (const v of visitors) {
        by.push(new Set());
        for (const n of [1, 2]) {
          const r = await call(srv.url, 'POST', `/api/workspaces/${ws.id}/chats/${v.chatId}/messages`, {
            cookie,
            body: { text: `${text} ${n}` },
          });
          expect(r.status).toBe(201);
          by.at(-1)!.add(r.headers.get('x-parley-worker')!);
        }
      }
      const missing = () => visitors.filter((v) => !v.seen.has(`${text} 1`) || !v.seen.has(`${text} 2`)).length;
      await expect.poll(missing, { timeout: 15_000 }).toBe(0);
      return by;
    };
    const postedBy = await postAll('before the crash');

    // A scrape answers for the node, whichever worker takes it: four uploads made through both workers count four.
    const uploadedBy = new Set<string | null>();
    for (let i = 0; i < 4; i++) {
      const r = await upload(
        srv.url,
        `/api/workspaces/${ws.id}/chats/${visitors[i]!.chatId}/files`,
        [{ name: `m${i}.pdf`, data: pdf(2000, `metrics ${i}`), type: 'application/pdf' }],
        { cookie },
      );
      expect(r.status).toBe(201);
      uploadedBy.add(r.headers.get('x-parley-worker'));
    }
    expect([...uploadedBy].sort()).toEqual(['1', '2']);
    for (let i = 0; i < 4; i++) {
      const scrape = await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toMatch(/^parley_uploads_accepted_total\{side="agent"\} 4$/m);
    }

    // Worker 1 dies: its clients are cut and reconnect (to worker 2 at first), the other worker's are untouched.
    const dropped = visitors.map((v) => {
      const state = { dropped: false };
      v.socket.once('disconnect', () => {
        state.dropped = true;
      });
      return state;
    });
    process.kill(pids.get(1)!, 'SIGKILL');
    await expect.poll(() => workerPids(srv.stdout()).get(1) !== pids.get(1), { timeout: 120_000 }).toBe(true);
    const onKilled = dropped.map((d) => d.dropped);
    // Both workers held sockets, and messages crossed between them through Redis.
    expect(onKilled.filter(Boolean).length).toBeGreaterThan(0);
    expect(onKilled.filter((d) => !d).length).toBeGreaterThan(0);
    const crossed = visitors.filter((_, i) => [...postedBy[i]!].some((w) => w !== (onKilled[i] ? '1' : '2')));
    expect(crossed.length).toBeGreaterThan(0);
    await expect.poll(() => visitors.every((v) => v.socket.connected), { timeout: 15_000 }).toBe(true);
    await postAll('after the restart');
    served.clear();
    for (let i = 0; i < 6; i++) served.add((await call(srv.url, 'GET', '/healthz')).headers.get('x-parley-worker'));
    expect([...served].sort()).toEqual(['1', '2']);

    // SIGTERM on the primary stops every worker and exits cleanly.
    const workers = [...workerPids(srv.stdout()).values()];
    expect(await srv.stop()).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
    expect(srv.output().match(/PARLEY-PASSWORD/g)).toHaveLength(1);
  }, 300_000);
});
