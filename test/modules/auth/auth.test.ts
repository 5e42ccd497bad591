import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, login, addMember } from '../../support/client.js';

const s = useServer({ env: { PARLEY_LOGIN_ATTEMPTS: '5' } });

describe('auth', () => {
  it('signs the owner in with an HttpOnly, SameSite=Lax session cookie and tells who they are', async () => {
    const res = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(s.admin),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user).toMatchObject({ email: s.admin.email, role: 'owner' });
    const setCookie = res.headers.getSetCookie().join(';');
    expect(setCookie).toMatch(/parley_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = setCookie.split(';')[0]!;
    const me = await call(s.url, 'GET', '/api/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(s.admin.email);
    expect(me.body.workspaces).toEqual([
      expect.objectContaining({ id: s.workspaceId, name: 'Default', role: 'admin' }),
    ]);
  });

  it('refuses a wrong password with 401 UNAUTHENTICATED and never stores the password in clear', async () => {
    const r = await call(s.url, 'POST', '/api/auth/login', { body: { email: s.admin.email, password: 'nope' } });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
    const row = await s.parley.deps.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', s.admin.email)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(s.admin.password);
  });

  it('logs out: the cookie stops working', async () => {
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    expect((await call(s.url, 'GET', '/api/auth/me', { cookie })).status).toBe(200);
    expect((await call(s.url, 'POST', '/api/auth/logout', { cookie })).status).toBe(204);
    expect((await call(s.url, 'GET', '/api/auth/me', { cookie })).status).toBe(401);
  });

  it('answers 401 without credentials and with garbage tokens', async () => {
    expect((await call(s.url, 'GET', '/api/auth/me')).body.error.code).toBe('UNAUTHENTICATED');
    for (const token of ['garbage', 'pat_nope', 'vt_nope', 'ps_nope']) {
      const r = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats`, { token });
      expect(r.status).toBe(401);
    }
    expect((await call(s.url, 'GET', '/api/workspaces', { cookie: 'parley_session=ps_forged' })).status).toBe(401);
  });

  it('rate-limits sign-in per email with 429 RATE_LIMITED, even with the right password', async () => {
    const email = 'victim@example.test';
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    await addMember(s.url, cookie, s.workspaceId, { email, password: 'victim-password', role: 'agent' });
    for (let i = 0; i < 5; i++)
      expect((await call(s.url, 'POST', '/api/auth/login', { body: { email, password: 'wrong' } })).status).toBe(401);
    const r = await call(s.url, 'POST', '/api/auth/login', { body: { email, password: 'victim-password' } });
    expect(r.status).toBe(429);
    expect(r.body.error.code).toBe('RATE_LIMITED');
    expect(r.headers.get('retry-after')).toBeTruthy();
  });

  it('issues an API token once, stores only its hash, and the token acts as an admin of that one workspace', async () => {
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const created = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/tokens`, {
      cookie,
      body: { name: 'integration' },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^pat_/);
    const rows = await s.parley.deps.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(created.body.token);
    const token = created.body.token as string;
    expect((await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/members`, { token })).status).toBe(200);
    const other = await call(s.url, 'POST', '/api/workspaces', { cookie, body: { name: 'Other' } });
    expect((await call(s.url, 'GET', `/api/workspaces/${other.body.workspace.id}/chats`, { token })).status).toBe(404);
    const list = await call(s.url, 'GET', '/api/workspaces', { token });
    expect(list.body.workspaces.map((w: any) => w.id)).toEqual([s.workspaceId]);
  });
});
