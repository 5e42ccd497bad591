// Browser: a bot step asks for a file; the visitor answers with the in-chat "Upload file" button, the bot goes on,
// and the agent receives the chat with the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { call, login } from '../support/client.js';
import { pdf, png } from '../support/fixtures.js';
import { chooseFiles, newPage, openDemoWidget, signIn, startBrowser } from '../support/browser.js';

const browser = await startBrowser();

const FLOW = {
  start: 'welcome',
  steps: [
    { id: 'welcome', kind: 'message', text: 'Hi! I can file your invoice.', next: 'ask' },
    {
      id: 'ask',
      kind: 'upload',
      prompt: 'Please upload your invoice as a PDF',
      allowedTypes: 'pdf',
      maxFiles: 1,
      optional: true,
      onTimeout: 'remind',
      next: 'thanks',
    },
    { id: 'thanks', kind: 'handoff', text: 'Thanks, an agent will check it now.' },
  ],
};

describe.skipIf(!browser)('bot upload request in the browser', () => {
  const s = useServer();

  beforeAll(async () => {
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const saved = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/bot`, { cookie, body: { flow: FLOW } });
    expect(saved.status, JSON.stringify(saved.body)).toBeLessThan(300);
    const published = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/bot/publish`, { cookie, body: {} });
    expect(published.status, JSON.stringify(published.body)).toBeLessThan(300);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('uploads a PDF with the in-chat button, the bot continues, and the agent gets the chat with the file', async () => {
    const { page: agent } = await newPage(browser!, { width: 1400, height: 820 });
    await signIn(agent, s.url, 'console', s.admin);

    const { page: visitor } = await newPage(browser!);
    const widget = await openDemoWidget(visitor, s.url);
    const request = widget.getByRole('group', { name: 'File requested by the assistant' });
    await widget.getByText('Please upload your invoice as a PDF').first().waitFor();
    const uploadButton = request.getByRole('button', { name: 'Upload file' });
    await expect.poll(() => request.getByRole('button', { name: 'Skip' }).count()).toBe(1);

    // The request's own types apply before anything is sent.
    await chooseFiles(visitor, uploadButton, [{ name: 'photo.png', mimeType: 'image/png', buffer: await png() }]);
    await expect.poll(() => widget.getByRole('alert').innerText()).toContain('PNG files are not allowed. Allowed: pdf');

    await chooseFiles(visitor, uploadButton, [
      { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: pdf(5000, 'invoice') },
    ]);
    await widget.getByRole('link', { name: 'Download invoice.pdf' }).waitFor();
    await widget.getByText('Thanks, an agent will check it now.').waitFor();
    await expect.poll(() => uploadButton.isDisabled()).toBe(true);

    // The handoff puts the chat in the agents' queue, with the file.
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    // The handoff step runs after the bot's message has been shown: wait for the chat to be waiting.
    const waiting = async () =>
      (await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats?status=waiting`, { cookie })).body.chats;
    await expect.poll(waiting).toHaveLength(1);
    const chatRef = (await waiting())[0].ref as string;
    await agent.getByRole('tab', { name: /^Waiting/ }).click();
    await agent.getByRole('button', { name: new RegExp(`^Chat #${chatRef}`) }).click();
    await agent.getByRole('log').getByRole('link', { name: 'Download invoice.pdf' }).waitFor();
    await agent.getByRole('list', { name: 'Chat files' }).getByText('invoice.pdf').waitFor();
  });

  it('closes an open request card at once when visitor uploads are turned off, and says why', async () => {
    const { page: visitor } = await newPage(browser!);
    const widget = await openDemoWidget(visitor, s.url);
    const request = widget.getByRole('group', { name: 'File requested by the assistant' });
    await widget.getByText('Please upload your invoice as a PDF').first().waitFor();
    const uploadButton = request.getByRole('button', { name: 'Upload file' });
    await expect.poll(() => uploadButton.isDisabled()).toBe(false);

    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const rules = (visitorUploadsEnabled: boolean) =>
      call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
        cookie,
        body: { visitorUploadsEnabled },
      });
    expect((await rules(false)).status).toBe(200);
    try {
      // Without a reload: the card closes, the event says why, and the bot goes on to its next step.
      await request.getByText('This request has expired').waitFor();
      await expect.poll(() => uploadButton.isDisabled()).toBe(true);
      await widget.getByText('File sharing was turned off').waitFor();
      await widget.getByText('Thanks, an agent will check it now.').waitFor();
    } finally {
      expect((await rules(true)).status).toBe(200);
    }
  });

  it('answers a request for two files with one message, each file with its own progress row', async () => {
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const two = { ...FLOW, steps: FLOW.steps.map((st) => (st.kind === 'upload' ? { ...st, maxFiles: 2 } : st)) };
    const ws = `/api/workspaces/${s.workspaceId}`;
    expect((await call(s.url, 'PUT', `${ws}/bot`, { cookie, body: { flow: two } })).status).toBeLessThan(300);
    expect((await call(s.url, 'POST', `${ws}/bot/publish`, { cookie, body: {} })).status).toBeLessThan(300);

    const { page: visitor } = await newPage(browser!);
    const cdp = await visitor.context().newCDPSession(visitor);
    await cdp.send('Network.enable');
    const widget = await openDemoWidget(visitor, s.url);
    const request = widget.getByRole('group', { name: 'File requested by the assistant' });
    await widget.getByText('Please upload your invoice as a PDF').first().waitFor();
    const throttle = (uploadThroughput: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput,
      });
    await throttle(200 * 1024);
    const names = ['invoice-1.pdf', 'invoice-2.pdf'];
    await chooseFiles(
      visitor,
      request.getByRole('button', { name: 'Upload file' }),
      names.map((name) => ({ name, mimeType: 'application/pdf', buffer: pdf(300 * 1024, name) })),
    );
    for (const name of names)
      await widget.getByRole('progressbar', { name: `Uploading ${name}`, exact: true }).waitFor();
    await throttle(-1);

    let message = widget.getByRole('log').locator('.p-msg');
    for (const name of names) message = message.filter({ has: widget.getByRole('link', { name: `Download ${name}` }) });
    await expect.poll(() => message.count(), { timeout: 30_000 }).toBe(1);
    await widget.getByText('Thanks, an agent will check it now.').last().waitFor();
  });
});
