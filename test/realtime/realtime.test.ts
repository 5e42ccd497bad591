import { describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { call, widgetSession } from '../support/client.js';
import { collect, connect } from '../support/sockets.js';

const s = useServer();
/** An id of the same shape that is no message: the last character changed. */
const neverWas = (id: string) => id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');

describe('realtime', () => {
  it('delivers message.created both ways: visitor → agents, agent → visitor', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const visitorSocket = await connect(s.url, { token: v.visitorToken });
    const agentSocket = await connect(s.url, {}, { cookie: s.owner });
    const toAgent = collect(agentSocket, 'message.created');
    const toVisitor = collect(visitorSocket, 'message.created');
    await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'ping' } });
    expect((await toAgent.next((p) => p.message.text === 'ping')).message.chatId).toBe(v.chat.id);
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, {
      cookie: s.owner,
      body: { text: 'pong' },
    });
    expect((await toVisitor.next((p) => p.message.text === 'pong')).message.authorRole).toBe('agent');
    visitorSocket.close();
    agentSocket.close();
  });

  it('tells agents about new chats and status changes with chat.updated', async () => {
    const agentSocket = await connect(s.url, {}, { cookie: s.owner });
    const updates = collect(agentSocket, 'chat.updated');
    const v = await widgetSession(s.url, s.widgetKey);
    await updates.next((p) => p.chat.id === v.chat.id && p.chat.status === 'bot');
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/assign`, {
      cookie: s.owner,
      body: {},
    });
    await updates.next((p) => p.chat.id === v.chat.id && p.chat.status === 'open');
    agentSocket.close();
  });

  it('relays typing to the other side only', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const visitorSocket = await connect(s.url, { token: v.visitorToken });
    const agentSocket = await connect(s.url, {}, { cookie: s.owner });
    const agentTyping = collect(agentSocket, 'typing');
    const visitorTyping = collect(visitorSocket, 'typing');
    visitorSocket.emit('typing', { chatId: v.chat.id });
    expect(await agentTyping.next()).toEqual({ chatId: v.chat.id, role: 'visitor' });
    agentSocket.emit('typing', { chatId: v.chat.id });
    expect(await visitorTyping.next()).toEqual({ chatId: v.chat.id, role: 'agent' });
    expect(visitorTyping.seen.every((p) => p.role === 'agent')).toBe(true);
    visitorSocket.close();
    agentSocket.close();
  });

  it('gives a reconnecting visitor what it missed while offline', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const first = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'before going offline' },
    });
    // Offline: the agent writes twice.
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, {
      cookie: s.owner,
      body: { text: 'missed 1' },
    });
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, {
      cookie: s.owner,
      body: { text: 'missed 2' },
    });
    let got!: ReturnType<typeof collect<any>>;
    const socket = await connect(
      s.url,
      { token: v.visitorToken, lastMessageId: first.body.message.id },
      undefined,
      (sock) => {
        got = collect(sock, 'message.created');
      },
    );
    await got.next((p) => p.message.text === 'missed 2');
    expect(got.seen.map((p) => p.message.text).filter((t) => t?.startsWith('missed'))).toEqual([
      'missed 1',
      'missed 2',
    ]);
    // The same through the sync call with an acknowledgement.
    const synced: any = await socket.emitWithAck('sync', { chatId: v.chat.id, after: first.body.message.id });
    expect(synced.messages.map((m: any) => m.text).filter((t: string) => t?.startsWith('missed'))).toEqual([
      'missed 1',
      'missed 2',
    ]);
    socket.close();
  });

  it('refuses a sync after an id that is no message of this chat with BAD_REQUEST naming after', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const other = await widgetSession(s.url, s.widgetKey);
    const mine = await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'a' } });
    const theirs = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: other.visitorToken,
      body: { text: 'b' },
    });
    const visitorSocket = await connect(s.url, { token: v.visitorToken });
    const agentSocket = await connect(s.url, {}, { cookie: s.owner });
    for (const socket of [visitorSocket, agentSocket]) {
      for (const after of [theirs.body.message.id, neverWas(mine.body.message.id), '0']) {
        const r: any = await socket.emitWithAck('sync', { chatId: v.chat.id, after });
        expect(r, after).toEqual({ error: { code: 'BAD_REQUEST', fields: { after: 'Not a message of this chat' } } });
      }
      // A chat that is not the socket's stays NOT_FOUND whatever after says; an empty after is the whole chat.
      const foreign: any = await visitorSocket.emitWithAck('sync', { chatId: other.chat.id, after: 'x' });
      expect(foreign).toEqual({ error: { code: 'NOT_FOUND' } });
      const all: any = await socket.emitWithAck('sync', { chatId: v.chat.id, after: '' });
      expect(all.messages.map((m: any) => m.id)).toContain(mine.body.message.id);
    }
    visitorSocket.close();
    agentSocket.close();
  });

  it('refuses a socket without credentials, and never lets a visitor sync another chat', async () => {
    await expect(connect(s.url, {})).rejects.toThrow(/UNAUTHENTICATED/);
    const a = await widgetSession(s.url, s.widgetKey);
    const b = await widgetSession(s.url, s.widgetKey);
    const m = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: a.visitorToken,
      body: { text: 'a only' },
    });
    const socketB = await connect(s.url, { token: b.visitorToken });
    const r: any = await socketB.emitWithAck('sync', { chatId: a.chat.id, after: m.body.message.id });
    expect(r.error.code).toBe('NOT_FOUND');
    socketB.close();
  });
});
