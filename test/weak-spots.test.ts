// The weak spots an attacker's review found: a weak master key, settings that do not name their variable, a changed
// key that broke the callback settings, ETag revalidation forms, a leap second in a date filter, invisible characters
// in file names.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPgDatabase } from './support/databases.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { startServer, type TestServer } from './support/server.js';
import { call, login, upload } from './support/client.js';
import { pdf } from './support/fixtures.js';

describe('configuration that names its variable', () => {
  it.each([
    ['PARLEY_SECRET_KEY', 'x'],
    ['PARLEY_SECRET_KEY', 'a'.repeat(40)],
    ['HOST', '256.1.1.1'],
    ['HOST', 'not a host'],
    ['LOG_LEVEL', 'bogus'],
    ['PARLEY_OPTIMIZE_FOR', 'fast'],
    ['PARLEY_HEAP_HEADROOM_MB', 'lots'],
    ['PARLEY_HEAP_HEADROOM_MB', '-1'],
  ])('refuses %s=%s', (variable, value) => {
    try {
      loadConfig({ [variable]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
    }
  });

  it('accepts a strong key, host names and IP addresses', () => {
    expect(loadConfig({ PARLEY_SECRET_KEY: 'Zm9vYmFyYmF6cXV4LXJhbmRvbS1lbm91Z2gtMzI=' }).secretKey).toBeTruthy();
    for (const host of ['0.0.0.0', '::', 'localhost', 'parley.internal', '10.0.0.7'])
      expect(loadConfig({ HOST: host }).host).toBe(host);
    expect(loadConfig({ LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(loadConfig({}).optimizeFor).toBe('size');
    expect(loadConfig({ PARLEY_OPTIMIZE_FOR: 'Speed' }).optimizeFor).toBe('speed');
    expect(loadConfig({}).heapHeadroomMb).toBe(64);
  });
});

describe('a running server', () => {
  let s: TestServer;
  let cookie: string;
  beforeAll(async () => {
    s = await startServer({ keep: true });
    cookie = await login(s.url, s.admin.email, s.admin.password);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('revalidates downloads with weak ETags and If-None-Match: *', async () => {
    const v = await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, { body: {} });
    const up = await upload(
      s.url,
      `/api/workspaces/${s.workspaceId}/chats/${v.body.chat.id}/files`,
      [{ name: 'etag.pdf', data: pdf() }],
      { cookie },
    );
    expect(up.status).toBe(201);
    const path = `/api/files/${up.body.files[0].id}/content`;
    const first = await call(s.url, 'GET', path, { cookie });
    const etag = first.headers.get('etag')!;
    for (const tag of [etag, `W/${etag}`, '*', `"nope", W/${etag}`]) {
      const r = await call(s.url, 'GET', path, { cookie, headers: { 'if-none-match': tag } });
      expect(r.status, tag).toBe(304);
    }
    expect((await call(s.url, 'GET', path, { cookie, headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('answers a leap-second date filter with 422, not 500', async () => {
    for (const q of ['from=2016-12-31T23:59:60Z', 'to=2016-12-31T23:59:60Z']) {
      const r = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/files?${q}`, { cookie });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('strips invisible format characters (RLM, zero-width space, BOM, word joiner) from file names', async () => {
    const v = await call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, { body: {} });
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'in\u200Bvo\u200Fice\uFEFF\u2060\u200D.pdf', data: pdf() }],
      { token: v.body.visitorToken },
    );
    expect(r.status).toBe(201);
    expect(r.body.files[0].name).toBe('invoice.pdf');
  });

  it('keeps the callback settings working after PARLEY_SECRET_KEY changes: the old secret is unreadable, not a 500', async () => {
    const path = `/api/workspaces/${s.workspaceId}/integrations/callback`;
    const put = await call(s.url, 'PUT', path, {
      cookie,
      body: { url: 'http://127.0.0.1:9/callback', disabled: true },
    });
    expect(put.status).toBe(200);
    expect(put.body.signingSecret).toMatch(/^whsec_/);
    await s.parley.close();
    const again = await startServer({
      dataDir: s.dataDir,
      databaseUrl: s.databaseUrl,
      keep: true,
      env: { PARLEY_SECRET_KEY: 'a-completely-different-key-for-this-node-0123' },
    });
    try {
      const c = await login(again.url, again.admin.email, again.admin.password);
      const got = await call(again.url, 'GET', path, { cookie: c });
      expect(got.status).toBe(200);
      expect(got.body.signingSecret).toBeNull();
      const saved = await call(again.url, 'PUT', path, { cookie: c, body: { url: 'http://127.0.0.1:9/callback' } });
      expect(saved.status).toBe(200);
      expect(saved.body.signingSecret).toMatch(/^whsec_/);
      expect(saved.body.signingSecret).not.toBe(put.body.signingSecret);
    } finally {
      await again.close();
    }
    // The first server is closed already: remove what both kept.
    const { dataDir, databaseUrl } = s;
    s = {
      ...s,
      close: async () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        if (databaseUrl) {
          await dropPgDatabase(databaseUrl);
        }
      },
    };
  });
});
