import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { call, login } from '../support/client.js';

let s: TestServer;
let owner: string;
beforeAll(async () => {
  s = await startServer();
  owner = await login(s.url, s.admin.email, s.admin.password);
});
afterAll(async () => { await s?.close(); });

describe('workspaces and members', () => {
  it('creates the Default workspace and the owner on first start, and nothing more on a second bootstrap', async () => {
    const list = await call(s.url, 'GET', '/api/workspaces', { cookie: owner });
    expect(list.body.workspaces).toEqual([expect.objectContaining({ name: 'Default', role: 'admin', widgetKey: expect.stringMatching(/^wk_/) })]);
    const { bootstrap } = await import('../../src/modules/workspaces/service.js');
    expect((await bootstrap(s.parley.deps.db, { adminEmail: 'x@y.z', adminPassword: 'whatever-long' })).created).toBe(false);
    const users = await s.parley.deps.db.selectFrom('users').select('email').execute();
    expect(users.map((u) => u.email)).toEqual([s.admin.email]);
  });

  it('lets the owner create workspaces, and gives each its own widget key and embed snippet', async () => {
    const r = await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'Acme' } });
    expect(r.status).toBe(201);
    expect(r.body.workspace).toMatchObject({ name: 'Acme', role: 'admin' });
    const embed = await call(s.url, 'GET', `/api/workspaces/${r.body.workspace.id}/embed`, { cookie: owner });
    expect(embed.body.snippet).toBe(`<script src="${s.parley.deps.config.publicUrl}/widget.js" data-key="${r.body.workspace.widgetKey}" async></script>`);
  });

  it('refuses a workspace without a name with 422 and fields', async () => {
    const r = await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: {} });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toHaveProperty('name');
  });

  it('adds an agent who then sees only their workspaces, may not create workspaces, and can be removed', async () => {
    const add = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner, body: { email: 'Agent@Example.test', name: 'Ann', password: 'agent-password', role: 'agent' } });
    expect(add.status).toBe(201);
    expect(add.body.member).toMatchObject({ email: 'agent@example.test', role: 'agent' });
    const agent = await login(s.url, 'agent@example.test', 'agent-password');
    const mine = await call(s.url, 'GET', '/api/workspaces', { cookie: agent });
    expect(mine.body.workspaces.map((w: any) => [w.id, w.role])).toEqual([[s.workspaceId, 'agent']]);
    const create = await call(s.url, 'POST', '/api/workspaces', { cookie: agent, body: { name: 'Mine' } });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('FORBIDDEN');
    const members = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner });
    expect(members.body.members.map((m: any) => m.email)).toContain('agent@example.test');
    expect((await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/members/${add.body.member.id}`, { cookie: owner })).status).toBe(204);
    expect((await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats`, { cookie: agent })).status).toBe(404);
  });

  it('refuses a new member without a password with 422 naming the field', async () => {
    const r = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner, body: { email: 'new@example.test', role: 'agent' } });
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toHaveProperty('password');
  });
});
