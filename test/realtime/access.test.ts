// Revoked access reaches open sockets at once, on every node: two Parley nodes on one PostgreSQL database and one
// Redis; the change is made through node A and the sockets are connected to node B.
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { useNodes } from '../support/server.js';
import { addMember, call, login, widgetSession } from '../support/client.js';
import { collect, connect } from '../support/sockets.js';
import { eventually } from '../support/eventually.js';
import { sha256Hex } from '../../src/ids.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const [a, b] = useNodes(2, { env: { REDIS_URL } });

let n = 0;
async function newAgent(role: 'agent' | 'admin' = 'agent') {
  const email = `agent${++n}-${Date.now()}@example.test`;
  const user = await addMember(a.url, a.owner, a.workspaceId, { email, password: 'agent password 1', role });
  return { ...user, email, cookie: await login(a.url, email, 'agent password 1') };
}

/** Resolves with the reason the server gave when it cut the socket. */
const disconnected = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

/** A round trip on the socket: every packet the server wrote to it before this answer has arrived. */
const roundTrip = (socket: Socket) => socket.emitWithAck('sync', { chatId: 'none', after: '' });

describe('access changes reach open sockets on every node', () => {
  it('signing out on node A disconnects the sockets of that session on node B, and only those', async () => {
    const agent = await newAgent();
    const otherSession = await login(a.url, agent.email, 'agent password 1');
    const signedOut = await connect(b.url, {}, { cookie: agent.cookie });
    const stays = await connect(b.url, {}, { cookie: otherSession });
    const cut = disconnected(signedOut);
    expect((await call(a.url, 'POST', '/api/auth/logout', { cookie: agent.cookie })).status).toBe(204);
    expect(await cut).toBe('io server disconnect');
    // The other session keeps its socket and its messages.
    const got = collect(stays, 'message.created');
    const v = await widgetSession(a.url, a.widgetKey);
    await call(a.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'still here' } });
    await got.next((p) => p.message.text === 'still here');
    expect(stays.connected).toBe(true);
    stays.close();
  });

  it('removing a member on node A takes the workspace away from their open socket on node B', async () => {
    const agent = await newAgent();
    const v = await widgetSession(a.url, a.widgetKey);
    const first = await call(a.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'before removal' },
    });
    const agentSocket = await connect(b.url, {}, { cookie: agent.cookie });
    const ownerSocket = await connect(b.url, {}, { cookie: a.owner });
    const synced: any = await agentSocket.emitWithAck('sync', { chatId: v.chat.id, after: '' });
    expect(synced.messages.map((m: any) => m.text)).toContain('before removal');

    const r = await call(a.url, 'DELETE', `/api/workspaces/${a.workspaceId}/members/${agent.id}`, { cookie: a.owner });
    expect(r.status).toBe(204);
    // History is no longer served...
    await eventually(async () => {
      const again: any = await agentSocket.emitWithAck('sync', { chatId: v.chat.id, after: first.body.message.id });
      expect(again.error?.code).toBe('NOT_FOUND');
    });
    // ...and new messages no longer arrive: the owner on the same node gets one, the removed agent does not.
    const agentGot = collect(agentSocket, 'message.created');
    const ownerGot = collect(ownerSocket, 'message.created');
    await call(a.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'after removal' } });
    await ownerGot.next((p) => p.message.text === 'after removal');
    await roundTrip(agentSocket);
    expect(agentGot.seen).toEqual([]);
    agentSocket.close();
    ownerSocket.close();
  });

  it('revoking an API token on node A disconnects the sockets that use it on node B', async () => {
    const created = await call(a.url, 'POST', `/api/workspaces/${a.workspaceId}/tokens`, {
      cookie: a.owner,
      body: { name: 'socket' },
    });
    const tokenSocket = await connect(b.url, { token: created.body.token });
    const cut = disconnected(tokenSocket);
    const r = await call(a.url, 'DELETE', `/api/workspaces/${a.workspaceId}/tokens/${created.body.id}`, {
      cookie: a.owner,
    });
    expect(r.status).toBe(204);
    expect(await cut).toBe('io server disconnect');
    await expect(connect(b.url, { token: created.body.token })).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it("changing one's password on node A disconnects the user's other sessions' sockets on node B", async () => {
    const agent = await newAgent();
    const other = await login(a.url, agent.email, 'agent password 1');
    const kept = await connect(b.url, {}, { cookie: agent.cookie });
    const otherSocket = await connect(b.url, {}, { cookie: other });
    const cut = disconnected(otherSocket);
    const r = await call(a.url, 'PUT', '/api/auth/password', {
      cookie: agent.cookie,
      body: { currentPassword: 'agent password 1', newPassword: 'agent password 2' },
    });
    expect(r.status).toBe(204);
    expect(await cut).toBe('io server disconnect');
    await roundTrip(kept);
    expect(kept.connected).toBe(true);
    kept.close();
  });

  it("keeps an agent made admin connected, and brings a new workspace to the owner's open sockets", async () => {
    const agent = await newAgent();
    const agentSocket = await connect(b.url, {}, { cookie: agent.cookie });
    const ownerSocket = await connect(b.url, {}, { cookie: a.owner });
    const r = await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/members/${agent.id}`, {
      cookie: a.owner,
      body: { role: 'admin' },
    });
    expect(r.status).toBe(200);
    const created = await call(a.url, 'POST', '/api/workspaces', { cookie: a.owner, body: { name: 'Second desk' } });
    expect(created.status).toBe(201);
    const ownerGot = collect(ownerSocket, 'message.created');
    const v = await widgetSession(a.url, created.body.workspace.widgetKey);
    await call(a.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'new desk' } });
    expect((await ownerGot.next((p) => p.message.text === 'new desk')).message.chatId).toBe(v.chat.id);
    expect(agentSocket.connected).toBe(true);
    agentSocket.close();
    ownerSocket.close();
  });

  it("a returning visitor's open socket follows them into their new chat", async () => {
    const v = await widgetSession(a.url, a.widgetKey);
    const visitorSocket = await connect(b.url, { token: v.visitorToken });
    await call(a.url, 'POST', `/api/workspaces/${a.workspaceId}/chats/${v.chat.id}/close`, {
      cookie: a.owner,
      body: {},
    });
    const again = await widgetSession(a.url, a.widgetKey, v.visitorToken);
    expect(again.chat.id).not.toBe(v.chat.id);
    const got = collect(visitorSocket, 'message.created');
    await call(a.url, 'POST', `/api/workspaces/${a.workspaceId}/chats/${again.chat.id}/messages`, {
      cookie: a.owner,
      body: { text: 'in the new chat' },
    });
    await got.next((p) => p.message.text === 'in the new chat');
    visitorSocket.close();
  });

  it('a session that expires while its socket is open ends the socket', async () => {
    const agent = await newAgent();
    const soon = new Date(Date.now() + 1500).toISOString();
    const token = agent.cookie.split('=')[1]!;
    await b.parley.deps.db
      .updateTable('sessions')
      .set({ expires_at: soon })
      .where('id', '=', sha256Hex(token))
      .execute();
    const socket = await connect(b.url, {}, { cookie: agent.cookie });
    expect(await disconnected(socket)).toBe('io server disconnect');
  });
});
