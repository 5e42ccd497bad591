// CSRF in a real browser: an agent signed in to Parley visits a page on a sibling origin (same host, another port —
// "same-site", so the SameSite cookie is sent). Its auto-submitted text/plain form and its no-cors multipart upload
// are refused; the console's own requests still work.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { call, login, widgetSession } from '../support/client.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';

const browser = await startBrowser();

function attackerPage(target: string, chatId: string, workspaceId: string): string {
  const close = `${target}/api/workspaces/${workspaceId}/chats/${chatId}/close`;
  const files = `${target}/api/workspaces/${workspaceId}/chats/${chatId}/files`;
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${close}" enctype="text/plain"><input name='{"a":"' value='"}'></form>
<script>
  const form = new FormData();
  form.append('file', new Blob(['%PDF-1.4 not really'], { type: 'application/pdf' }), 'planted.pdf');
  fetch(${JSON.stringify(files)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: form })
    .finally(() => document.getElementById('f').submit());
</script></body></html>`;
}

describe.skipIf(!browser)('cross-site requests in Chromium', () => {
  let s: TestServer;
  let attacker: http.Server;
  let attackerUrl: string;
  let chatId: string;

  beforeAll(async () => {
    s = await startServer();
    chatId = (await widgetSession(s.url, s.widgetKey)).chat.id;
    attacker = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage(s.url, chatId, s.workspaceId));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await s?.close();
  });

  it("refuses a sibling origin's form post and upload made with the agent's cookie", async () => {
    const { page } = await newPage(browser!);
    await signIn(page, s.url, 'console', s.admin);
    const refused = page.waitForResponse((r) => r.url().endsWith('/close'));
    await page.goto(attackerUrl);
    expect((await refused).status()).toBe(403);
    // The answer arrives before the browser has shown it in place of the attacker's page.
    await page.locator('body', { hasText: 'CROSS_SITE_REQUEST' }).waitFor();

    const owner = await login(s.url, s.admin.email, s.admin.password);
    const chat = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${chatId}`, { cookie: owner });
    expect(chat.body.chat.status).not.toBe('closed');
    const messages = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${chatId}/messages`, {
      cookie: owner,
    });
    expect(messages.body.messages.filter((m: any) => m.kind === 'file')).toEqual([]);

    // The console's own request, from Parley's origin, goes through.
    await page.goto(`${s.url}/console/`);
    const status = await page.evaluate(
      async (url) => (await fetch(url, { method: 'POST' })).status,
      `/api/workspaces/${s.workspaceId}/chats/${chatId}/close`,
    );
    expect(status).toBe(200);
  });
});
