// Start-up as an operator meets it: bad configuration, first start, restart on the same data directory.
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { runMain, spawnServer } from './support/process.js';
import { call, login, widgetSession } from './support/client.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-start-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('configuration', () => {
  it('uses the contract defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      storage: 'local',
      publicUrl: 'http://127.0.0.1:3000',
      allowPrivateCallbacks: false,
      maxUploadMb: 1024,
    });
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
  });

  // Rocket.Chat's webhooks retried 10 times 10 s apart: a receiver down for 2 minutes lost the event.
  it('retries a delivery for more than a day by default: first within seconds, then minutes, then hours', () => {
    const schedule = loadConfig({}).deliveryScheduleSeconds;
    expect(schedule[0]).toBeLessThanOrEqual(10);
    expect(schedule[1]).toBeGreaterThanOrEqual(120);
    expect(schedule.every((s, i) => i === 0 || s >= schedule[i - 1]!)).toBe(true);
    expect(schedule.reduce((sum, s) => sum + s, 0)).toBeGreaterThan(24 * 3600);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PARLEY_STORAGE', 'floppy'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'not a url'],
    ['PARLEY_ALLOW_PRIVATE_CALLBACKS', 'maybe'],
    ['PARLEY_MAX_UPLOAD_MB', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['PARLEY_ADMIN_PASSWORD', 'short'],
    ['PARLEY_ADMIN_EMAIL', 'banana'],
    ['PARLEY_ADMIN_EMAIL', `${'a'.repeat(65)}@example.test`],
    ['PARLEY_TRUST_PROXY', 'maybe'],
    ['PARLEY_TRUST_PROXY', '10.0.0.0/99'],
    ['PARLEY_TRUST_PROXY', 'loopback, proxy.example.com'],
  ])('names %s when its value is bad', (variable, value) => {
    try {
      loadConfig({ [variable]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
    }
  });

  it('says what PARLEY_TRUST_PROXY accepts when its value is neither a switch nor a list of proxies', () => {
    const accepts =
      'PARLEY_TRUST_PROXY: expected true, false, or the proxies as a comma-separated list of addresses, ' +
      'CIDR ranges and loopback / linklocal / uniquelocal';
    for (const value of ['banana', 'loopback,banana', '10.0.0.0/99'])
      expect(() => loadConfig({ PARLEY_TRUST_PROXY: value }), value).toThrow(accepts);
    expect(() => loadConfig({ PARLEY_TRUST_PROXY: 'banana' })).toThrow(/got "banana"$/);
  });

  it('reads PARLEY_TRUST_PROXY as a switch or as the proxies to believe', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ PARLEY_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ PARLEY_TRUST_PROXY: ' 10.0.0.0/8, loopback ,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      'loopback',
      '::1',
    ]);
  });

  it("holds PARLEY_ADMIN_EMAIL to an invitation's e-mail lengths, and stops start-up naming it (exit 78)", async () => {
    const lengths = 'PARLEY_ADMIN_EMAIL: An email address has at most 64 characters before the @ and 254 in all';
    for (const value of [`${'a'.repeat(65)}@example.test`, `${'b'.repeat(60)}@${'c'.repeat(190)}.test`])
      expect(() => loadConfig({ PARLEY_ADMIN_EMAIL: value }), value).toThrow(lengths);
    expect(() => loadConfig({ PARLEY_ADMIN_EMAIL: 'é'.repeat(33) + '@x.test' })).toThrow(lengths); // 66 octets
    const fits = `${'d'.repeat(64)}@example.test`;
    expect(loadConfig({ PARLEY_ADMIN_EMAIL: ` ${fits} ` }).adminEmail).toBe(fits);
    const { done } = runMain({
      PORT: '0',
      PARLEY_DATA_DIR: tmp(),
      PARLEY_ADMIN_EMAIL: `${'a'.repeat(65)}@example.test`,
    });
    const r = await done;
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PARLEY_ADMIN_EMAIL/);
  });

  it('stops start-up with one clear line naming the variable, no stack trace', async () => {
    const { done } = runMain({ PORT: 'abc', PARLEY_DATA_DIR: tmp() });
    const r = await done;
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops start-up with one line naming DATABASE_URL when the database does not answer', async () => {
    const { done } = runMain({ PORT: '0', PARLEY_DATA_DIR: tmp(), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    const r = await done;
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/DATABASE_URL/);
  });

  it('stops start-up with one line naming REDIS_URL when Redis does not answer', async () => {
    const { done } = runMain({ PORT: '0', PARLEY_DATA_DIR: tmp(), REDIS_URL: 'redis://127.0.0.1:1' });
    const r = await done;
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/REDIS_URL/);
  }, 120_000);
});

