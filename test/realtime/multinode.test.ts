// Two Parley nodes in one test on one PostgreSQL database and one Redis: what is posted to node A reaches a
// socket connected to node B. Runs on every pass (PostgreSQL and Redis are always on the test machine).
import { describe, expect, it } from 'vitest';
import { useNodes } from '../support/server.js';
import { call, widgetSession } from '../support/client.js';
import { collect, connect } from '../support/sockets.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const [a, b] = useNodes(2, { env: { REDIS_URL } });

describe('two nodes on PostgreSQL and Redis', () => {
  it('delivers a message posted to node A to sockets on node B (agent and visitor)', async () => {
    expect(a.workspaceId).toBe(b.workspaceId);
    const cookie = a.owner;
    const v = await widgetSession(a.url, a.widgetKey);
    const agentOnB = await connect(b.url, {}, { cookie });
    const visitorOnB = await connect(b.url, { token: v.visitorToken });
    const agentGot = collect(agentOnB, 'message.created');
    const visitorGot = collect(visitorOnB, 'message.created');
    await call(a.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'from A' } });
    expect((await agentGot.next((p) => p.message.text === 'from A')).message.chatId).toBe(v.chat.id);
    await call(a.url, 'POST', `/api/workspaces/${a.workspaceId}/chats/${v.chat.id}/messages`, {
      cookie,
      body: { text: 'agent via A' },
    });
    await visitorGot.next((p) => p.message.text === 'agent via A');
    // A session made on A is valid on B: sessions live in the database.
    expect((await call(b.url, 'GET', '/api/auth/me', { cookie })).status).toBe(200);
    agentOnB.close();
    visitorOnB.close();
  });

  it('never lets a client paging with after= skip a message, even while both nodes write into one chat at once', async () => {
    const cookie = a.owner;
    const v = await widgetSession(a.url, a.widgetKey);
    await call(a.url, 'POST', `/api/workspaces/${a.workspaceId}/chats/${v.chat.id}/assign`, { cookie, body: {} });
    const seen = new Set<string>();
    let last: string | undefined;
    let writing = true;
    const poller = (async () => {
      while (writing) {
        const r = await call(b.url, 'GET', `/api/widget/chat/messages?limit=500${last ? `&after=${last}` : ''}`, {
          token: v.visitorToken,
        });
        for (const m of r.body.messages) seen.add(m.id);
        if (r.body.messages.length) last = r.body.messages[r.body.messages.length - 1].id;
      }
    })();
    const writes = [];
    for (let i = 0; i < 150; i++) {
      const node = i % 2 ? a : b;
      writes.push(
        i % 3
          ? call(node.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: `v${i}` } })
          : call(node.url, 'POST', `/api/workspaces/${a.workspaceId}/chats/${v.chat.id}/messages`, {
              cookie,
              body: { text: `a${i}` },
            }),
      );
    }
    await Promise.all(writes);
    writing = false;
    await poller;
    const r = await call(b.url, 'GET', `/api/widget/chat/messages?limit=500${last ? `&after=${last}` : ''}`, {
      token: v.visitorToken,
    });
    for (const m of r.body.messages) seen.add(m.id);
    const all = await call(a.url, 'GET', '/api/widget/chat/messages?limit=500', { token: v.visitorToken });
    const missed = all.body.messages.filter((m: any) => !seen.has(m.id));
    expect(missed).toEqual([]);
  });

  it('reports Redis in readiness', async () => {
    const r = await call(b.url, 'GET', '/readyz');
    expect(r.status).toBe(200);
    expect(r.body.checks).toMatchObject({ database: 'ok', redis: 'ok', storage: 'ok' });
  });
});
