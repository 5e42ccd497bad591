// What an operator relies on: structured logs that never carry secrets, and the `parley` command that gets the
// owner back in (reset-password, create-admin) and migrates, on whichever database the suite runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login } from '../support/client.js';
import { runCli, spawnServer } from '../support/process.js';
import { startServer, TEST_SECRET_KEY, type TestServer } from '../support/server.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-ops-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('logs', () => {
  it('writes every line as JSON, one request line with an id, never the password, query string or cookies', async () => {
    const srv = await spawnServer({ PARLEY_DATA_DIR: tmp() });
    const pw = await srv.waitForOutput(/^PARLEY-PASSWORD email=(\S+) password=(\S+) /m);
    expect(pw).toBeTruthy();
    const res = await fetch(`${srv.url}/healthz?token=query-secret-123`, {
      headers: { cookie: 'parley_session=cookie-secret-456', 'x-request-id': 'proxy-id-1' },
    });
    expect(res.headers.get('x-request-id')).toBe('proxy-id-1');
    await login(srv.url, pw![1]!, pw![2]!);
    expect(await srv.stop()).toBe(0);

    const lines = srv.stdout().trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = entries.filter((e) => e.msg === 'request');
    const health = requests.find((e) => e.path === '/healthz');
    expect(health).toMatchObject({ level: 30, reqId: 'proxy-id-1', method: 'GET', status: 200 });
    expect(requests.find((e) => e.path === '/api/auth/login')).toMatchObject({ status: 200 });
    expect(typeof requests.find((e) => e.path === '/api/auth/login')!.reqId).toBe('string');
    for (const secret of ['query-secret-123', 'cookie-secret-456', pw![2]!]) expect(srv.stdout()).not.toContain(secret);
    expect(srv.stderr().match(/PARLEY-PASSWORD/g)).toHaveLength(1);
  }, 120_000);
});

describe('the parley command', { timeout: 240_000 }, () => {
  let s: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    s = await startServer();
    env = {
      PARLEY_DATA_DIR: s.dataDir,
      PARLEY_SECRET_KEY: TEST_SECRET_KEY,
      ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}),
    };
  });
  afterAll(() => s.close());

  it('reset-password prints a new password, signs the user out, and takes one from stdin', async () => {
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const r = await runCli(['reset-password', s.admin.email], env);
    expect(r.code).toBe(0);
    const generated = r.stdout.match(/PARLEY-PASSWORD email=\S+ password=(\S+)/)![1]!;
    expect((await call(s.url, 'GET', '/api/auth/me', { cookie })).status).toBe(401);
    const wrong = await call(s.url, 'POST', '/api/auth/login', {
      body: { email: s.admin.email, password: s.admin.password },
    });
    expect(wrong.status).toBe(401);
    await login(s.url, s.admin.email, generated);

    const piped = await runCli(['reset-password', s.admin.email.toUpperCase()], env, `${s.admin.password}\n`);
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toMatch(/PARLEY-PASSWORD/);
    await login(s.url, s.admin.email, s.admin.password);
  });

  it('reset-password refuses an unknown email and a short password', async () => {
    const unknown = await runCli(['reset-password', 'nobody@example.test'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/nobody@example\.test/);
    const short = await runCli(['reset-password', s.admin.email], env, 'short\n');
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/8 characters/);
    await login(s.url, s.admin.email, s.admin.password);
  });

  it('create-admin creates an instance admin who sees every workspace, once', async () => {
    const r = await runCli(['create-admin', '--email', 'second@example.test'], env);
    expect(r.code).toBe(0);
    const password = r.stdout.match(/PARLEY-PASSWORD email=second@example\.test password=(\S+)/)![1]!;
    const cookie = await login(s.url, 'second@example.test', password);
    const me = await call(s.url, 'GET', '/api/auth/me', { cookie });
    expect(me.body.user.role).toBe('owner');
    const list = await call(s.url, 'GET', '/api/workspaces', { cookie });
    expect(list.body.workspaces.map((w: { id: string }) => w.id)).toContain(s.workspaceId);
    const again = await runCli(['create-admin', '--email', 'second@example.test'], env, 'another-password\n');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already/);
  });

  it("create-admin keeps an invitation's e-mail lengths: 64 octets before the @, 254 in all", async () => {
    const long = `${'a'.repeat(65)}@example.test`;
    const tooLong = `${'b'.repeat(60)}@${'c'.repeat(190)}.test`; // 256 in all
    for (const email of [long, tooLong]) {
      const r = await runCli(['create-admin', '--email', email], env, 'a-good-password\n');
      expect(r.code, email).toBe(1);
      expect(r.stderr, email).toMatch(/at most 64 characters before the @ and 254 in all/);
      const tried = await call(s.url, 'POST', '/api/auth/login', { body: { email, password: 'a-good-password' } });
      expect(tried.status, email).toBe(401);
    }
    const fits = `${'d'.repeat(64)}@example.test`;
    const ok = await runCli(['create-admin', '--email', fits], env, 'a-good-password\n');
    expect(ok.code).toBe(0);
    await login(s.url, fits, 'a-good-password');
  });

  it('migrate prepares a new database and exits; a bad variable is named', async () => {
    const dataDir = tmp();
    const r = await runCli(['migrate'], { PARLEY_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'parley.db'))).toBe(true);
    const bad = await runCli(['migrate'], { PARLEY_DATA_DIR: dataDir, LOG_LEVEL: 'loud' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/LOG_LEVEL/);
  });
});
