// Issue 17: who the visitor is and where they are. The widget reports page, referrer, language and time zone at the
// session start (the user agent is the request's) and later on POST /api/widget/chat/visitor, which also carries the
// embedding page's Parley('identify', …). Cleaned and capped on the server; identify's name wins over the bot's.
// Also the queue's waitingSince: set at the hand-over or by an unanswered visitor message, cleared by an agent's.
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, widgetSession } from '../../support/client.js';

const s = useServer();
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Chrome/131.0.0.0 Safari/537.36';

async function session(visitor: Record<string, unknown>, visitorToken?: string) {
  const r = await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, {
    body: { ...(visitorToken ? { visitorToken, keepClosed: true } : {}), visitor },
    headers: { 'user-agent': UA },
  });
  expect(r.status).toBe(200);
  return r.body as { visitorToken: string; chat: { id: string } };
}

const staffChat = async (chatId: string) =>
  (await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${chatId}`, { cookie: s.owner })).body.chat;

describe('visitor details', () => {
  it('keeps page, referrer, browser, language, time zone from the session start; follows navigation', async () => {
    const v = await session({
      pageUrl: 'https://shop.example/pricing?plan=pro',
      referrer: 'https://search.example/?q=parley',
      language: 'fr-FR',
      timeZone: 'Asia/Tokyo',
      utcOffset: 540,
    });
    expect((await staffChat(v.chat.id)).visitor).toEqual({
      pageUrl: 'https://shop.example/pricing?plan=pro',
      referrer: 'https://search.example/?q=parley',
      userAgent: UA,
      language: 'fr-FR',
      timeZone: 'Asia/Tokyo',
      utcOffset: 540,
    });

    // A resumed session on another page, then a history navigation reported on its own.
    const again = await session({ pageUrl: 'https://shop.example/checkout' }, v.visitorToken);
    expect(again.chat.id).toBe(v.chat.id);
    expect((await staffChat(v.chat.id)).visitor.pageUrl).toBe('https://shop.example/checkout');
    const nav = await call(s.url, 'POST', '/api/widget/chat/visitor', {
      token: v.visitorToken,
      body: { pageUrl: 'https://shop.example/checkout#step-2' },
    });
    expect(nav.status).toBe(200);
    expect(nav.body.chat.visitor).toMatchObject({
      pageUrl: 'https://shop.example/checkout#step-2',
      language: 'fr-FR',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('strips control characters, caps URLs at 2048, drops what is not an http(s) URL, zone or language', async () => {
    const long = `https://shop.example/${'a'.repeat(5000)}`;
    const v = await session({
      pageUrl: long,
      referrer: 'javascript:alert(1)',
      language: 'not a language!',
      timeZone: 'Mars/Olympus_Mons',
    });
    const seen = (await staffChat(v.chat.id)).visitor;
    expect(seen.pageUrl).toHaveLength(2048);
    expect(seen.pageUrl.startsWith('https://shop.example/aaa')).toBe(true);
    expect(seen).not.toHaveProperty('referrer');
    expect(seen).not.toHaveProperty('language');
    expect(seen).not.toHaveProperty('timeZone');

    const r = await call(s.url, 'POST', '/api/widget/chat/visitor', {
      token: v.visitorToken,
      body: {
        name: 'Alice\u0000 \u202eMartin\u0007',
        pageUrl: 'https://user:secret@shop.example/a\u0001b',
        attributes: { plan: 'pro\u0000', seats: 12, trial: false },
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.chat.visitor.name).toBe('Alice Martin');
    expect(r.body.chat.visitor.pageUrl).toBe('https://shop.example/ab');
    expect(r.body.chat.visitor.attributes).toEqual({ plan: 'pro', seats: '12', trial: 'false' });

    // Far too long for the schema: refused outright.
    const huge = await call(s.url, 'POST', '/api/widget/chat/visitor', {
      token: v.visitorToken,
      body: { pageUrl: `https://shop.example/${'b'.repeat(30_000)}` },
    });
    expect(huge.status).toBe(422);
  });

  it("identify sets name, e-mail and attributes for agents and the queue; it wins over the bot's name", async () => {
    const v = await session({ pageUrl: 'https://shop.example/' });
    // The default flow asks the name first: the bot collects "Bot Name".
    await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'Bot Name' } });
    await expect.poll(async () => (await staffChat(v.chat.id)).visitor.name).toBe('Bot Name');

    const r = await call(s.url, 'POST', '/api/widget/chat/visitor', {
      token: v.visitorToken,
      body: { name: 'Alice Martin', email: 'alice@example.com', attributes: { plan: 'pro' } },
    });
    expect(r.status).toBe(200);
    const chat = await staffChat(v.chat.id);
    expect(chat.visitor).toMatchObject({
      name: 'Alice Martin',
      email: 'alice@example.com',
      attributes: { plan: 'pro' },
      pageUrl: 'https://shop.example/',
    });
    const queue = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats`, { cookie: s.owner });
    expect(queue.body.chats.find((c: any) => c.id === v.chat.id).visitor.name).toBe('Alice Martin');

    // Sent empty, a field is cleared: the bot's name shows again.
    await call(s.url, 'POST', '/api/widget/chat/visitor', { token: v.visitorToken, body: { name: '' } });
    expect((await staffChat(v.chat.id)).visitor.name).toBe('Bot Name');
  });

  it('refuses what identify cannot mean with 422 naming the field', async () => {
    const v = await session({});
    const bad = async (body: Record<string, unknown>) =>
      call(s.url, 'POST', '/api/widget/chat/visitor', { token: v.visitorToken, body });
    const email = await bad({ email: 'not-an-address' });
    expect(email.status).toBe(422);
    expect(email.body.error.code).toBe('VALIDATION_FAILED');
    expect(email.body.error.fields).toHaveProperty('email');
    expect((await bad({ name: 'x'.repeat(201) })).status).toBe(422);
    const many = await bad({ attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) });
    expect(many.status).toBe(422);
    expect(many.body.error.fields).toHaveProperty('attributes');
    const key = await bad({ attributes: { plan: 'pro', '<img src=x onerror=alert(1)>': 'v' } });
    expect(key.status).toBe(422);
    expect(key.body.error.fields.attributes).toMatch(/^Attribute 2 \(counted from 1\)/);
    expect(JSON.stringify(key.body)).not.toContain('onerror');
    expect((await bad({ attributes: { long: 'v'.repeat(501) } })).status).toBe(422);
    expect((await bad({ somethingElse: 1 })).status).toBe(422);
    // Nothing of it was kept.
    expect((await staffChat(v.chat.id)).visitor).toEqual({ userAgent: UA });
  });

  it('needs a visitor token, and a visitor reaches only their own chat; other workspaces answer 404', async () => {
    const none = await call(s.url, 'POST', '/api/widget/chat/visitor', { body: { name: 'Mallory' } });
    expect(none.status).toBe(401);
    const stranger = await call(s.url, 'POST', '/api/widget/chat/visitor', {
      token: 'vt_made_up',
      body: { name: 'Mallory' },
    });
    expect(stranger.status).toBe(401);

    const other = await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Other' } });
    const otherKey = other.body.workspace.widgetKey as string;
    const otherWs = other.body.workspace.id as string;
    const a = await session({});
    const b = await widgetSession(s.url, otherKey);
    await call(s.url, 'POST', '/api/widget/chat/visitor', { token: b.visitorToken, body: { name: 'Bob Other' } });
    await call(s.url, 'POST', '/api/widget/chat/visitor', { token: a.visitorToken, body: { name: 'Alice Here' } });
    expect((await staffChat(a.chat.id)).visitor.name).toBe('Alice Here');
    // The other workspace's chat is not this workspace's.
    const cross = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${b.chat.id}`, { cookie: s.owner });
    expect(cross.status).toBe(404);
    const theirs = await call(s.url, 'GET', `/api/workspaces/${otherWs}/chats/${b.chat.id}`, { cookie: s.owner });
    expect(theirs.body.chat.visitor.name).toBe('Bob Other');
    // A visitor token of one workspace is a stranger on another's widget: a new visitor, nothing carried over.
    const crossed = await widgetSession(s.url, otherKey, a.visitorToken);
    expect(crossed.chat.id).not.toBe(a.chat.id);
    const fresh = (await call(s.url, 'GET', '/api/widget/chat', { token: crossed.visitorToken })).body.chat.visitor;
    expect(fresh).not.toHaveProperty('name');
  });
});

