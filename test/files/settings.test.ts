import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { createPgDatabase } from '../support/databases.js';
import { call, login, upload, widgetSession } from '../support/client.js';
import { pdf } from '../support/fixtures.js';

let s: TestServer;
let owner: string;
let path: string;
beforeAll(async () => {
  s = await startServer({ env: { PARLEY_MAX_UPLOAD_MB: '20' } });
  owner = await login(s.url, s.admin.email, s.admin.password);
  path = `/api/workspaces/${s.workspaceId}/settings/file-upload`;
});
afterAll(async () => { await s?.close(); });

describe('file upload configuration', () => {
  it('starts from the product defaults', async () => {
    const r = await call(s.url, 'GET', path, { cookie: owner });
    expect(r.body).toEqual({
      visitorUploadsEnabled: true, agentUploadsEnabled: true,
      visitorAllowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip',
      agentAllowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip',
      maxFileSizeKb: 10240,
    });
  });

  it('normalises extensions: case, leading dots and spaces; "" allows any type', async () => {
    const r = await call(s.url, 'PUT', path, { cookie: owner, body: { visitorAllowedTypes: ' .PDF | XLSX |pdf', agentAllowedTypes: '' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ visitorAllowedTypes: 'pdf|xlsx', agentAllowedTypes: '' });
    expect((await call(s.url, 'GET', path, { cookie: owner })).body.visitorAllowedTypes).toBe('pdf|xlsx');
  });

  it.each([
    [{ maxFileSizeKb: 0 }, 'maxFileSizeKb'],
    [{ maxFileSizeKb: 20 * 1024 + 1 }, 'maxFileSizeKb'],
    [{ maxFileSizeKb: 1.5 }, 'maxFileSizeKb'],
    [{ visitorAllowedTypes: 'pdf|<script>' }, 'visitorAllowedTypes'],
    [{ agentAllowedTypes: 'p d f' }, 'agentAllowedTypes'],
    [{ visitorUploadsEnabled: 'yes' }, 'visitorUploadsEnabled'],
  ])('refuses %j with 422 naming %s', async (body, field) => {
    const r = await call(s.url, 'PUT', path, { cookie: owner, body });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toHaveProperty(field);
  });

  it('lets agents read the rules but not change them', async () => {
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, { cookie: owner, body: { email: 'agent@example.test', password: 'agent-password', role: 'agent' } });
    const agent = await login(s.url, 'agent@example.test', 'agent-password');
    expect((await call(s.url, 'GET', path, { cookie: agent })).status).toBe(200);
    const r = await call(s.url, 'PUT', path, { cookie: agent, body: { maxFileSizeKb: 5 } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });

  it('hands the visitor side\'s rules to the widget session', async () => {
    await call(s.url, 'PUT', path, { cookie: owner, body: { visitorUploadsEnabled: false, visitorAllowedTypes: 'pdf', maxFileSizeKb: 300 } });
    const v = await widgetSession(s.url, s.widgetKey);
    expect(v.uploads).toEqual({ enabled: false, allowedTypes: 'pdf', maxFileSizeKb: 300 });
    await call(s.url, 'PUT', path, { cookie: owner, body: { visitorUploadsEnabled: true } });
  });
});

describe('settings on several nodes', () => {
  it('applies a change made on node A to the very next upload on node B', async () => {
    const db = await createPgDatabase();
    const a = await startServer({ databaseUrl: db.url });
    const b = await startServer({ databaseUrl: db.url });
    try {
      const cookie = await login(a.url, a.admin.email, a.admin.password);
      const v = await widgetSession(b.url, b.widgetKey);
      expect((await upload(b.url, '/api/widget/chat/files', [{ name: 'one.pdf', data: pdf() }], { token: v.visitorToken })).status).toBe(201);
      await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/settings/file-upload`, { cookie, body: { visitorUploadsEnabled: false } });
      const r = await upload(b.url, '/api/widget/chat/files', [{ name: 'two.pdf', data: pdf() }], { token: v.visitorToken });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('UPLOADS_DISABLED');
      await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/settings/file-upload`, { cookie, body: { visitorUploadsEnabled: true, visitorAllowedTypes: 'png' } });
      const r2 = await upload(b.url, '/api/widget/chat/files', [{ name: 'three.pdf', data: pdf() }], { token: v.visitorToken });
      expect(r2.body.error).toMatchObject({ code: 'FILE_TYPE_NOT_ALLOWED', allowedTypes: 'png' });
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
