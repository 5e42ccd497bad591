// Browser: the agent console on a laptop or a narrow window (1024 and 800 pixels wide, 700 high). There the visitor's
// details and the chat's files move under the chat; they must not take the messages' room, and a visitor's name as
// long as a sentence (the bot asked for it twice and got the question both times) must not push the chat off the
// screen; the top bar stays one row.
import { afterAll, describe, expect, it } from 'vitest';
import { call, upload, widgetSession } from '../support/client.js';
import { pdf, png } from '../support/fixtures.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';
import { useServer } from '../support/server.js';

const browser = await startBrowser();
const LONG_NAME =
  'Hello, a long question about my invoice and the attached scan, which has a very long line of text as a name';

describe.skipIf(!browser)('the console in a narrow window', () => {
  const s = useServer();
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps the chat title on one line and a third of the height or more for the messages', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    // The default bot asks for a name first. A sentence is not taken for one the first time (it asks again); the
    // second answer is kept whatever it is, so this becomes the visitor's name.
    for (let i = 0; i < 2; i++) {
      const sent = await call(s.url, 'POST', '/api/widget/chat/messages', {
        token: v.visitorToken,
        body: { text: LONG_NAME },
      });
      expect(sent.status).toBe(201);
    }
    const files = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'scan-with-a-rather-long-file-name-that-goes-on-and-on.png', data: await png(800, 600) },
        { name: 'invoice-2026-11-28-final-version-signed.pdf', data: pdf(3000, 'x') },
      ],
      { token: v.visitorToken },
    );
    expect(files.status).toBe(201);

    for (const width of [1024, 800]) {
      const { page, context } = await newPage(browser!, { width, height: 700 });
      await signIn(page, s.url, 'console', s.admin);
      await page.getByRole('tab', { name: /^Bot/ }).click();
      await page
        .getByRole('button', { name: /^Chat #/ })
        .first()
        .click();
      const title = page.getByRole('heading', { level: 2, name: LONG_NAME });
      await title.waitFor();
      await page
        .getByRole('log')
        .getByRole('link', { name: /^Download invoice/ })
        .waitFor();
      // One line, the whole name in its tooltip.
      const { height, lineHeight } = await title.evaluate((h) => ({
        height: h.getBoundingClientRect().height,
        lineHeight: Number.parseFloat(getComputedStyle(h).fontSize) * 1.6,
      }));
      expect(height).toBeLessThan(lineHeight);
      expect(await title.getAttribute('title')).toBe(LONG_NAME);
      // The top bar is one row (at 800 px "Sign out" went to a second one): every item's middle at the same height.
      const middles = await page.locator('header.c-top > *').evaluateAll((els) =>
        els
          .filter((e) => getComputedStyle(e).display !== 'none')
          .map((e) => e.getBoundingClientRect())
          .map((r) => r.top + r.height / 2),
      );
      expect(middles.length, `at ${width} px`).toBeGreaterThan(5);
      expect(Math.max(...middles) - Math.min(...middles), `at ${width} px`).toBeLessThan(4);
      // The messages keep a third of the window's height or more (the panels under them scroll in theirs).
      const logHeight = (await page.getByRole('log').boundingBox())!.height;
      expect(logHeight, `at ${width} px`).toBeGreaterThan(700 * 0.3);
      const details = (await page.getByRole('complementary', { name: 'Visitor details' }).boundingBox())!;
      expect(details.y + details.height).toBeLessThanOrEqual(700 + 1);
      await context.close();
    }
  });
});
