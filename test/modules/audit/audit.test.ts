import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { useServer } from '../../support/server.js';
import { call, login, upload, widgetSession, addMember } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';

const s = useServer();
const audit = async (q = '', ws = s.workspaceId, cookie = s.owner) =>
  call(s.url, 'GET', `/api/workspaces/${ws}/audit${q}`, { cookie });

describe('the audit log', () => {
  it('records sign-ins that succeed and fail, with IP and user agent', async () => {
    const bad = await call(s.url, 'POST', '/api/auth/login', {
      body: { email: s.admin.email, password: 'wrong password' },
      headers: { 'user-agent': 'AuditTest/1' },
    });
    expect(bad.status).toBe(401);
    const good = await call(s.url, 'POST', '/api/auth/login', {
      body: { email: s.admin.email, password: s.admin.password },
      headers: { 'user-agent': 'AuditTest/1' },
    });
    expect(good.status).toBe(200);
    const r = await audit('?action=auth.*');
    expect(r.status).toBe(200);
    const [latest, failed] = r.body.entries;
    expect(latest).toMatchObject({
      action: 'auth.sign_in',
      actorRole: 'owner',
      ip: '127.0.0.1',
      userAgent: 'AuditTest/1',
    });
    expect(failed).toMatchObject({ action: 'auth.sign_in_failed', actorId: latest.actorId, userAgent: 'AuditTest/1' });
    expect(typeof latest.at).toBe('string');
  });

  it('records settings and integration changes by field name, never the secret', async () => {
    const put = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/integrations/s3`, {
      cookie: s.owner,
      body: { accessKeyId: 'AKIA1', secretAccessKey: 'TOP-SECRET-VALUE', region: 'eu-west-1', bucket: 'my-bucket' },
    });
    expect(put.status).toBe(200);
    await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
      cookie: s.owner,
      body: { maxFileSizeKb: 2048 },
    });
    const r = await audit();
    const s3 = r.body.entries.find((e: any) => e.target === 'integration:s3');
    expect(s3).toMatchObject({ action: 'integration.changed', actorRole: 'owner' });
    expect(s3.details.fields).toEqual(['accessKeyId', 'bucket', 'region', 'secretAccessKey']);
    const settings = r.body.entries.find((e: any) => e.target === 'settings:file-upload');
    expect(settings.details.fields).toEqual(['maxFileSizeKb']);
    const csv = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/audit.csv`, { cookie: s.owner });
    expect(JSON.stringify(r.body)).not.toContain('TOP-SECRET-VALUE');
    expect(csv.body).not.toContain('TOP-SECRET-VALUE');
  });

  it('records content safety changes and each bot version published', async () => {
    const ws = `/api/workspaces/${s.workspaceId}`;
    const safety = await call(s.url, 'PUT', `${ws}/settings/content-safety`, {
      cookie: s.owner,
      body: { whenScannerDown: 'accept' },
    });
    expect(safety.status).toBe(200);
    const published = await call(s.url, 'POST', `${ws}/bot/publish`, { cookie: s.owner, body: {} });
    expect(published.status).toBe(200);
    const entries = (await audit('?action=settings.changed')).body.entries;
    expect(entries.find((e: any) => e.target === 'settings:content-safety')).toMatchObject({
      actorRole: 'owner',
      details: { fields: ['whenScannerDown'] },
    });
    expect(entries.find((e: any) => e.target === 'settings:bot')).toMatchObject({
      details: { published: published.body.version },
    });
  });

  it("writes the entry in the action's transaction: a refused change leaves no entry", async () => {
    const before = (await audit('?action=settings.changed')).body.entries.length;
    const bad = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
      cookie: s.owner,
      body: { maxFileSizeKb: 0 },
    });
    expect(bad.status).toBe(422);
    expect((await audit('?action=settings.changed')).body.entries.length).toBe(before);
  });

  it('records members and tokens added and removed', async () => {
    const member = await addMember(s.url, s.owner, s.workspaceId, {
      email: 'audited-agent@example.test',
      password: 'agent password 1',
      role: 'agent',
    });
    const t = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/tokens`, { cookie: s.owner, body: {} });
    expect(
      (await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/tokens`, { cookie: s.owner })).body.tokens,
    ).toEqual(expect.arrayContaining([expect.objectContaining({ id: t.body.id })]));
    expect(
      (await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/tokens/${t.body.id}`, { cookie: s.owner })).status,
    ).toBe(204);
    expect((await call(s.url, 'GET', '/api/auth/me', { token: t.body.token })).status).toBe(401);
    await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/members/${member.id}`, { cookie: s.owner });
    const actions = (await audit()).body.entries.map((e: any) => `${e.action} ${e.target}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^member\.invited invitation:/),
        `member.added user:${member.id}`,
        `member.removed user:${member.id}`,
        `token.created token:${t.body.id}`,
        `token.revoked token:${t.body.id}`,
      ]),
    );
  });

  it('records a role change once: the role a member has already is no change, even sent 5 times at once', async () => {
    const member = await addMember(s.url, s.owner, s.workspaceId, {
      email: 'role-audit@example.test',
      password: 'agent password 1',
      role: 'agent',
    });
    const setRole = (role: string) =>
      call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/members/${member.id}`, { cookie: s.owner, body: { role } });
    const changes = async () =>
      (await audit('?action=member.role_changed')).body.entries.filter((e: any) => e.target === `user:${member.id}`);
    const same = await setRole('agent');
    expect(same.status).toBe(200);
    expect(same.body.member).toMatchObject({ id: member.id, role: 'agent' });
    expect(await changes()).toHaveLength(0);
    const atOnce = await Promise.all(Array.from({ length: 5 }, () => setRole('admin')));
    expect(atOnce.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await changes()).toEqual([expect.objectContaining({ details: { role: 'admin' } })]);
    expect((await setRole('agent')).status).toBe(200);
    expect((await changes()).map((e: any) => e.details.role)).toEqual(['agent', 'admin']);
    expect(
      (
        await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/members/nobody`, {
          cookie: s.owner,
          body: { role: 'agent' },
        })
      ).status,
    ).toBe(404);
  });

  it('records staff downloads, not the visitor fetching their own file', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const up = await upload(s.url, '/api/widget/chat/files', [{ name: 'invoice.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    const file = up.body.files[0];
    expect((await fetch(s.url + file.url)).status).toBe(200); // the visitor's signed URL
    expect((await call(s.url, 'GET', `/api/files/${file.id}/content`, { cookie: s.owner })).status).toBe(200);
    const r = await audit(`?action=file.downloaded`);
    expect(r.body.entries.filter((e: any) => e.target === `file:${file.id}`)).toHaveLength(1);
  });

  it('records a download only when bytes go out: not a 304, a 416 or a HEAD', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const up = await upload(s.url, '/api/widget/chat/files', [{ name: 'quiet.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    const file = up.body.files[0];
    const content = `/api/files/${file.id}/content`;
    const get = (headers: Record<string, string> = {}, method = 'GET') =>
      fetch(s.url + content, { method, headers: { cookie: s.owner, ...headers } });
    const etag = (await get({ range: 'bytes=0-0' })).headers.get('etag')!; // a 206: recorded
    expect((await get({ 'if-none-match': etag })).status).toBe(304);
    expect((await get({ range: 'bytes=999999-' })).status).toBe(416);
    expect((await get({}, 'HEAD')).status).toBe(200);
    expect((await get({ 'if-none-match': etag }, 'HEAD')).status).toBe(304);
    const whole = await get();
    expect(whole.status).toBe(200);
    await whole.arrayBuffer();
    const entries = (await audit(`?action=file.downloaded`)).body.entries.filter(
      (e: any) => e.target === `file:${file.id}`,
    );
    expect(entries.map((e: any) => e.details)).toEqual([{}, { range: true }]);
  });

  it('pages with a cursor, filters by actor and date, and exports CSV', async () => {
    const all = (await audit('?limit=500')).body.entries;
    expect(all.length).toBeGreaterThan(4);
    const p1 = (await audit('?limit=2')).body;
    const p2 = (await audit(`?limit=2&cursor=${p1.nextCursor}`)).body;
    expect([...p1.entries, ...p2.entries].map((e: any) => e.id)).toEqual(all.slice(0, 4).map((e: any) => e.id));
    const actorId = all[0].actorId;
    expect((await audit(`?actorId=${actorId}`)).body.entries.every((e: any) => e.actorId === actorId)).toBe(true);
    expect(
      (await audit(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.entries,
    ).toEqual([]);
    const csv = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/audit.csv`, { cookie: s.owner });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('"id","at","actorId","actorRole","action","target","ip","userAgent","details"');
    expect(lines.length).toBeGreaterThanOrEqual(all.length + 1);
  });

  it("refuses a page's cursor or limit on the CSV export (400 naming it): it is every matching entry", async () => {
    const p1 = (await audit('?limit=1')).body;
    const csvOf = (q: string) =>
      call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/audit.csv${q}`, { cookie: s.owner });
    for (const [q, field] of [
      [`?cursor=${encodeURIComponent(p1.nextCursor)}`, 'cursor'],
      ['?limit=1', 'limit'],
    ] as const) {
      const r = await csvOf(q);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toMatchObject({ code: 'BAD_REQUEST', fields: { [field]: 'Unknown field' } });
    }
    const whole = await csvOf(`?actorId=${encodeURIComponent(p1.entries[0].actorId)}`);
    expect(whole.status).toBe(200);
  });

  it('is append-only: the database refuses to rewrite an entry', async () => {
    await expect(sql`update audit_log set action = 'forged'`.execute(s.parley.deps.db)).rejects.toThrow(/append-only/);
  });

  it('is for admins of the workspace only', async () => {
    await addMember(s.url, s.owner, s.workspaceId, {
      email: 'plain-agent@example.test',
      password: 'agent password 2',
      role: 'agent',
    });
    const agent = await login(s.url, 'plain-agent@example.test', 'agent password 2');
    expect((await audit('', s.workspaceId, agent)).status).toBe(403);
    expect((await audit('', 'no-such-workspace', agent)).status).toBe(404);
  });
});