describe('first start and restart', () => {
  it('creates the owner only once listening: a busy port on first start cannot lose the generated password', async () => {
    const dataDir = tmp();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    const failed = await runMain({ PORT: String(busyPort), PARLEY_DATA_DIR: dataDir }).done;
    blocker.close();
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/PORT/);
    expect(failed.stderr).not.toMatch(/PARLEY-PASSWORD/);

    const next = await spawnServer({ PARLEY_DATA_DIR: dataDir });
    const m = await next.waitForOutput(/PARLEY-PASSWORD email=(\S+) password=(\S+)/);
    expect(m).toBeTruthy();
    expect((await call(next.url, 'POST', '/api/auth/login', { body: { email: m![1], password: m![2] } })).status).toBe(
      200,
    );
    await next.stop();
  }, 240_000);

  it('prints a generated owner password once, creates nothing new on the second start, and keeps chats across restarts', async () => {
    const dataDir = tmp();
    const first = await spawnServer({ PARLEY_DATA_DIR: dataDir });
    const m = await first.waitForOutput(/PARLEY-PASSWORD email=(\S+) password=(\S+)/);
    expect(m).toBeTruthy();
    const [, email, password] = m!;
    expect(fs.existsSync(path.join(dataDir, 'parley.db'))).toBe(true);
    const cookie = await login(first.url, email!, password!);
    const ws = (await call(first.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
    const v = await widgetSession(first.url, ws.widgetKey);
    await call(first.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'remember me' },
    });
    expect(await first.stop()).toBe(0);

    const second = await spawnServer({ PARLEY_DATA_DIR: dataDir });
    expect(second.output()).not.toMatch(/PARLEY-PASSWORD/);
    const cookie2 = await login(second.url, email!, password!);
    const list = await call(second.url, 'GET', '/api/workspaces', { cookie: cookie2 });
    expect(list.body.workspaces).toHaveLength(1);
    const again = await widgetSession(second.url, ws.widgetKey, v.visitorToken);
    expect(again.chat.id).toBe(v.chat.id);
    const msgs = await call(second.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    expect(msgs.body.messages.map((x: any) => x.text)).toContain('remember me');
    await second.stop();
  }, 240_000);
});

describe('health and API document', () => {
  it('answers /healthz, /readyz and serves an OpenAPI document generated from the route schemas', async () => {
    const srv = await spawnServer({
      PARLEY_DATA_DIR: tmp(),
      PARLEY_ADMIN_EMAIL: 'a@b.test',
      PARLEY_ADMIN_PASSWORD: 'long-enough-pw',
    });
    expect((await call(srv.url, 'GET', '/healthz')).status).toBe(200);
    const ready = await call(srv.url, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toBe('ok');
    expect(ready.body.checks.bootstrap).toBe('ok');
    const doc = await call(srv.url, 'GET', '/api/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/widget/{widgetKey}/session', '/api/workspaces/{ws}/chats']),
    );
    expect(doc.body.paths['/api/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual([
      'email',
      'password',
    ]);
    expect(
      doc.body.paths['/api/widget/chat/files'].post.requestBody.content['multipart/form-data'].schema.required,
    ).toEqual(['file']);
    expect(
      doc.body.paths['/api/workspaces/{ws}/settings/file-upload'].put.requestBody.content['application/json'].schema
        .properties,
    ).toHaveProperty('maxFileSizeKb');
    await srv.stop();
  }, 120_000);
});