describe('visitor details of a closed chat (found by QA)', () => {
  it('stay as they were at closing: identify answers 409 CHAT_CLOSED, a resumed session changes nothing', async () => {
    const v = await session({ pageUrl: 'https://shop.example/help' });
    await call(s.url, 'POST', '/api/widget/chat/visitor', { token: v.visitorToken, body: { name: 'Alice Martin' } });
    const closed = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/close`, {
      cookie: s.owner,
      body: {},
    });
    expect(closed.status).toBe(200);
    const before = (await staffChat(v.chat.id)).visitor;
    expect(before).toMatchObject({ name: 'Alice Martin', pageUrl: 'https://shop.example/help' });

    const identify = await call(s.url, 'POST', '/api/widget/chat/visitor', {
      token: v.visitorToken,
      body: { name: 'Mallory', pageUrl: 'https://shop.example/elsewhere', attributes: { plan: 'free' } },
    });
    expect(identify.status).toBe(409);
    expect(identify.body.error.code).toBe('CHAT_CLOSED');
    // The widget still shows the closed chat (keepClosed) on another page: the session answers, the chat is kept.
    const again = await session({ pageUrl: 'https://shop.example/later', name: 'Mallory' }, v.visitorToken);
    expect(again.chat.id).toBe(v.chat.id);
    expect((await staffChat(v.chat.id)).visitor).toEqual(before);

    // A new chat (no keepClosed) starts with what the visitor tells now.
    const next = await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, {
      body: { visitorToken: v.visitorToken, visitor: { pageUrl: 'https://shop.example/new' } },
      headers: { 'user-agent': UA },
    });
    expect(next.body.chat.id).not.toBe(v.chat.id);
    expect((await staffChat(next.body.chat.id)).visitor.pageUrl).toBe('https://shop.example/new');
  });
});

describe('visitor details, flooded (found by QA)', () => {
  it('take at most 60 changes a minute per visitor; repeats are free; other visitors are not held back', async () => {
    const a = await session({});
    const post = (token: string, body: Record<string, unknown>) =>
      call(s.url, 'POST', '/api/widget/chat/visitor', { token, body });
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await post(a.visitorToken, { attributes: { n: String(i) } })).status);
    expect(statuses.slice(0, 60).every((x) => x === 200)).toBe(true);
    const refused = await post(a.visitorToken, { attributes: { n: 'more' } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing changed by the refused calls; sending what is already set still answers.
    expect((await staffChat(a.chat.id)).visitor.attributes).toEqual({ n: '59' });
    expect((await post(a.visitorToken, { attributes: { n: '59' } })).status).toBe(200);
    const b = await session({});
    expect((await post(b.visitorToken, { name: 'Someone else' })).status).toBe(200);
  });
});

describe('waiting since', () => {
  it('starts at the hand-over, holds through visitor messages, clears on a reply, restarts on the next', async () => {
    const v = await session({});
    const chat = () => staffChat(v.chat.id);
    expect((await chat()).waitingSince).toBeNull();
    // The default flow: name, then "Talk to an agent" hands over.
    await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'Alice' } });
    await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'Talk to an agent' },
    });
    await expect.poll(async () => (await chat()).status).toBe('waiting');
    const handedOver = (await chat()).waitingSince as string;
    expect(handedOver).toBeTruthy();
    expect(Date.parse(handedOver)).toBeGreaterThan(Date.parse((await chat()).createdAt));

    await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'Hello?' } });
    expect((await chat()).waitingSince).toBe(handedOver);

    const base = `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}`;
    await call(s.url, 'POST', `${base}/assign`, { cookie: s.owner, body: {} });
    expect((await chat()).waitingSince).toBe(handedOver); // taken, but nobody answered yet
    await call(s.url, 'POST', `${base}/messages`, { cookie: s.owner, body: { text: 'Hi Alice' } });
    expect((await chat()).waitingSince).toBeNull();

    const next = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'One more question' },
    });
    expect((await chat()).waitingSince).toBe(next.body.message.createdAt);
    await call(s.url, 'POST', `${base}/close`, { cookie: s.owner, body: {} });
    expect((await chat()).waitingSince).toBeNull();
  });
});
