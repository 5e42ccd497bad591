// Issue 17 item 7 and issue 12 item 10: members join by a one-time invitation link; the admin's answer is the same
// whether or not the e-mail has an account; everyone can change their own password.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { addMember, call, login } from '../../support/client.js';

const s = useServer();
let owner: string;
beforeAll(() => {
  owner = s.owner;
});

const tokenOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('invite')!;
const invite = (ws: string, body: object, cookie = owner) =>
  call(s.url, 'POST', `/api/workspaces/${ws}/members`, { cookie, body });

describe('invitations', () => {
  it('answers the same for an existing user of another workspace and for an unknown e-mail', async () => {
    const other = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'Elsewhere' } })).body
      .workspace;
    const existing = await addMember(s.url, owner, other.id, {
      email: 'exists@example.test',
      name: 'Existing Person',
      password: 'existing-pass',
      role: 'agent',
    });
    const known = await invite(s.workspaceId, { email: 'exists@example.test', role: 'agent' });
    const unknown = await invite(s.workspaceId, { email: 'nobody@example.test', role: 'agent' });
    expect(known.status).toBe(201);
    expect(unknown.status).toBe(201);
    const shape = (b: any) => ({ ...b.invitation, id: 'x', email: 'x', link: 'x', createdAt: 'x', expiresAt: 'x' });
    expect(shape(known.body)).toEqual(shape(unknown.body));
    expect(JSON.stringify(known.body)).not.toContain(existing.id);
    expect(JSON.stringify(known.body)).not.toContain('Existing Person');
    // Not a member until they accept.
    const members = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner });
    expect(members.body.members.map((m: any) => m.email)).not.toContain('exists@example.test');
    expect(members.body.invitations.map((i: any) => i.email)).toEqual(
      expect.arrayContaining(['exists@example.test', 'nobody@example.test']),
    );
    expect(members.body.invitations[0].link).toBeUndefined();
  });

  it('lets an existing user accept with their own password, once', async () => {
    const other = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'Home' } })).body
      .workspace;
    await addMember(s.url, owner, other.id, { email: 'mover@example.test', password: 'mover-pass', role: 'agent' });
    const r = await invite(s.workspaceId, { email: 'mover@example.test', role: 'admin' });
    const token = tokenOf(r.body.invitation.link);
    const seen = await call(s.url, 'GET', `/api/invitations/${token}`);
    expect(seen.body).toMatchObject({ hasAccount: true, invitation: { role: 'admin', email: 'mover@example.test' } });
    const wrong = await call(s.url, 'POST', `/api/invitations/${token}/accept`, { body: { password: 'guess' } });
    expect(wrong.status).toBe(422);
    const ok = await call(s.url, 'POST', `/api/invitations/${token}/accept`, { body: { password: 'mover-pass' } });
    expect(ok.status).toBe(200);
    const cookie = ok.headers
      .getSetCookie()
      .find((c) => c.startsWith('parley_session='))!
      .split(';')[0]!;
    const mine = await call(s.url, 'GET', '/api/workspaces', { cookie });
    expect(mine.body.workspaces.map((w: any) => [w.id, w.role])).toEqual(
      expect.arrayContaining([
        [s.workspaceId, 'admin'],
        [other.id, 'agent'],
      ]),
    );
    const again = await call(s.url, 'POST', `/api/invitations/${token}/accept`, { body: { password: 'mover-pass' } });
    expect(again.status).toBe(404);
  });

  it('lets a new person create their account from the link; a withdrawn link no longer works', async () => {
    const r = await invite(s.workspaceId, { email: 'fresh@example.test', name: 'Fresh', role: 'agent' });
    const token = tokenOf(r.body.invitation.link);
    expect((await call(s.url, 'GET', `/api/invitations/${token}`)).body.hasAccount).toBe(false);
    const short = await call(s.url, 'POST', `/api/invitations/${token}/accept`, { body: { password: 'short' } });
    expect(short.status).toBe(422);
    expect(short.body.error.fields).toHaveProperty('password');
    const ok = await call(s.url, 'POST', `/api/invitations/${token}/accept`, {
      body: { name: 'Fresh Face', password: 'fresh-password' },
    });
    expect(ok.body.user).toMatchObject({ email: 'fresh@example.test', name: 'Fresh Face' });
    await login(s.url, 'fresh@example.test', 'fresh-password');

    const w = await invite(s.workspaceId, { email: 'withdrawn@example.test', role: 'agent' });
    expect(
      (
        await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/invitations/${w.body.invitation.id}`, {
          cookie: owner,
        })
      ).status,
    ).toBe(204);
    const t = tokenOf(w.body.invitation.link);
    expect((await call(s.url, 'GET', `/api/invitations/${t}`)).status).toBe(404);
  });

  it('replaces a pending invitation when the e-mail is invited again, also several times at once', async () => {
    const first = await invite(s.workspaceId, { email: 'again@example.test', role: 'agent' });
    const second = await invite(s.workspaceId, { email: 'Again@Example.test', role: 'admin' });
    expect([first.status, second.status]).toEqual([201, 201]);
    // The first link no longer works; the second does.
    const old = await call(s.url, 'GET', `/api/invitations/${tokenOf(first.body.invitation.link)}`);
    expect(old.status).toBe(404);
    const fresh = await call(s.url, 'GET', `/api/invitations/${tokenOf(second.body.invitation.link)}`);
    expect(fresh.status).toBe(200);
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => invite(s.workspaceId, { email: 'burst@example.test', role: 'agent' })),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(5).fill(201));
    const members = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner });
    const pending = members.body.invitations.map((i: { email: string }) => i.email);
    expect(pending.filter((e: string) => e === 'again@example.test')).toHaveLength(1);
    expect(pending.filter((e: string) => e === 'burst@example.test')).toHaveLength(1);
  });

  it("changes a member's role", async () => {
    const m = await addMember(s.url, owner, s.workspaceId, {
      email: 'promote@example.test',
      password: 'promote-pass',
      role: 'agent',
    });
    const r = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/members/${m.id}`, {
      cookie: owner,
      body: { role: 'admin' },
    });
    expect(r.body.member).toMatchObject({ id: m.id, role: 'admin' });
    const cookie = await login(s.url, 'promote@example.test', 'promote-pass');
    expect((await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/files`, { cookie })).status).toBe(200);
  });
});

describe('members and the instance owner', () => {
  it("refuses removing the owner's membership or making them an agent (409), whoever asks", async () => {
    const me = (await call(s.url, 'GET', '/api/auth/me', { cookie: owner })).body.user;
    const admin = await addMember(s.url, owner, s.workspaceId, {
      email: 'second-admin@example.test',
      password: 'second-admin-pass',
      role: 'admin',
    });
    const adminCookie = await login(s.url, 'second-admin@example.test', 'second-admin-pass');
    const token = (
      await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/tokens`, { cookie: adminCookie, body: { name: 't' } })
    ).body.token;
    const ownerPath = `/api/workspaces/${s.workspaceId}/members/${me.id}`;
    for (const auth of [{ cookie: adminCookie }, { token }, { cookie: owner }]) {
      const removed = await call(s.url, 'DELETE', ownerPath, auth);
      expect(removed.status).toBe(409);
      expect(removed.body.error.code).toBe('CONFLICT');
      const demoted = await call(s.url, 'PUT', ownerPath, { ...auth, body: { role: 'agent' } });
      expect(demoted.status).toBe(409);
    }
    const members = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner });
    expect(members.body.members).toContainEqual(expect.objectContaining({ id: me.id, role: 'admin', owner: true }));
    // The list says who the owner is (the Members page shows "Owner" and offers no Remove or role change).
    expect(members.body.members).toContainEqual(expect.objectContaining({ id: admin.id, owner: false }));
    const audit = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/audit?action=member.*`, { cookie: owner });
    expect(audit.body.entries.filter((e: any) => e.target === `user:${me.id}`)).toEqual([]);
    // Other members are still removed as before.
    expect(
      (await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/members/${admin.id}`, { cookie: owner })).status,
    ).toBe(204);
  });

  it('refuses inviting someone who already is a member, the owner included, with 409 naming the e-mail', async () => {
    const other = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'No owner row' } })).body
      .workspace;
    await addMember(s.url, owner, s.workspaceId, {
      email: 'member@example.test',
      password: 'member-pass',
      role: 'agent',
    });
    for (const [ws, email] of [
      [s.workspaceId, 'member@example.test'],
      [s.workspaceId, ' Member@Example.TEST '],
      [s.workspaceId, s.admin.email],
      [other.id, s.admin.email], // a workspace the owner has no membership row in: still an admin there
    ]) {
      const r = await invite(ws!, { email, role: 'admin' });
      expect(r.status, `${ws} ${email}`).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'CONFLICT', fields: { email: 'Already a member of this workspace' } });
    }
    const members = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner });
    expect(members.body.invitations.map((i: any) => i.email)).not.toContain('member@example.test');
    expect(members.body.members).toContainEqual(
      expect.objectContaining({ email: 'member@example.test', role: 'agent' }),
    );
    // A member of another workspace is invited as before.
    expect((await invite(other.id, { email: 'member@example.test', role: 'agent' })).status).toBe(201);
  });

  it('refuses an e-mail longer than RFC 5321 allows: 64 octets before the @, 254 in all', async () => {
    // a@ + a domain of 192 + n characters (labels of 63 or fewer): 254 in all for n = 60.
    const address = (n: number) => `a@${['d', 'e', 'f'].map((c) => c.repeat(63)).join('.')}.${'g'.repeat(n)}`;
    expect(address(60)).toHaveLength(254);
    for (const email of [`${'a'.repeat(300)}@example.test`, `${'a'.repeat(65)}@example.test`, address(61)]) {
      const r = await invite(s.workspaceId, { email, role: 'agent' });
      expect(r.status, email).toBe(422);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.fields.email).toMatch(/at most 64/);
    }
    expect((await invite(s.workspaceId, { email: `${'a'.repeat(64)}@example.test`, role: 'agent' })).status).toBe(201);
    expect((await invite(s.workspaceId, { email: address(60), role: 'agent' })).status).toBe(201);
  });
});

