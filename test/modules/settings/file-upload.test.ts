import { beforeAll, describe, expect, it } from 'vitest';
import { useNodes, useServer } from '../../support/server.js';
import { call, login, upload, widgetSession, addMember } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';

const s = useServer({ env: { PARLEY_MAX_UPLOAD_MB: '20' } });
let path: string;
beforeAll(() => {
  path = s.api('/settings/file-upload');
});

describe('file upload configuration', () => {
  it('starts from the product defaults', async () => {
    const r = await call(s.url, 'GET', path, { cookie: s.owner });
    expect(r.body).toEqual({
      visitorUploadsEnabled: true,
      agentUploadsEnabled: true,
      visitorAllowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip',
      agentAllowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip',
      maxFileSizeKb: 10240,
    });
  });

  it('normalises extensions: case, leading dots and spaces; "" allows any type', async () => {
    const r = await call(s.url, 'PUT', path, {
      cookie: s.owner,
      body: { visitorAllowedTypes: ' .PDF | XLSX |pdf', agentAllowedTypes: '' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ visitorAllowedTypes: 'pdf|xlsx', agentAllowedTypes: '' });
    expect((await call(s.url, 'GET', path, { cookie: s.owner })).body.visitorAllowedTypes).toBe('pdf|xlsx');
  });

  it.each([
    [{ maxFileSizeKb: 0 }, 'maxFileSizeKb'],
    [{ maxFileSizeKb: 20 * 1024 + 1 }, 'maxFileSizeKb'],
    [{ maxFileSizeKb: 1.5 }, 'maxFileSizeKb'],
    [{ visitorAllowedTypes: 'pdf|<script>' }, 'visitorAllowedTypes'],
    [{ agentAllowedTypes: 'p d f' }, 'agentAllowedTypes'],
    [{ visitorUploadsEnabled: 'yes' }, 'visitorUploadsEnabled'],
  ])('refuses %j with 422 naming %s', async (body, field) => {
    const r = await call(s.url, 'PUT', path, { cookie: s.owner, body });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toHaveProperty(field);
  });

  it('lets agents read the rules but not change them', async () => {
    await addMember(s.url, s.owner, s.workspaceId, {
      email: 'agent@example.test',
      password: 'agent-password',
      role: 'agent',
    });
    const agent = await login(s.url, 'agent@example.test', 'agent-password');
    expect((await call(s.url, 'GET', path, { cookie: agent })).status).toBe(200);
    const r = await call(s.url, 'PUT', path, { cookie: agent, body: { maxFileSizeKb: 5 } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });

  it("hands the visitor side's rules to the widget session", async () => {
    await call(s.url, 'PUT', path, {
      cookie: s.owner,
      body: { visitorUploadsEnabled: false, visitorAllowedTypes: 'pdf', maxFileSizeKb: 300 },
    });
    const v = await widgetSession(s.url, s.widgetKey);
    expect(v.uploads).toEqual({ enabled: false, allowedTypes: 'pdf', maxFileSizeKb: 300 });
    await call(s.url, 'PUT', path, { cookie: s.owner, body: { visitorUploadsEnabled: true } });
  });
});

describe('settings on several nodes', () => {
  const [a, b] = useNodes(2);
  it('applies a change made on node A to the very next upload on node B', async () => {
    const cookie = a.owner;
    const v = await widgetSession(b.url, b.widgetKey);
    expect(
      (await upload(b.url, '/api/widget/chat/files', [{ name: 'one.pdf', data: pdf() }], { token: v.visitorToken }))
        .status,
    ).toBe(201);
    await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/settings/file-upload`, {
      cookie,
      body: { visitorUploadsEnabled: false },
    });
    const r = await upload(b.url, '/api/widget/chat/files', [{ name: 'two.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('UPLOADS_DISABLED');
    await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/settings/file-upload`, {
      cookie,
      body: { visitorUploadsEnabled: true, visitorAllowedTypes: 'png' },
    });
    const r2 = await upload(b.url, '/api/widget/chat/files', [{ name: 'three.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    expect(r2.body.error).toMatchObject({ code: 'FILE_TYPE_NOT_ALLOWED', allowedTypes: 'png' });
  });
});
