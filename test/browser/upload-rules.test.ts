// Browser: the admin's "File upload configuration" governs the widget — refused files are explained inline and never
// sent; turning "File upload for users" off removes the attach button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { pdf, png } from '../support/fixtures.js';
import { snapshot } from '../support/leftovers.js';
import {
  chooseFiles,
  dropFiles,
  newPage,
  openDemoWidget,
  screenshot,
  signIn,
  startBrowser,
  widgetFrame,
} from '../support/browser.js';

const browser = await startBrowser();

describe.skipIf(!browser)('upload rules in the browser', () => {
  const s = useServer();
  let admin: Page;
  let visitor: Page;
  let widget: FrameLocator;
  const uploadRequests: string[] = [];

  beforeAll(async () => {
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 760 }));
    ({ page: visitor } = await newPage(browser!));
    visitor.on('request', (r) => {
      if (r.url().includes('/api/widget/chat/files')) uploadRequests.push(r.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** What uploads would leave behind (messages are left out: the bot greets the visitor meanwhile). */
  async function stored() {
    const { files, objects, tempFiles, deliveries } = await snapshot(s);
    return { files, objects, tempFiles, deliveries };
  }

  async function saveSettings() {
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  }

  it('refuses a .png and a 60 KB PDF inline once users may send only pdf up to 50 KB, and sends nothing', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.getByRole('heading', { name: 'File upload configuration' }).waitFor();
    await admin.getByLabel('Allowed files types for users').fill('pdf');
    await admin.getByLabel('Maximum File Size').fill('50');
    await saveSettings();
    await screenshot(admin, 'admin');

    const before = await stored();
    widget = await openDemoWidget(visitor, s.url);
    const attach = widget.getByRole('button', { name: 'Attach files' });

    await chooseFiles(visitor, attach, [{ name: 'photo.png', mimeType: 'image/png', buffer: await png() }]);
    await expect.poll(() => widget.getByRole('alert').innerText()).toContain('PNG files are not allowed. Allowed: pdf');

    await chooseFiles(visitor, attach, [{ name: 'big.pdf', mimeType: 'application/pdf', buffer: pdf(60 * 1024) }]);
    await expect
      .poll(() => widget.getByRole('alert').innerText())
      .toContain('This file is 60 KB; the maximum is 50 KB');
    expect(await widget.getByRole('alert').innerText()).toContain('big.pdf');

    expect(uploadRequests).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it('hides the attach button once "File upload for users" is turned off, and says so on drop', async () => {
    await admin.getByLabel('File upload for users').uncheck();
    await saveSettings();

    // The widget reads the rules again when the visitor opens it.
    await visitor.getByRole('button', { name: 'Close chat' }).click();
    await visitor.getByRole('button', { name: 'Open chat' }).click();
    await expect.poll(() => widget.getByRole('button', { name: 'Attach files' }).count()).toBe(0);

    await dropFiles(await widgetFrame(visitor), '.w-app', [
      { name: 'doc.pdf', mimeType: 'application/pdf', buffer: pdf(2000) },
    ]);
    await expect.poll(() => widget.getByRole('alert').innerText()).toContain('File uploads are turned off');
    expect(uploadRequests).toEqual([]);
  });
});
