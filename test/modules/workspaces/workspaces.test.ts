import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { addMember, call, login } from '../../support/client.js';

const s = useServer();

describe('workspaces and members', () => {
  it('creates the Default workspace and the owner on first start, and nothing more on a second bootstrap', async () => {
    const list = await call(s.url, 'GET', '/api/workspaces', { cookie: s.owner });
    expect(list.body.workspaces).toEqual([
      expect.objectContaining({ name: 'Default', role: 'admin', widgetKey: expect.stringMatching(/^wk_/) }),
    ]);
    const { bootstrap } = await import('../../../src/modules/workspaces/service.js');
    expect((await bootstrap(s.parley.deps.db, { adminEmail: 'x@y.z', adminPassword: 'whatever-long' })).created).toBe(
      false,
    );
    const users = await s.parley.deps.db.selectFrom('users').select('email').execute();
    expect(users.map((u) => u.email)).toEqual([s.admin.email]);
  });

  // PORT=0 (as here): the snippet names the port the server got, not ":0".
  it('lets the owner create workspaces, and gives each its own widget key and embed snippet', async () => {
    const r = await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Acme' } });
    expect(r.status).toBe(201);
    expect(r.body.workspace).toMatchObject({ name: 'Acme', role: 'admin' });
    const embed = await call(s.url, 'GET', `/api/workspaces/${r.body.workspace.id}/embed`, { cookie: s.owner });
    expect(embed.body.snippet).toBe(
      `<script src="${s.url}/widget.js" data-key="${r.body.workspace.widgetKey}" async></script>`,
    );
  });

  it('refuses a workspace without a name with 422 and fields', async () => {
    const r = await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: {} });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toHaveProperty('name');
  });

  it('refuses an unknown member role with 422 naming the roles it takes', async () => {
    const r = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, {
      cookie: s.owner,
      body: { email: 'boss@example.test', role: 'boss' },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toEqual({ role: 'must be one of: admin, agent' });
  });

  it('adds an agent who then sees only their workspaces, may not create workspaces, and can be removed', async () => {
    const added = await addMember(s.url, s.owner, s.workspaceId, {
      email: 'Agent@Example.test',
      name: 'Ann',
      password: 'agent-password',
      role: 'agent',
    });
    expect(added).toMatchObject({ email: 'agent@example.test', name: 'Ann' });
    const agent = await login(s.url, 'agent@example.test', 'agent-password');
    const mine = await call(s.url, 'GET', '/api/workspaces', { cookie: agent });
    expect(mine.body.workspaces.map((w: any) => [w.id, w.role])).toEqual([[s.workspaceId, 'agent']]);
    const create = await call(s.url, 'POST', '/api/workspaces', { cookie: agent, body: { name: 'Mine' } });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('FORBIDDEN');
    const members = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/members`, { cookie: s.owner });
    expect(members.body.members.map((m: any) => m.email)).toContain('agent@example.test');
    expect(
      (await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/members/${added.id}`, { cookie: s.owner })).status,
    ).toBe(204);
    expect((await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats`, { cookie: agent })).status).toBe(404);
  });

  it('refuses an admin-chosen password: members choose their own through the link', async () => {
    const r = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, {
      cookie: s.owner,
      body: { email: 'new@example.test', password: 'chosen-by-admin', role: 'agent' },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toHaveProperty('password');
  });
});
