// Browser (issue 17): the widget with the keyboard alone — reach the launcher with Tab, open it (the cursor lands in
// the text box), type and send with Enter, attach a file from the paperclip with Enter, close the chat from its own
// Close button (focus goes back to the launcher). axe-core finds no serious violation in the widget or the demo page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { pdf } from '../support/fixtures.js';
import { newPage, startBrowser, widgetFrame } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

/** The focused element's accessible label (aria-label, else its text), inside a frame or the page. */
const focused = (where: Page | Frame) =>
  where.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '';
  });

/** Presses `key` until the element labelled `label` has the focus (at most `max` presses). */
async function tabTo(page: Page, where: Page | Frame, label: string, key = 'Tab', max = 25) {
  for (let i = 0; i < max; i++) {
    if ((await focused(where)) === label) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${label} never got the focus (last: ${await focused(where)})`);
}

describe.skipIf(!browser)('the widget with the keyboard only', () => {
  const s = useServer();
  let visitor: Page;

  beforeAll(async () => {
    ({ page: visitor } = await newPage(browser!));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('opens, sends text, attaches a file and closes without a mouse', async () => {
    await visitor.goto(`${s.url}/`);
    await visitor.getByRole('button', { name: 'Open chat' }).waitFor();
    await expectNoSeriousViolations(visitor, 'demo page with the launcher');
    await tabTo(visitor, visitor, 'Open chat');
    await visitor.keyboard.press('Enter');

    const widget = visitor.frameLocator('iframe[title="Parley chat"]');
    await widget.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();
    const frame = await widgetFrame(visitor);
    await expect.poll(() => focused(frame)).toBe('Message');
    await expectNoSeriousViolations(frame, 'widget just opened');

    await visitor.keyboard.type('Typed without a mouse');
    await visitor.keyboard.press('Enter');
    await widget.getByRole('log').getByText('Typed without a mouse', { exact: true }).waitFor();
    await expect.poll(() => widget.locator('textarea[aria-label="Message"]').inputValue()).toBe('');
    expect(await focused(frame)).toBe('Message'); // ready for the next line
    await widget.getByText(/Nice to meet you, Typed without a mouse/).waitFor();

    // A slow send: the visitor tabs on to the paperclip before its answer. When it comes, the focus stays there (it
    // went back to the text box and Enter missed the paperclip: found by CI under load).
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await visitor.route('**/api/widget/chat/messages', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await visitor.keyboard.type('A slow second line');
    await visitor.keyboard.press('Enter');
    await tabTo(visitor, frame, 'Attach files', 'Shift+Tab', 5);
    release();
    await widget.getByRole('log').getByText('A slow second line', { exact: true }).waitFor();
    await expect.poll(() => widget.locator('textarea[aria-label="Message"]').inputValue()).toBe('');
    expect(await focused(frame)).toBe('Attach files');
    await visitor.unroute('**/api/widget/chat/messages');
    // Enter on the paperclip opens the picker. Under CI load one Enter in a few hundred runs opened nothing while the
    // focus was on the paperclip (cause not found: no focus change, no re-render seen); a user would press again, and
    // so does the test, at most three times, each time checking the focus first.
    const chooser = await (async () => {
      const misses: string[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        await tabTo(visitor, frame, 'Attach files', 'Shift+Tab', 5);
        const opened = visitor.waitForEvent('filechooser', { timeout: 10_000 }).catch(() => undefined);
        await visitor.keyboard.press('Enter');
        const c = await opened;
        if (c) return c;
        misses.push(`no file chooser after Enter with the focus on ${JSON.stringify(await focused(frame))}`);
      }
      throw new Error(misses.join('; '));
    })();
    await chooser.setFiles([{ name: 'keyboard.pdf', mimeType: 'application/pdf', buffer: pdf(2000, 'keys') }]);
    await widget.getByRole('link', { name: 'Download keyboard.pdf' }).waitFor();
    await expectNoSeriousViolations(frame, 'widget after a message and a file');

    await tabTo(visitor, frame, 'Close chat', 'Shift+Tab', 15);
    await visitor.keyboard.press('Enter');
    await expect.poll(() => visitor.locator('iframe[title="Parley chat"]').isVisible()).toBe(false);
    await expect.poll(() => focused(visitor)).toBe('Open chat');
  });
});
