// Browser: the server is killed (SIGKILL) in the middle of a visitor's large upload from the widget and started again
// on the same address and data: the widget's resumable client retries, resumes from what the server kept, and the
// file arrives once with the right sha256 and a download link in the chat.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { call, login } from '../support/client.js';
import { eventually } from '../support/eventually.js';
import { pdf } from '../support/fixtures.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { TEST_ADMIN, TEST_SECRET_KEY } from '../support/server.js';
import { chooseFiles, newPage, openDemoWidget, startBrowser } from '../support/browser.js';

const browser = await startBrowser();
const MB = 1024 * 1024;

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

describe.skipIf(!browser)('an upload from the widget across a server crash', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-crash-upload-'));
  let env: Record<string, string>;
  let server: ServerProcess;
  let visitor: Page;
  let cdp: CDPSession;

  beforeAll(async () => {
    env = {
      PORT: String(await freePort()),
      PARLEY_DATA_DIR: path.join(dir, 'data'),
      PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
      PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
      PARLEY_SECRET_KEY: TEST_SECRET_KEY,
      PARLEY_MAX_UPLOAD_MB: '100',
      LOG_LEVEL: 'warn',
    };
    server = await spawnServer(env);
    const cookie = await login(server.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(server.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
    const put = await call(server.url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
      cookie,
      body: { maxFileSizeKb: 100 * 1024 },
    });
    expect(put.status).toBe(200);
    ({ page: visitor } = await newPage(browser!));
    cdp = await visitor.context().newCDPSession(visitor);
    await cdp.send('Network.enable');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resumes after the server is killed and restarted, and the file arrives once with the right sha256', async () => {
    const size = 60 * MB;
    const bytes = pdf(size, 'crash');
    const file = path.join(dir, 'contract.pdf');
    fs.writeFileSync(file, bytes);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');

    const widget = await openDemoWidget(visitor, server.url);
    // Slow enough that the crash lands mid-upload.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 4 * MB,
    });
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [file] as never);
    const progress = widget.getByRole('progressbar', { name: 'Uploading contract.pdf' });
    await eventually(
      async () => expect(Number(await progress.getAttribute('aria-valuenow', { timeout: 1000 }))).toBeGreaterThan(30),
      { timeoutMs: 120_000, everyMs: 100 },
    );

    await server.kill(); // SIGKILL: no shutdown code runs
    server = await spawnServer(env);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    const link = widget.getByRole('link', { name: 'Download contract.pdf' });
    await link.waitFor({ timeout: 180_000 });
    const href = (await link.getAttribute('href'))!;
    const downloaded = Buffer.from(await (await fetch(new URL(href, server.url))).arrayBuffer());
    expect(downloaded.length).toBe(size);
    expect(crypto.createHash('sha256').update(downloaded).digest('hex')).toBe(sha256);
    // Exactly one file and one message for it, whatever was retried.
    expect(await widget.getByRole('link', { name: 'Download contract.pdf' }).count()).toBe(1);
  }, 400_000);
});
