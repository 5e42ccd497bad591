// Limits that hold under concurrent bursts: sign-in attempts, new visitor sessions, visitor file quotas. Each burst is
// fired at once; the counts are atomic in the database, so no more than the limit gets through. Clients are told
// apart by X-Forwarded-For (PARLEY_TRUST_PROXY), as behind a real proxy.
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, type Res } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';

const s = useServer({
  env: {
    PARLEY_TRUST_PROXY: 'true',
    PARLEY_LOGIN_ATTEMPTS: '10',
    PARLEY_LOGIN_ATTEMPTS_PER_IP: '50',
    PARLEY_LOGIN_ATTEMPTS_PER_EMAIL: '200',
    PARLEY_VISITOR_SESSIONS_PER_IP_HOUR: '5',
    PARLEY_VISITOR_SESSIONS_PER_WIDGET_HOUR: '12',
    PARLEY_VISITOR_FILES_PER_MINUTE: '5',
    // A burst of 1, then one message per 30 s: a 40-message burst gets exactly one through.
    PARLEY_VISITOR_MESSAGES_PER_MINUTE: '2',
    // The quota itself is under test: all 30 concurrent uploads must reach it (not the uploads-at-once cap).
    PARLEY_UPLOADS_PER_VISITOR: '100',
  },
});

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const signIn = (email: string, password: string, ip: string) =>
  call(s.url, 'POST', '/api/auth/login', { body: { email, password }, headers: from(ip) });
const count = (rs: Res[], status: number) => rs.filter((r) => r.status === status).length;

describe('sign-in limiter', () => {
  it('checks at most the limit of 100 concurrent attempts on one email from one address', async () => {
    const rs = await Promise.all(
      Array.from({ length: 100 }, () => signIn('someone@example.test', 'wrong-password', '10.1.0.1')),
    );
    // Each 401 is a password that was checked; everything else was refused before the check.
    expect(count(rs, 401)).toBeLessThanOrEqual(10);
    expect(count(rs, 429)).toBeGreaterThanOrEqual(90);
    expect(count(rs, 401) + count(rs, 429)).toBe(100);
    const limited = rs.find((r) => r.status === 429)!;
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('checks at most the per-address limit of 150 concurrent attempts on many emails from one address', async () => {
    const rs = await Promise.all(
      Array.from({ length: 150 }, (_, i) => signIn(`user${i}@example.test`, 'wrong-password', '10.2.0.1')),
    );
    expect(count(rs, 401)).toBeLessThanOrEqual(50);
    expect(count(rs, 401) + count(rs, 429)).toBe(150);
  });

  it('locks a guesser out of the owner account from its address, never the owner from everywhere', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 30 }, () => signIn(s.admin.email, 'not-the-password', '10.3.0.1')),
    );
    expect(count(guesses, 401)).toBeLessThanOrEqual(10);
    // Even the right password is refused from the guesser's address…
    expect((await signIn(s.admin.email, s.admin.password, '10.3.0.1')).status).toBe(429);
    // …while the owner signs in from anywhere else.
    const r = await signIn(s.admin.email, s.admin.password, '10.3.0.2');
    expect(r.status).toBe(200);
  });
});

describe('visitor sessions', () => {
  it('allows only the per-address number of new sessions an hour, even in a burst, and still resumes existing ones', async () => {
    const rs = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, { body: {}, headers: from('10.4.0.1') }),
      ),
    );
    expect(count(rs, 200)).toBe(5);
    expect(count(rs, 429)).toBe(15);
    expect(rs.find((r) => r.status === 429)!.body.error.code).toBe('RATE_LIMITED');
    // A visitor who already has a chat comes back without counting as new.
    const token = rs.find((r) => r.status === 200)!.body.visitorToken;
    const again = await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, {
      body: { visitorToken: token },
      headers: from('10.4.0.1'),
    });
    expect(again.status).toBe(200);
    expect(again.body.visitorToken).toBe(token);
    // Another address is not affected.
    const other = await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, {
      body: {},
      headers: from('10.4.0.2'),
    });
    expect(other.status).toBe(200);
  });

  it('allows only the per-widget number of new sessions an hour, across addresses', async () => {
    const cookie = s.owner;
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie, body: { name: 'Busy site' } })).body.workspace;
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(s.url, 'POST', `/api/widget/${ws.widgetKey}/session`, { body: {}, headers: from(`10.5.${i}.1`) }),
      ),
    );
    expect(count(rs, 200)).toBe(12);
    expect(count(rs, 429)).toBe(18);
    const chats = await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats`, { cookie });
    expect(chats.body.chats).toHaveLength(12);
  });
});

describe('visitor file quota', () => {
  it('accepts no more files than the per-minute quota from 30 concurrent uploads, and stores nothing for the rest', async () => {
    const session = await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, {
      body: {},
      headers: from('10.6.0.1'),
    });
    const token = session.body.visitorToken;
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        upload(s.url, '/api/widget/chat/files', [{ name: `q${i}.pdf`, data: pdf(4096, String(i)) }], { token }),
      ),
    );
    expect(count(rs, 201)).toBeLessThanOrEqual(5);
    expect(count(rs, 201) + count(rs, 429)).toBe(30);
    await s.parley.idle();
    const stored = await s.parley.deps.db
      .selectFrom('files')
      .select('storage_key')
      .where('chat_id', '=', session.body.chat.id)
      .execute();
    expect(stored).toHaveLength(count(rs, 201));
    const objects = (await s.parley.deps.storage.list(`ws/${s.workspaceId}/`)).filter((k) => !k.endsWith('.thumb'));
    expect(objects.sort()).toEqual(stored.map((f) => f.storage_key).sort());
  });
});

describe('visitor messages', () => {
  it('takes a burst of half the per-minute limit from one visitor, then 429 with Retry-After', async () => {
    const visitor = async (ip: string) =>
      (await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, { body: {}, headers: from(ip) })).body;
    const flooder = await visitor('10.7.0.1');
    const post = (token: string, text: string) =>
      call(s.url, 'POST', '/api/widget/chat/messages', { token, body: { text } });
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => post(flooder.visitorToken, `m${i}`)));
    expect(count(rs, 201)).toBe(1);
    const refused = rs.filter((r) => r.status === 429);
    expect(refused).toHaveLength(39);
    expect(refused[0]!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Only the accepted ones are in the chat; another visitor is not affected.
    const listed = await call(s.url, 'GET', '/api/widget/chat/messages', { token: flooder.visitorToken });
    expect(listed.body.messages.filter((m: any) => /^m\d+$/.test(m.text ?? ''))).toHaveLength(1);
    const other = await visitor('10.7.0.2');
    expect((await post(other.visitorToken, 'hello')).status).toBe(201);
  });
});
