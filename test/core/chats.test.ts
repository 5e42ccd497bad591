import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { call, login, widgetSession } from '../support/client.js';

let s: TestServer;
let owner: string;
beforeAll(async () => {
  s = await startServer();
  owner = await login(s.url, s.admin.email, s.admin.password);
});
afterAll(async () => { await s?.close(); });

describe('widget sessions and chats', () => {
  it('creates a visitor and a chat, and resumes the same chat with the visitor token', async () => {
    const first = await widgetSession(s.url, s.widgetKey);
    expect(first.visitorToken).toMatch(/^vt_/);
    expect(first.chat.status).toBe('bot');
    expect(first.uploads).toEqual({ enabled: true, allowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip', maxFileSizeKb: 10240 });
    const again = await widgetSession(s.url, s.widgetKey, first.visitorToken);
    expect(again.chat.id).toBe(first.chat.id);
    expect(again.visitorToken).toBe(first.visitorToken);
  });

  it('answers 404 for an unknown widget key', async () => {
    const r = await call(s.url, 'POST', '/api/widget/wk_nope/session', { body: {} });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it('gives a stranger token a new visitor rather than anyone else\'s chat', async () => {
    const a = await widgetSession(s.url, s.widgetKey);
    const b = await widgetSession(s.url, s.widgetKey, 'vt_made_up');
    expect(b.chat.id).not.toBe(a.chat.id);
    expect(b.visitorToken).not.toBe('vt_made_up');
  });

  it('exchanges messages between visitor and agent, oldest first, with after= pagination', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    for (const text of ['one', 'two', 'three']) {
      const r = await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text } });
      expect(r.status).toBe(201);
      expect(r.body.message).toMatchObject({ text, authorRole: 'visitor', kind: 'text', chatId: v.chat.id });
    }
    const reply = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, { cookie: owner, body: { text: 'hello from the agent' } });
    expect(reply.status).toBe(201);
    expect(reply.body.message.authorRole).toBe('agent');
    const all = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    // The bot may answer in between; this test is about what visitor and agent said.
    const human = (ms: any[]) => ms.filter((m) => m.authorRole === 'visitor' || m.authorRole === 'agent').map((m) => m.text);
    const texts = human(all.body.messages);
    expect(texts).toEqual(['one', 'two', 'three', 'hello from the agent']);
    const firstId = all.body.messages.find((m: any) => m.text === 'one').id;
    const after = await call(s.url, 'GET', `/api/widget/chat/messages?after=${firstId}&limit=2`, { token: v.visitorToken });
    expect(after.body.messages.length).toBe(2);
    expect(human(after.body.messages)[0]).toBe('two');
    const staffView = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages?after=${firstId}`, { cookie: owner });
    expect(staffView.body.messages.map((m: any) => m.text)).toContain('hello from the agent');
  });

  it('refuses an empty message with 422 and a too-long one too', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    expect((await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: '   ' } })).status).toBe(422);
    expect((await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'x'.repeat(10_001) } })).status).toBe(422);
    expect((await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: {} })).body.error.fields).toHaveProperty('text');
  });

  it('walks the lifecycle: assign opens the chat, close closes it, a closed chat refuses messages with 409 CHAT_CLOSED', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const assigned = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/assign`, { cookie: owner, body: {} });
    expect(assigned.status).toBe(200);
    expect(assigned.body.chat).toMatchObject({ status: 'open', assigneeId: expect.any(String) });
    const closed = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/close`, { cookie: owner });
    expect(closed.body.chat.status).toBe('closed');
    const r = await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'hi?' } });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CHAT_CLOSED');
    expect((await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, { cookie: owner, body: { text: 'x' } })).body.error.code).toBe('CHAT_CLOSED');
    // A returning visitor whose chat was closed starts a new one.
    const back = await widgetSession(s.url, s.widgetKey, v.visitorToken);
    expect(back.chat.id).not.toBe(v.chat.id);
  });

  it('lists chats by status, newest first, with a cursor', async () => {
    const cookie = owner;
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie, body: { name: 'Paging' } })).body.workspace;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await widgetSession(s.url, ws.widgetKey)).chat.id);
    const page1 = await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=bot&limit=2`, { cookie });
    expect(page1.body.chats.map((c: any) => c.id)).toEqual([ids[4], ids[3]]);
    const page2 = await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=bot&limit=2&cursor=${page1.body.nextCursor}`, { cookie });
    expect(page2.body.chats.map((c: any) => c.id)).toEqual([ids[2], ids[1]]);
    const page3 = await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=bot&limit=2&cursor=${page2.body.nextCursor}`, { cookie });
    expect(page3.body.chats.map((c: any) => c.id)).toEqual([ids[0]]);
    expect(page3.body.nextCursor).toBeNull();
    expect((await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=open`, { cookie })).body.chats).toEqual([]);
    expect((await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=nonsense`, { cookie })).status).toBe(400);
  });
});
