// Browser (issue 17): a shop page on another origin embeds the widget with the loader and calls
// Parley('identify', {name, email, plan}) before the loader has even loaded (the snippet's command queue). The visitor
// (a French-speaking Chrome on macOS in Tokyo) opens the chat; the agent's console shows the name in the queue and the
// header, and the details panel shows e-mail, page, referrer, browser, language, local time and the attribute.
// Navigation follows: a history pushState, then a full page load where the chat stays closed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { newPage, screenshot, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();
const MAC_CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Chrome/131.0.0.0 Safari/537.36';

function shopPage(parley: string, widgetKey: string, title: string): string {
  return `<!doctype html><html lang="en"><head><title>${title}</title></head><body>
<h1>${title}</h1>
<button id="next" onclick="history.pushState({}, '', '/shop/checkout?step=2')">Continue to checkout</button>
<script>
  window.Parley = window.Parley || function () { (Parley.q = Parley.q || []).push(arguments); };
  Parley('identify', { name: 'Alice Martin', email: 'alice@example.com', plan: 'pro' });
</script>
<script src="${parley}/widget.js" data-key="${widgetKey}" async></script>
</body></html>`;
}

describe.skipIf(!browser)('visitor details from the embedding page', () => {
  const s = useServer();
  let shop: http.Server;
  let shopUrl: string;
  let agent: Page;
  let visitorContext: BrowserContext;
  let visitor: Page;

  beforeAll(async () => {
    shop = http.createServer((req, res) => {
      const title = req.url?.startsWith('/shop/returns') ? 'Returns' : 'Pricing';
      res.writeHead(200, { 'content-type': 'text/html' }).end(shopPage(s.url, s.widgetKey, title));
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    ({ page: agent } = await newPage(browser!, { width: 1440, height: 900 }));
    visitorContext = await browser!.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'fr-FR',
      timezoneId: 'Asia/Tokyo',
      userAgent: MAC_CHROME,
    });
    visitor = await visitorContext.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    shop?.close();
  });

  const staffChats = async () =>
    (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats`)).body.chats as {
      id: string;
      ref: string;
      visitor: Record<string, any>;
    }[];

  it('shows who the visitor is and where they are in the queue, the header and the details panel', async () => {
    await signIn(agent, s.url, 'console', s.admin);
    await visitor.goto(`${shopUrl}/shop/pricing?plan=pro`, { referer: 'https://search.example/?q=parley' });
    await visitor.getByRole('button', { name: 'Open chat' }).click();
    const widget = visitor.frameLocator('iframe[title="Parley chat"]');
    await widget.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();

    await expect.poll(async () => (await staffChats())[0]?.visitor.name).toBe('Alice Martin');
    const chat = (await staffChats())[0]!;
    expect(chat.visitor).toMatchObject({
      name: 'Alice Martin',
      email: 'alice@example.com',
      attributes: { plan: 'pro' },
      pageUrl: `${shopUrl}/shop/pricing?plan=pro`,
      referrer: 'https://search.example/?q=parley',
      userAgent: MAC_CHROME,
      language: 'fr-FR',
      timeZone: 'Asia/Tokyo',
      utcOffset: 540,
    });

    // The queue (Bot tab: the bot is still greeting) titles the row with the name.
    await agent.getByRole('tab', { name: /^Bot/ }).click();
    const row = agent.getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) }).first();
    await expect.poll(() => row.innerText()).toContain('Alice Martin');
    await row.click();
    await agent.getByRole('heading', { name: 'Alice Martin' }).waitFor();

    // Header summary: page path, browser, language, local time.
    const summary = agent.locator('.c-chat__visitor');
    await expect
      .poll(() => summary.innerText())
      .toMatch(/^on \/shop\/pricing\?plan=pro · Chrome 131 on macOS · French \(France\) · \d{1,2}:\d{2}.* local time$/);

    const panel = agent.getByRole('complementary', { name: 'Visitor details' });
    const value = (label: string) => panel.locator('.c-visitor__row', { has: agent.getByText(label, { exact: true }) });
    // The panel fills in from the visitor's details as they arrive.
    await expect.poll(() => value('Name').locator('dd').innerText()).toBe('Alice Martin');
    await expect.poll(() => value('E-mail').getByRole('link').getAttribute('href')).toBe('mailto:alice@example.com');
    await expect
      .poll(() => value('Page').getByRole('link').getAttribute('href'))
      .toBe(`${shopUrl}/shop/pricing?plan=pro`);
    await expect.poll(() => value('Referrer').locator('dd').innerText()).toBe('https://search.example/?q=parley');
    await expect.poll(() => value('Browser').locator('dd').innerText()).toBe('Chrome 131 on macOS');
    await expect.poll(() => value('Language').locator('dd').innerText()).toBe('French (France) (fr-FR)');
    await expect.poll(() => value('plan').locator('dd').innerText()).toBe('pro');
    // Local time: Tokyo's, whatever the agent's own zone is.
    await expect.poll(() => value('Local time').locator('dd').innerText()).toContain('(Asia/Tokyo, UTC+9)');
    const local = await value('Local time').locator('dd').innerText();
    // Tokyo's clock now or a minute or two ago (the panel ticks every 30 s), in the agent's own format.
    const tokyoNow = await agent.evaluate(() =>
      [0, 60_000, 120_000].map((ago) =>
        new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Tokyo' }).format(
          new Date(Date.now() - ago),
        ),
      ),
    );
    expect(tokyoNow.some((t) => local.startsWith(`${t} (`))).toBe(true);

    await expectNoSeriousViolations(agent, 'console chat with visitor details');
    await screenshot(agent, 'console-visitor-details');
  });

  it('follows the visitor through a history navigation and a new page load with the chat closed', async () => {
    await visitor.getByRole('button', { name: 'Continue to checkout' }).click();
    const page = agent
      .getByRole('complementary', { name: 'Visitor details' })
      .locator('.c-visitor__row', { has: agent.getByText('Page', { exact: true }) })
      .getByRole('link');
    await expect.poll(() => page.getAttribute('href'), { timeout: 15_000 }).toBe(`${shopUrl}/shop/checkout?step=2`);

    // A full page load: the loader brings the chat back (closed) because it was opened in this tab, so the agent
    // still sees where the visitor is without the visitor opening it again.
    await visitor.goto(`${shopUrl}/shop/returns`);
    await expect.poll(() => page.getAttribute('href'), { timeout: 15_000 }).toBe(`${shopUrl}/shop/returns`);
    await visitor.getByRole('button', { name: 'Open chat' }).waitFor();
    expect(await visitor.locator('iframe[title="Parley chat"]').isVisible()).toBe(false);
    expect((await staffChats()).length).toBe(1); // the same chat, not a new one
  });

  it("counts an open chat's waiting time from the visitor's unanswered message, until an agent answers", async () => {
    const chat = (await staffChats())[0]!;
    await agent.getByRole('button', { name: 'Take', exact: true }).click();
    await agent.getByRole('tab', { name: /^Open/ }).click();
    const row = agent.getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) }).first();
    await row.waitFor();
    expect(await row.locator('.c-queue__waited').count()).toBe(0); // taken, but the visitor asked nothing yet

    await visitor.getByRole('button', { name: 'Open chat' }).click();
    const widget = visitor.frameLocator('iframe[title="Parley chat"]');
    await widget.getByRole('textbox', { name: 'Message' }).fill('Where is my order?');
    await widget.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => row.locator('.c-queue__waited').textContent()).toBe('Waiting under 1 min');
    const since = (await staffChats()).find((c) => c.id === chat.id) as unknown as { waitingSince: string };
    expect(since.waitingSince).toBeTruthy();

    await agent.getByRole('textbox', { name: 'Reply' }).fill('It ships today.');
    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => row.locator('.c-queue__waited').count()).toBe(0);
  });
});
