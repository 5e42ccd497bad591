// JSON bodies are never coerced: wrong types, null where it is not allowed and unknown fields are refused with 422
// VALIDATION_FAILED naming the field, and nothing is saved. Query strings and path parameters may still be coerced.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { call, upload, widgetSession } from '../support/client.js';
import { tusCreate } from '../support/tus.js';

const s = useServer();
beforeAll(async () => {
  await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/integrations/callback`, {
    cookie: s.owner,
    body: { url: 'http://127.0.0.1:9/hook', disabled: true },
  });
});

const ws = () => `/api/workspaces/${s.workspaceId}`;

describe('strict JSON bodies on the settings and integration routes', () => {
  const cases: [string, () => string, Record<string, unknown>, string][] = [
    [
      'file upload settings',
      () => `${ws()}/settings/file-upload`,
      { visitorUploadsEnabled: null },
      'visitorUploadsEnabled',
    ],
    [
      'file upload settings',
      () => `${ws()}/settings/file-upload`,
      { agentUploadsEnabled: 'false' },
      'agentUploadsEnabled',
    ],
    ['file upload settings', () => `${ws()}/settings/file-upload`, { maxFileSizeKb: '512' }, 'maxFileSizeKb'],
    [
      'file upload settings',
      () => `${ws()}/settings/file-upload`,
      { visitorAllowedTypes: ['pdf'] },
      'visitorAllowedTypes',
    ],
    ['file upload settings', () => `${ws()}/settings/file-upload`, { maxFileSizeKB: 512 }, 'maxFileSizeKB'],
    ['S3 integration', () => `${ws()}/integrations/s3`, { disabled: null }, 'disabled'],
    ['S3 integration', () => `${ws()}/integrations/s3`, { forcePathStyle: 'true' }, 'forcePathStyle'],
    ['S3 integration', () => `${ws()}/integrations/s3`, { bucket: 42 }, 'bucket'],
    ['S3 integration', () => `${ws()}/integrations/s3`, { secretAccessKeySet: true }, 'secretAccessKeySet'],
    ['callback integration', () => `${ws()}/integrations/callback`, { disabled: null }, 'disabled'],
    ['callback integration', () => `${ws()}/integrations/callback`, { disabled: 0 }, 'disabled'],
    ['callback integration', () => `${ws()}/integrations/callback`, { url: ['http://x'] }, 'url'],
    ['callback integration', () => `${ws()}/integrations/callback`, { signingSecret: 'whsec_x' }, 'signingSecret'],
  ];

  it.each(cases.map(([name, path, body, field]) => [name, body, field, path] as const))(
    '%s: PUT refuses %j naming %s, and changes nothing',
    async (_name, body, field, path) => {
      const before = await call(s.url, 'GET', path(), { cookie: s.owner });
      const r = await call(s.url, 'PUT', path(), { cookie: s.owner, body });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(r.body.error.fields)).toContain(field);
      expect((await call(s.url, 'GET', path(), { cookie: s.owner })).body).toEqual(before.body);
    },
  );

  it('POST …/integrations/s3/test and …/callback/test refuse unknown fields', async () => {
    for (const path of [`${ws()}/integrations/s3/test`, `${ws()}/integrations/callback/test`]) {
      const r = await call(s.url, 'POST', path, { cookie: s.owner, body: { force: true } });
      expect(r.status).toBe(422);
      expect(r.body.error.fields).toEqual({ force: 'Unknown field' });
    }
  });

  it('a null body is refused, not read as "no changes"', async () => {
    const r = await call(s.url, 'PUT', `${ws()}/settings/file-upload`, { cookie: s.owner, body: null });
    expect(r.status).toBe(422);
  });
});

describe('strict JSON bodies elsewhere', () => {
  it('login refuses a password sent as an array', async () => {
    const r = await call(s.url, 'POST', '/api/auth/login', {
      body: { email: s.admin.email, password: [s.admin.password] },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toHaveProperty('password');
  });

  it('names unknown fields without echoing the body: at most 20 names of at most 64 characters', async () => {
    const body = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${i}`.padEnd(20_000, 'k'), 1]));
    const r = await call(s.url, 'POST', '/api/auth/login', { body });
    expect(r.status).toBe(422);
    const names = Object.keys(r.body.error.fields);
    expect(names.length).toBeLessThanOrEqual(22);
    expect(Math.max(...names.map((k) => k.length))).toBeLessThanOrEqual(64);
    expect(JSON.stringify(r.body).length).toBeLessThan(4096);
  });

  it('a message text of false is refused, not posted as "false"', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: false } });
    expect(r.status).toBe(422);
    const msgs = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    expect(msgs.body.messages.map((m: { text?: string }) => m.text)).not.toContain('false');
  });

  it('routes that take no body refuse one with fields, and change nothing; {} or no body is fine', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const close = `${ws()}/chats/${v.chat.id}/close`;
    const status = async () => (await call(s.url, 'GET', `${ws()}/chats/${v.chat.id}`, { cookie: s.owner })).body.chat;
    const before = (await status()).status;
    const refused = await call(s.url, 'POST', close, { cookie: s.owner, body: { reason: 'spam' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { reason: 'Unknown field' } });
    expect((await status()).status).toBe(before);
    for (const body of [null, [], 5])
      expect((await call(s.url, 'POST', close, { cookie: s.owner, body })).body.error.fields).toEqual({
        _: 'This request takes no body',
      });
    const erase = await call(s.url, 'DELETE', `${ws()}/visitors/${v.chat.id}`, { cookie: s.owner, body: { x: 1 } });
    expect(erase.status).toBe(422);
    expect((await call(s.url, 'POST', close, { cookie: s.owner, body: {} })).status).toBe(200);
    expect((await call(s.url, 'POST', `${ws()}/chats/${v.chat.id}/reopen`, { cookie: s.owner })).status).toBe(200);
  });

  it('a NUL character is refused in the URL (400) and in message texts (422), and never answers 500', async () => {
    // PostgreSQL cannot hold or compare text with a NUL: every one of these answered 500 there.
    for (const q of ['files?q=a%00b', 'files?chatId=a%00', 'chats?cursor=a%00', 'audit?action=a%00', 'visitors?q=a%00'])
      expect((await call(s.url, 'GET', `${ws()}/${q}`, { cookie: s.owner })).body.error.code).toBe('BAD_REQUEST');
    const v = await widgetSession(s.url, s.widgetKey);
    const after = await call(s.url, 'GET', '/api/widget/chat/messages?after=a%00', { token: v.visitorToken });
    expect(after.status).toBe(400);
    const text = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'a\0b' },
    });
    expect(text.status).toBe(422);
    expect(text.body.error.fields).toEqual({ text: 'Contains a NUL character' });
    // Elsewhere JSON text keeps its own rules (identify strips control characters); PostgreSQL compares and stores
    // it without the NUL, never a 500.
    const login = await call(s.url, 'POST', '/api/auth/login', { body: { email: 'a\0@x.test', password: 'p' } });
    expect(login.status).toBe(401);
    const form = await upload(s.url, '/api/widget/chat/files', [{ name: 'a.txt', data: 'hello' }], {
      token: v.visitorToken,
      fields: { text: 'a\0b' },
    });
    expect(form.status).toBe(422);
    expect(form.body.error.fields).toEqual({ text: 'Contains a NUL character' });
    // A form field the upload reads as an id: PostgreSQL compares it without the NUL (src/db/resilient.ts).
    const requestId = await upload(s.url, '/api/widget/chat/files', [{ name: 'a.txt', data: 'hello' }], {
      token: v.visitorToken,
      fields: { requestId: 'no-such\0' },
    });
    expect(requestId.status).toBe(404);
    // tus metadata (base64) is refused too: 400, never a 500.
    const tus = await tusCreate(s.url, { cookie: s.owner }, 5, { filename: 'a.txt', chatId: `${v.chat.id}\0` });
    expect(tus.status).toBe(400);
    const messages = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    expect(JSON.stringify(messages.body)).not.toContain('\\u0000');
  });

  it('an unknown query parameter is refused, naming it, where a route declares its parameters', async () => {
    for (const path of ['files?scan=infected', 'chats?state=open', 'audit?actor=x', 'deliveries?file=x']) {
      const r = await call(s.url, 'GET', `${ws()}/${path}`, { cookie: s.owner });
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe('BAD_REQUEST');
      expect(Object.values(r.body.error.fields)).toEqual(['Unknown field']);
    }
    expect((await call(s.url, 'GET', `${ws()}/files?type=pdf&limit=5`, { cookie: s.owner })).status).toBe(200);
  });

  it('query strings are still coerced from strings', async () => {
    const r = await call(s.url, 'GET', `${ws()}/chats?limit=2`, { cookie: s.owner });
    expect(r.status).toBe(200);
  });
});
