import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { call, login, widgetSession, addMember } from '../support/client.js';

const s = useServer();
let ws2: { id: string; widgetKey: string };
let agent1: string;
beforeAll(async () => {
  ws2 = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Second' } })).body.workspace;
  await addMember(s.url, s.owner, s.workspaceId, {
    email: 'a1@example.test',
    password: 'agent-one-pass',
    role: 'agent',
  });
  agent1 = await login(s.url, 'a1@example.test', 'agent-one-pass');
});

describe('authorization matrix', () => {
  it("keeps visitor A out of visitor B's chat: B's token only ever reaches B's chat", async () => {
    const a = await widgetSession(s.url, s.widgetKey);
    const b = await widgetSession(s.url, s.widgetKey);
    await call(s.url, 'POST', '/api/widget/chat/messages', { token: a.visitorToken, body: { text: 'secret of A' } });
    const seenByB = await call(s.url, 'GET', '/api/widget/chat/messages', { token: b.visitorToken });
    expect(JSON.stringify(seenByB.body)).not.toContain('secret of A');
    // A visitor token is no key to staff routes, even for its own chat.
    const r = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${a.chat.id}/messages`, {
      token: b.visitorToken,
    });
    expect(r.status).toBe(404);
  });

  it('answers 404 (never 403) to an agent of workspace 1 for workspace 2 and its chats', async () => {
    const v2 = await widgetSession(s.url, ws2.widgetKey);
    for (const [method, path] of [
      ['GET', `/api/workspaces/${ws2.id}/chats`],
      ['GET', `/api/workspaces/${ws2.id}/chats/${v2.chat.id}/messages`],
      ['POST', `/api/workspaces/${ws2.id}/chats/${v2.chat.id}/assign`],
      ['GET', `/api/workspaces/${ws2.id}/members`],
      ['GET', `/api/workspaces/${ws2.id}/embed`],
    ] as const) {
      const r = await call(s.url, method, path, { cookie: agent1, body: method === 'POST' ? {} : undefined });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    // The chat id of workspace 2 under workspace 1's path is just as unknown.
    const cross = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${v2.chat.id}/messages`, {
      cookie: agent1,
    });
    expect(cross.status).toBe(404);
  });

  it('answers 403 FORBIDDEN to an agent on an admin-only route of its own workspace', async () => {
    const r = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, {
      cookie: agent1,
      body: { email: 'x@example.test', role: 'admin' },
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect(
      (await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/tokens`, { cookie: agent1, body: {} })).status,
    ).toBe(403);
  });

  it('answers 401 to expired or garbage credentials', async () => {
    const cookieToken = agent1.split('=')[1]!;
    const crypto = await import('node:crypto');
    await s.parley.deps.db
      .updateTable('sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', crypto.createHash('sha256').update(cookieToken).digest('hex'))
      .execute();
    expect((await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats`, { cookie: agent1 })).status).toBe(401);
    expect((await call(s.url, 'GET', '/api/widget/chat/messages', { token: 'vt_garbage' })).status).toBe(401);
    expect((await call(s.url, 'GET', '/api/widget/chat/messages')).status).toBe(401);
  });

  it('answers unknown routes with 404 JSON', async () => {
    const r = await call(s.url, 'GET', '/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});
