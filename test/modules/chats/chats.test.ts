import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { addMember, call, login, widgetSession } from '../../support/client.js';

const s = useServer();
/** An id of the same shape that is no message: the last character changed. */
const neverWas = (id: string) => id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');

describe('widget sessions and chats', () => {
  it('creates a visitor and a chat, and resumes the same chat with the visitor token', async () => {
    const first = await widgetSession(s.url, s.widgetKey);
    expect(first.visitorToken).toMatch(/^vt_/);
    expect(first.chat.status).toBe('bot');
    expect(first.uploads).toEqual({
      enabled: true,
      allowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip',
      maxFileSizeKb: 10240,
    });
    const again = await widgetSession(s.url, s.widgetKey, first.visitorToken);
    expect(again.chat.id).toBe(first.chat.id);
    expect(again.visitorToken).toBe(first.visitorToken);
  });

  it('answers 404 for an unknown widget key', async () => {
    const r = await call(s.url, 'POST', '/api/widget/wk_nope/session', { body: {} });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it("gives a stranger token a new visitor rather than anyone else's chat", async () => {
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
    const reply = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, {
      cookie: s.owner,
      body: { text: 'hello from the agent' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.message.authorRole).toBe('agent');
    const all = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    // The bot may answer in between; this test is about what visitor and agent said.
    const human = (ms: any[]) =>
      ms.filter((m) => m.authorRole === 'visitor' || m.authorRole === 'agent').map((m) => m.text);
    const texts = human(all.body.messages);
    expect(texts).toEqual(['one', 'two', 'three', 'hello from the agent']);
    const firstId = all.body.messages.find((m: any) => m.text === 'one').id;
    const after = await call(s.url, 'GET', `/api/widget/chat/messages?after=${firstId}&limit=2`, {
      token: v.visitorToken,
    });
    expect(after.body.messages.length).toBe(2);
    expect(human(after.body.messages)[0]).toBe('two');
    const staffView = await call(
      s.url,
      'GET',
      `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages?after=${firstId}`,
      { cookie: s.owner },
    );
    expect(staffView.body.messages.map((m: any) => m.text)).toContain('hello from the agent');
  });

  it('refuses an after= that is no message of this chat (400 naming after), never lists from the start', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const other = await widgetSession(s.url, s.widgetKey);
    const mine = await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'a' } });
    const theirs = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: other.visitorToken,
      body: { text: 'b' },
    });
    const staff = `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`;
    const lists = [
      (after: string) => call(s.url, 'GET', `/api/widget/chat/messages?after=${after}`, { token: v.visitorToken }),
      (after: string) => call(s.url, 'GET', `${staff}?after=${after}`, { cookie: s.owner }),
    ];
    for (const list of lists) {
      // Another chat's message, an id that never was, junk: the caller's mistake.
      for (const after of [theirs.body.message.id, neverWas(mine.body.message.id), '0', 'zz']) {
        const r = await list(after);
        expect(r.status, after).toBe(400);
        expect(r.body.error, after).toMatchObject({
          code: 'BAD_REQUEST',
          fields: { after: 'Not a message of this chat' },
        });
      }
      // A message of this chat pages on; an empty after= is the chat's last messages, like no after at all.
      const own = await list(mine.body.message.id);
      expect(own.status).toBe(200);
      expect(own.body.messages.map((m: any) => m.id)).not.toContain(mine.body.message.id);
      const empty = await list('');
      expect(empty.status).toBe(200);
      expect(empty.body.messages.map((m: any) => m.id)).toContain(mine.body.message.id);
    }
  });

  it('refuses an empty message with 422 and a too-long one too', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    expect(
      (await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: '   ' } })).status,
    ).toBe(422);
    expect(
      (
        await call(s.url, 'POST', '/api/widget/chat/messages', {
          token: v.visitorToken,
          body: { text: 'x'.repeat(10_001) },
        })
      ).status,
    ).toBe(422);
    expect(
      (await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: {} })).body.error.fields,
    ).toHaveProperty('text');
  });

  it('walks the lifecycle: assign opens the chat, close closes it, a closed chat refuses messages with 409 CHAT_CLOSED', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const assigned = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/assign`, {
      cookie: s.owner,
      body: {},
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.chat).toMatchObject({ status: 'open', assigneeId: expect.any(String) });
    const closed = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/close`, {
      cookie: s.owner,
    });
    expect(closed.body.chat.status).toBe('closed');
    const r = await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'hi?' } });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CHAT_CLOSED');
    expect(
      (
        await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, {
          cookie: s.owner,
          body: { text: 'x' },
        })
      ).body.error.code,
    ).toBe('CHAT_CLOSED');
    // A returning visitor whose chat was closed starts a new one.
    const back = await widgetSession(s.url, s.widgetKey, v.visitorToken);
    expect(back.chat.id).not.toBe(v.chat.id);
  });

  // A visitor's second message on a node goes out as one statement that checks the token and the chat itself.
  it('checks the token and the chat on every message, also once the node knows the visitor', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const say = (token: string, text: string) =>
      call(s.url, 'POST', '/api/widget/chat/messages', { token, body: { text } });
    expect((await say(v.visitorToken, 'first')).status).toBe(201);
    expect((await say(v.visitorToken, 'second')).status).toBe(201);
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/close`, { cookie: s.owner });
    const closed = await say(v.visitorToken, 'after the close');
    expect([closed.status, closed.body.error.code]).toEqual([409, 'CHAT_CLOSED']);

    const w = await widgetSession(s.url, s.widgetKey);
    expect((await say(w.visitorToken, 'before the erasure')).status).toBe(201);
    const { visitor_id } = await s.parley.deps.db
      .selectFrom('chats')
      .select('visitor_id')
      .where('id', '=', w.chat.id)
      .executeTakeFirstOrThrow();
    expect((await s.asOwner('DELETE', s.api(`/visitors/${visitor_id}`))).status).toBe(202);
    const erased = await say(w.visitorToken, 'after the erasure');
    expect([erased.status, erased.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const refused = await s.parley.deps.db
      .selectFrom('messages')
      .select('text')
      .where('text', 'in', ['after the close', 'after the erasure'])
      .execute();
    expect(refused).toEqual([]);
    // Garbage tokens are refused the same way, and do not take a known visitor's place.
    expect((await say('vt_not-a-token', 'hello')).status).toBe(401);
  });

  // An agent's message into an open chat, signed in by cookie, is one statement that checks the session itself.
  it("checks an agent's session and membership on every message into an open chat", async () => {
    const other = (await s.asOwner('POST', '/api/workspaces', { name: 'other desk' })).body.workspace;
    const agent = { email: 'fast-path@example.com', password: 'correct horse 1', role: 'agent' as const };
    const user = await addMember(s.url, s.owner, s.workspaceId, { ...agent, name: 'Ana' });
    const cookie = await login(s.url, agent.email, agent.password);
    const v = await widgetSession(s.url, s.widgetKey);
    const chatUrl = (ws: string, chat = v.chat.id) => `/api/workspaces/${ws}/chats/${chat}/messages`;
    const says = (text: unknown, c = cookie, ws = s.workspaceId, chat = v.chat.id) =>
      call(s.url, 'POST', chatUrl(ws, chat), { cookie: c, body: { text } });
    expect((await says('taking it')).status).toBe(201); // takes the chat over: it is open now
    const sent = await says('in one statement');
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ authorRole: 'agent', authorId: user.id, text: 'in one statement' });
    expect((await says('by reference', cookie, s.workspaceId, v.chat.ref)).status).toBe(201);
    // Another workspace's path to the same chat, one the agent is no member of, a stranger's cookie: 404, 401.
    expect((await says('elsewhere', cookie, other.id)).status).toBe(404);
    expect((await says('stranger', 'parley_session=ps_not-a-session')).status).toBe(401);
    // Who is asking comes before what was sent, also a body that does not parse.
    expect((await says('   ', 'parley_session=ps_not-a-session')).status).toBe(401);
    expect((await says('   ')).status).toBe(422);
    const garbled = (c: string) =>
      fetch(`${s.url}${chatUrl(s.workspaceId)}`, {
        method: 'POST',
        headers: { cookie: c, 'content-type': 'application/json' },
        body: '{"text": ',
      });
    expect((await garbled('parley_session=ps_not-a-session')).status).toBe(401);
    expect((await garbled(cookie)).status).toBe(400);
    // Removed from the workspace: 404 at once; signed out: 401.
    const second = await login(s.url, agent.email, agent.password);
    expect((await s.asOwner('DELETE', s.api(`/members/${user.id}`))).status).toBe(204);
    expect((await says('after removal', second)).status).toBe(404);
    await call(s.url, 'POST', '/api/auth/logout', { cookie });
    expect((await says('after sign-out')).status).toBe(401);
    const refused = await s.parley.deps.db
      .selectFrom('messages')
      .select('text')
      .where('text', 'in', ['elsewhere', 'stranger', 'after removal', 'after sign-out'])
      .execute();
    expect(refused).toEqual([]);
  });

  it('keeps a closed chat for a widget asking keepClosed; reopens it unless the visitor has a newer chat', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const chatUrl = `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}`;
    await call(s.url, 'POST', `${chatUrl}/close`, { cookie: s.owner });
    const session = (body: object) => call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, { body });
    const kept = await session({ visitorToken: v.visitorToken, keepClosed: true });
    expect(kept.body.chat).toMatchObject({ id: v.chat.id, status: 'closed' });
    const history = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    expect(history.body.messages.map((m: { text?: string }) => m.text)).toContain('The chat was closed');

    const reopened = await call(s.url, 'POST', `${chatUrl}/reopen`, { cookie: s.owner });
    expect(reopened.status).toBe(200);
    expect(reopened.body.chat).toMatchObject({ status: 'open', assigneeId: expect.any(String), closedAt: null });
    const said = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'ok' },
    });
    expect(said.status).toBe(201);

    await call(s.url, 'POST', `${chatUrl}/close`, { cookie: s.owner });
    const fresh = await session({ visitorToken: v.visitorToken });
    expect(fresh.body.chat.id).not.toBe(v.chat.id);
    const refused = await call(s.url, 'POST', `${chatUrl}/reopen`, { cookie: s.owner });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CHAT_CLOSED');
  });

  it('closes and reopens once when the same click arrives several times at once: one note each', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const chatUrl = `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}`;
    const five = (action: string) =>
      Promise.all(Array.from({ length: 5 }, () => call(s.url, 'POST', `${chatUrl}/${action}`, { cookie: s.owner })));
    const closed = await five('close');
    expect(closed.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(closed.map((r) => r.body.chat.status)).toEqual(Array(5).fill('closed'));
    const reopened = await five('reopen');
    expect(reopened.map((r) => r.body.chat.status)).toEqual(Array(5).fill('open'));
    await five('close');
    const history = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    const notes = history.body.messages
      .map((m: { text?: string }) => m.text)
      .filter((t: string) => /^The chat was (closed|reopened)$/.test(t));
    expect(notes).toEqual(['The chat was closed', 'The chat was reopened', 'The chat was closed']);
  });

  it('starts one new chat when a returning visitor of a closed chat opens several sessions at once', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/close`, { cookie: s.owner });
    const back = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, { body: { visitorToken: v.visitorToken } }),
      ),
    );
    expect(back.map((r) => r.status)).toEqual(Array(8).fill(200));
    const ids = new Set(back.map((r) => r.body.chat.id));
    expect(ids.size).toBe(1);
    expect(ids.has(v.chat.id)).toBe(false);
    const bots = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats?status=bot&limit=100`, {
      cookie: s.owner,
    });
    const visitorId = bots.body.chats.find((c: { id: string }) => ids.has(c.id))?.visitorId;
    expect(visitorId).toBeDefined();
    expect(bots.body.chats.filter((c: { visitorId: string }) => c.visitorId === visitorId)).toHaveLength(1);
  });

  it('says once that an agent joined when the same agent takes the chat again or several times at once', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const assign = () =>
      call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/assign`, { cookie: s.owner, body: {} });
    const first = await Promise.all(Array.from({ length: 5 }, assign));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(first.map((r) => r.body.chat.status)).toEqual(Array(5).fill('open'));
    expect((await assign()).status).toBe(200);
    const history = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    const joined = history.body.messages.filter((m: { text?: string }) => m.text === 'An agent joined the chat');
    expect(joined).toHaveLength(1);
  });

  it('lists chats by status, newest first, with a cursor', async () => {
    const cookie = s.owner;
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie, body: { name: 'Paging' } })).body.workspace;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await widgetSession(s.url, ws.widgetKey)).chat.id);
    const page1 = await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=bot&limit=2`, { cookie });
    expect(page1.body.chats.map((c: any) => c.id)).toEqual([ids[4], ids[3]]);
    const page2 = await call(
      s.url,
      'GET',
      `/api/workspaces/${ws.id}/chats?status=bot&limit=2&cursor=${page1.body.nextCursor}`,
      { cookie },
    );
    expect(page2.body.chats.map((c: any) => c.id)).toEqual([ids[2], ids[1]]);
    const page3 = await call(
      s.url,
      'GET',
      `/api/workspaces/${ws.id}/chats?status=bot&limit=2&cursor=${page2.body.nextCursor}`,
      { cookie },
    );
    expect(page3.body.chats.map((c: any) => c.id)).toEqual([ids[0]]);
    expect(page3.body.nextCursor).toBeNull();
    expect((await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=open`, { cookie })).body.chats).toEqual([]);
    expect((await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats?status=nonsense`, { cookie })).status).toBe(400);
  });
});
