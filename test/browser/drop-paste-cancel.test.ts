// Browser: files reach the chat by drag & drop and by pasting a screenshot; a large upload cancelled halfway leaves
// nothing on the server. Also checks the widget at a 360px-wide phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { eventually } from '../support/eventually.js';
import { pdf, png } from '../support/fixtures.js';
import { snapshot } from '../support/leftovers.js';
import {
  chooseFiles,
  dropFiles,
  newPage,
  openDemoWidget,
  pasteFiles,
  screenshot,
  startBrowser,
  widgetFrame,
} from '../support/browser.js';

const browser = await startBrowser();

describe.skipIf(!browser)('drop, paste and cancel in the widget', () => {
  const s = useServer();
  let visitor: Page;

  beforeAll(async () => {
    ({ page: visitor } = await newPage(browser!, { width: 360, height: 740 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('uploads a file dropped onto the chat and a screenshot pasted into the text box', async () => {
    const widget = await openDemoWidget(visitor, s.url);
    // On a phone the chat covers the whole screen.
    const box = await visitor.locator('iframe[title="Parley chat"]').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 360, height: 740 });

    const frame = await widgetFrame(visitor);
    await dropFiles(frame, '.w-app', [
      { name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf(4000, 'report') },
    ]);
    await widget.getByRole('link', { name: 'Download report.pdf' }).waitFor();

    await pasteFiles(frame, 'textarea[aria-label="Message"]', [
      { name: 'image.png', mimeType: 'image/png', buffer: await png(200, 120) },
    ]);
    // A pasted screenshot waits in a preview, named screenshot-<date>-<time> instead of image.png, until sent.
    await widget.getByRole('region', { name: 'Pasted image' }).getByRole('button', { name: 'Send image' }).click();
    await widget.getByRole('button', { name: /^Open image screenshot-\d{4}-\d\d-\d\d-\d{6}\.png$/ }).waitFor();
    await screenshot(visitor, 'widget-phone');

    const after = await snapshot(s);
    expect(after.files).toBe(2);
  });

  it('cancels a large upload in the middle and leaves nothing on the server', async () => {
    const widget = visitor.frameLocator('iframe[title="Parley chat"]');
    const before = await snapshot(s);
    // A slow uplink (256 KB/s) so there is a "middle" to cancel in.
    const cdp = await visitor.context().newCDPSession(visitor);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });

    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [
      { name: 'big.pdf', mimeType: 'application/pdf', buffer: pdf(8 * 1024 * 1024, 'big') },
    ]);
    const bar = widget.getByRole('progressbar', { name: 'Uploading big.pdf' });
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
    await widget.getByRole('button', { name: 'Cancel upload of big.pdf' }).click();
    await expect.poll(() => bar.count()).toBe(0);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    // The server notices the aborted request, removes the partial bytes and records no file or message.
    await eventually(async () => expect(await snapshot(s)).toEqual({ ...before, tempFiles: 0 }), {
      timeoutMs: 15_000,
    }).catch(async (err) => {
      console.error('before', before, 'after', await snapshot(s));
      throw err;
    });
    expect(await widget.getByText('big.pdf').count()).toBe(0);
  });
});
