// Browser (issue 17): the agent's composer has a paperclip, and files dropped onto the chat or pasted into the reply
// box are sent; a pasted image is previewed with a name field first (both in the console and in the widget), Cancel
// sends nothing; every file picker's `accept` lists the side's allowed types. axe-core runs with the preview open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { pdf, png } from '../support/fixtures.js';
import {
  chooseFiles,
  dropFiles,
  newPage,
  openDemoWidget,
  pasteFiles,
  screenshot,
  signIn,
  startBrowser,
  widgetFrame,
} from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('console composer: paperclip, drop, paste with preview and rename', () => {
  const s = useServer();
  let agent: Page;
  let visitor: Page;
  let widget: FrameLocator;
  let chatId: string;

  const chatFileNames = async () => {
    const r = await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats/${chatId}/files`);
    return (r.body.files as { name: string }[]).map((f) => f.name).sort();
  };

  beforeAll(async () => {
    ({ page: agent } = await newPage(browser!, { width: 1440, height: 860 }));
    ({ page: visitor } = await newPage(browser!));
    const put = await s.asOwner('PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
      visitorAllowedTypes: 'pdf|png|tar.gz',
      agentAllowedTypes: 'pdf|png',
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("offers only the side's allowed types in every file picker", async () => {
    widget = await openDemoWidget(visitor, s.url);
    await widget.getByRole('textbox', { name: 'Message' }).fill('Hello, something is broken');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.getByRole('log').getByText('Hello, something is broken', { exact: true }).waitFor();
    await expect
      .poll(() => widget.locator('.w-composer input[type=file]').getAttribute('accept'))
      .toBe('.pdf,.png,.tar.gz,.tgz');

    await signIn(agent, s.url, 'console', s.admin);
    const { body } = await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats`);
    const chat = body.chats[0] as { id: string; ref: string; status: string };
    chatId = chat.id;
    await agent.getByRole('tab', { name: new RegExp(`^${chat.status}`, 'i') }).click();
    await agent
      .getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) })
      .first()
      .click();
    await agent
      .getByRole('log')
      .locator('.p-msg__text')
      .getByText('Hello, something is broken', { exact: true })
      .waitFor();
    await agent.getByRole('button', { name: 'Take', exact: true }).click();

    // Paperclip, Settings → "Files Attachment" and "Choose File": three pickers, one allow-list.
    const inputs = agent.locator('input[type=file]');
    await expect.poll(() => inputs.count()).toBe(3);
    await expect
      .poll(async () => (await inputs.evaluateAll((els) => els.map((e) => e.getAttribute('accept')))).join(' '))
      .toBe('.pdf,.png .pdf,.png .pdf,.png');
  });

  it('sends a file chosen with the paperclip and one dropped onto the chat; a refused type is named', async () => {
    await chooseFiles(agent, agent.getByRole('button', { name: 'Attach files' }), [
      { name: 'manual.pdf', mimeType: 'application/pdf', buffer: pdf(5000, 'manual') },
    ]);
    await widget.getByRole('link', { name: 'Download manual.pdf' }).waitFor();

    await dropFiles(agent.mainFrame(), '.c-chat__main', [
      { name: 'dropped.pdf', mimeType: 'application/pdf', buffer: pdf(3000, 'dropped') },
    ]);
    await widget.getByRole('link', { name: 'Download dropped.pdf' }).waitFor();
    await agent.getByRole('log').getByRole('link', { name: 'Download dropped.pdf' }).waitFor();

    await dropFiles(agent.mainFrame(), '.c-chat__main', [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('plain text') },
    ]);
    await agent.getByText('TXT files are not allowed. Allowed: pdf, png').waitFor();
    expect(await chatFileNames()).toEqual(['dropped.pdf', 'manual.pdf']);
  });

  it('previews a pasted screenshot with a name field; Send image sends it renamed, Cancel sends nothing', async () => {
    const reply = 'textarea[aria-label="Reply"]';
    await pasteFiles(agent.mainFrame(), reply, [
      { name: 'image.png', mimeType: 'image/png', buffer: await png(240, 140) },
    ]);
    const preview = agent.getByRole('region', { name: 'Pasted image' });
    const name = preview.getByRole('textbox', { name: 'File name' });
    await name.waitFor();
    expect(await name.inputValue()).toMatch(/^screenshot-\d{4}-\d\d-\d\d-\d{6}$/);
    await expect
      .poll(() =>
        preview
          .getByRole('img', { name: 'Preview of pasted image 1' })
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      )
      .toBe(240);
    // Nothing leaves before the agent says so.
    expect(await chatFileNames()).toEqual(['dropped.pdf', 'manual.pdf']);
    await expectNoSeriousViolations(agent, 'console with a pasted image preview');
    await screenshot(agent, 'console-paste-preview');

    await name.fill('login-error');
    await preview.getByRole('button', { name: 'Send image' }).click();
    await widget.getByRole('button', { name: 'Open image login-error.png' }).waitFor();
    await expect.poll(() => preview.count()).toBe(0);
    expect(await chatFileNames()).toEqual(['dropped.pdf', 'login-error.png', 'manual.pdf']);

    // Cancel (and Escape) drop the pasted image.
    await pasteFiles(agent.mainFrame(), reply, [
      { name: 'image.png', mimeType: 'image/png', buffer: await png(20, 20) },
    ]);
    await preview.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => preview.count()).toBe(0);
    await pasteFiles(agent.mainFrame(), reply, [
      { name: 'image.png', mimeType: 'image/png', buffer: await png(20, 20) },
    ]);
    await name.press('Escape');
    await expect.poll(() => preview.count()).toBe(0);
    expect(await chatFileNames()).toEqual(['dropped.pdf', 'login-error.png', 'manual.pdf']);
  });

  it('previews an image pasted in the widget too; Enter in the name field sends it', async () => {
    const frame = await widgetFrame(visitor);
    await pasteFiles(frame, 'textarea[aria-label="Message"]', [
      { name: 'image.png', mimeType: 'image/png', buffer: await png(200, 120) },
    ]);
    const preview = widget.getByRole('region', { name: 'Pasted image' });
    const name = preview.getByRole('textbox', { name: 'File name' });
    await name.waitFor();
    await expectNoSeriousViolations(frame, 'widget with a pasted image preview');
    await screenshot(visitor, 'widget-paste-preview');
    await name.fill('my-screen');
    await name.press('Enter');
    await agent.getByRole('log').getByRole('button', { name: 'Open image my-screen.png' }).waitFor();
    await widget.getByRole('button', { name: 'Open image my-screen.png' }).waitFor();
    expect(await chatFileNames()).toContain('my-screen.png');
  });
});
