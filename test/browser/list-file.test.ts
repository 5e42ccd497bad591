// Browser: the admin's "List File" shows every file of the workspace with working filters; deleting one there turns
// it into "File deleted" in the chat, for the agent and for the visitor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { call, login, upload, widgetSession } from '../support/client.js';
import { pdf, png } from '../support/fixtures.js';
import { newPage, openDemoWidget, screenshot, signIn, startBrowser } from '../support/browser.js';

const browser = await startBrowser();

describe.skipIf(!browser)('List File in the browser', () => {
  const s = useServer();
  let admin: Page;
  let chatId: string;
  let visitorToken: string;

  beforeAll(async () => {
    // One chat with two visitor files and one agent file, sent through the API.
    const session = await widgetSession(s.url, s.widgetKey);
    visitorToken = session.visitorToken;
    chatId = session.chat.id;
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const v1 = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'invoice.pdf', data: pdf(5000, 'inv'), type: 'application/pdf' }],
      { token: visitorToken },
    );
    const v2 = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'notes.txt', data: 'call me back\n', type: 'text/plain' }],
      { token: visitorToken },
    );
    const a1 = await upload(
      s.url,
      `/api/workspaces/${s.workspaceId}/chats/${chatId}/files`,
      [{ name: 'diagram.png', data: await png(), type: 'image/png' }],
      { cookie },
    );
    expect([v1.status, v2.status, a1.status]).toEqual([201, 201, 201]);
    ({ page: admin } = await newPage(browser!, { width: 1360, height: 800 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const table = () => admin.getByRole('table', { name: 'Files' });
  const names = async () => (await table().locator('tbody tr td:nth-child(2) a').allInnerTexts()).map((t) => t.trim());

  async function filter(fill: (form: ReturnType<Page['getByRole']>) => Promise<unknown>) {
    const form = admin.getByRole('form', { name: 'Filter files' });
    await form.getByRole('button', { name: 'Clear' }).click();
    await fill(form);
    await form.getByRole('button', { name: 'Filter' }).click();
  }

  it('lists every file, newest first, and filters by uploader, type, name and chat', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.getByRole('link', { name: 'List File' }).click();
    await admin.getByRole('heading', { name: 'List File' }).waitFor();
    await expect.poll(names).toEqual(['diagram.png', 'notes.txt', 'invoice.pdf']);
    await screenshot(admin, 'admin-list-file');

    await filter((f) => f.getByLabel('Uploader').selectOption('agent'));
    await expect.poll(names).toEqual(['diagram.png']);
    await filter((f) => f.getByLabel('Uploader').selectOption('visitor'));
    await expect.poll(names).toEqual(['notes.txt', 'invoice.pdf']);
    await filter((f) => f.getByLabel('Type').fill('pdf'));
    await expect.poll(names).toEqual(['invoice.pdf']);
    await filter((f) => f.getByLabel('Name').fill('notes'));
    await expect.poll(names).toEqual(['notes.txt']);
    await filter((f) => f.getByLabel('Chat').fill(chatId));
    await expect.poll(names).toHaveLength(3);
    await filter((f) => f.getByLabel('Chat').fill('no-such-chat'));
    await expect.poll(names).toEqual([]);
    await filter(async () => undefined);
    await expect.poll(names).toHaveLength(3);
  });

  it('keeps the newest filter when the answer for the previous one comes last (found by CI)', async () => {
    await filter((f) => f.getByLabel('Uploader').selectOption('visitor'));
    await expect.poll(names).toEqual(['notes.txt', 'invoice.pdf']);
    // The next filter's "Clear" reloads the unfiltered list: that answer is held until the filtered one is shown.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const unfiltered = (url: string | URL) =>
      /\/files\?/.test(String(url)) && !new URL(String(url)).searchParams.has('uploaderRole');
    await admin.route(unfiltered, async (route) => {
      await held;
      await route.continue();
    });
    await filter((f) => f.getByLabel('Uploader').selectOption('agent'));
    await expect.poll(names).toEqual(['diagram.png']);
    const lateAnswer = admin.waitForResponse((r) => unfiltered(r.url()));
    release();
    await (await lateAnswer).finished(); // the whole body has reached the page, not only the headers
    await admin.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve))); // React has applied it
    expect(await names()).toEqual(['diagram.png']);
    await admin.unroute(unfiltered);
    await filter(async () => undefined);
    await expect.poll(names).toHaveLength(3);
  });

  it('deletes a file after confirmation, and the chat shows "File deleted" in its place', async () => {
    await admin.getByRole('button', { name: 'Delete notes.txt' }).click();
    await admin
      .getByRole('group', { name: 'Confirm deleting notes.txt' })
      .getByRole('button', { name: 'Yes, delete' })
      .click();
    await expect.poll(names).toEqual(['diagram.png', 'invoice.pdf']);

    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const listed = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/files`, { cookie });
    expect(listed.body.files.map((f: { name: string }) => f.name)).toEqual(['diagram.png', 'invoice.pdf']);

    // The agent's chat view.
    await admin.goto(`${s.url}/console/`);
    const { body } = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${chatId}`, { cookie });
    await admin
      .getByRole('tab', { name: new RegExp(`^${body.chat.status[0].toUpperCase()}${body.chat.status.slice(1)}`) })
      .click();
    await admin.getByRole('button', { name: new RegExp(`^Chat #${body.chat.ref}`) }).click();
    const log = admin.getByRole('log');
    await log.getByText('File deleted').waitFor();
    await log.getByRole('link', { name: 'Download invoice.pdf' }).waitFor();
    expect(await log.getByText('notes.txt').count()).toBe(0);

    // The visitor's widget (same visitor token as the uploads).
    const { page: visitor, context } = await newPage(browser!);
    await context.addInitScript(
      ([key, token]) => localStorage.setItem(`parley.visitorToken.${key}`, token),
      [s.widgetKey, visitorToken],
    );
    const widget = await openDemoWidget(visitor, s.url);
    await widget.getByRole('log').getByText('File deleted').waitFor();
    await widget.getByRole('link', { name: 'Download invoice.pdf' }).waitFor();
  });

  it('fits 1024 pixels: short names on one line, every column and each Delete without scrolling sideways', async () => {
    const long = 'scan-of-the-signed-contract-with-a-rather-long-file-name.png';
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: long, data: await png(), type: 'image/png' }], {
      token: visitorToken,
    });
    expect(r.status).toBe(201);
    await admin.setViewportSize({ width: 1024, height: 700 });
    await admin.goto(`${s.url}/admin/#/files`);
    await expect.poll(names).toEqual([long, 'diagram.png', 'invoice.pdf']);
    // Once, the name column gave way first: "invoice.pd" over "f", a long name a few letters per line.
    const lines = await table()
      .locator('tbody tr td:nth-child(2) a')
      .evaluateAll((links) =>
        links.map((a) => {
          const text = document.createRange();
          text.selectNodeContents(a);
          return text.getClientRects().length; // one per line the name takes
        }),
      );
    expect(lines[0]).toBeLessThanOrEqual(6);
    expect(lines.slice(1)).toEqual([1, 1]);
    const wrap = table().locator('xpath=..');
    expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  });
});
