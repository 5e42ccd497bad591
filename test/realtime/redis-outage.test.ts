// A Redis outage under traffic, on two nodes sharing one PostgreSQL database and a Redis server of this test's own
// (never the shared one): emits never fail a request, each node keeps serving its own sockets and says it is not
// ready, and when Redis returns the other node's clients catch up, so no acknowledged message is missing anywhere.
import type { ChildProcess } from 'node:child_process';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, useNodes } from '../support/server.js';
import { call, widgetSession } from '../support/client.js';
import { runMain } from '../support/process.js';
import { freePort, startRedis, stopRedis } from '../support/redis.js';

/** A visitor client as the widget is: it reconnects by itself and sends the last message id it saw. */
function visitorClient(url: string, token: string) {
  const ids = new Set<string>();
  let last: string | undefined;
  const socket: Socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: (cb) => cb({ token, lastMessageId: last }),
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  socket.on('message.created', ({ message }: { message: { id: string } }) => {
    ids.add(message.id);
    last = message.id;
  });
  return { socket, ids, connected: new Promise<void>((r) => socket.once('connect', () => r())) };
}

let redisPort: number;
let redis: ChildProcess;

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
});
// Hooks run in order and afterAll hooks in reverse: Redis is up before the nodes start and stops after they close.
afterAll(async () => {
  if (redis && redis.exitCode === null) await stopRedis(redis);
});
const [a, b] = useNodes(2, () => ({ env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } }));

describe('Redis outage on two nodes', () => {
  it('keeps answering, reports not ready, and every acknowledged message reaches every socket after Redis returns', async () => {
    const cookie = a.owner;
    const v = await widgetSession(a.url, a.widgetKey);
    await call(a.url, 'POST', `/api/workspaces/${a.workspaceId}/chats/${v.chat.id}/assign`, { cookie, body: {} });
    const onA = visitorClient(a.url, v.visitorToken);
    const onB = visitorClient(b.url, v.visitorToken);
    await Promise.all([onA.connected, onB.connected]);

    const acknowledged: string[] = [];
    const post = async (text: string) => {
      const r = await call(a.url, 'POST', `/api/workspaces/${a.workspaceId}/chats/${v.chat.id}/messages`, {
        cookie,
        body: { text },
      });
      expect(r.status).toBe(201);
      acknowledged.push(r.body.message.id);
    };
    await post('before');
    await expect.poll(() => onB.ids.has(acknowledged[0]!)).toBe(true);

    await stopRedis(redis);
    const downUntil = Date.now() + 10_000;
    let i = 0;
    while (Date.now() < downUntil) {
      await post(`during ${i++}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Node A still serves its own sockets, and neither node claims to be ready.
    await expect.poll(() => acknowledged.every((id) => onA.ids.has(id))).toBe(true);
    expect((await call(a.url, 'GET', '/readyz')).status).toBe(503);
    expect((await call(b.url, 'GET', '/readyz')).body.checks.redis).not.toBe('ok');

    redis = await startRedis(redisPort);
    await expect.poll(async () => (await call(a.url, 'GET', '/readyz')).status, { timeout: 15_000 }).toBe(200);
    await post('after');
    // Both nodes drop their sockets when Redis returns, so either client may still be reconnecting (and replaying
    // what it missed) when the other has everything: wait for each.
    await expect.poll(() => acknowledged.filter((id) => !onB.ids.has(id)), { timeout: 15_000 }).toEqual([]);
    await expect.poll(() => acknowledged.filter((id) => !onA.ids.has(id)), { timeout: 15_000 }).toEqual([]);
    expect(i).toBeGreaterThan(5);
    onA.socket.close();
    onB.socket.close();
  });

  it('shuts down cleanly while Redis is down (the adapter leaving its channels does not reject unhandled)', async () => {
    const own = await freePort();
    const ownRedis = await startRedis(own);
    const s = await startServer({ env: { REDIS_URL: `redis://127.0.0.1:${own}` } });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      await stopRedis(ownRedis);
      await s.close();
      await new Promise((r) => setTimeout(r, 200)); // let any rejection surface
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('names REDIS_URL when Redis cannot be reached at start-up', async () => {
    const port = await freePort();
    const { done } = runMain({ PORT: '0', REDIS_URL: `redis://127.0.0.1:${port}`, PARLEY_DATA_DIR: b.dataDir });
    const r = await done;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/REDIS_URL/);
  });
});