describe('changing one’s own password', () => {
  it('needs the current password, signs other sessions out and keeps this one', async () => {
    await addMember(s.url, owner, s.workspaceId, { email: 'pw@example.test', password: 'old-password', role: 'agent' });
    const here = await login(s.url, 'pw@example.test', 'old-password');
    const elsewhere = await login(s.url, 'pw@example.test', 'old-password');
    const wrong = await call(s.url, 'PUT', '/api/auth/password', {
      cookie: here,
      body: { currentPassword: 'not-it', newPassword: 'new-password' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields).toHaveProperty('currentPassword');
    const short = await call(s.url, 'PUT', '/api/auth/password', {
      cookie: here,
      body: { currentPassword: 'old-password', newPassword: 'short' },
    });
    expect(short.body.error.fields).toHaveProperty('newPassword');
    const ok = await call(s.url, 'PUT', '/api/auth/password', {
      cookie: here,
      body: { currentPassword: 'old-password', newPassword: 'new-password' },
    });
    expect(ok.status).toBe(204);
    expect((await call(s.url, 'GET', '/api/auth/me', { cookie: here })).status).toBe(200);
    expect((await call(s.url, 'GET', '/api/auth/me', { cookie: elsewhere })).status).toBe(401);
    expect(
      (await call(s.url, 'POST', '/api/auth/login', { body: { email: 'pw@example.test', password: 'old-password' } }))
        .status,
    ).toBe(401);
    await login(s.url, 'pw@example.test', 'new-password');
  });

  it('is not for API tokens or anonymous callers', async () => {
    expect(
      (await call(s.url, 'PUT', '/api/auth/password', { body: { currentPassword: 'a', newPassword: 'bbbbbbbb' } }))
        .status,
    ).toBe(401);
  });
});
