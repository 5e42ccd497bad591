// Browser (issue 17 item 7): embed settings. The admin sets the widget's colour, corner, greeting and allowed
// websites on the Embed page (axe-checked). A shop page on another port (another origin) that is listed shows the
// launcher in that colour and corner, and its visitor chats; a page on a website not listed gets no launcher, and
// an iframe it builds itself to the chat page is refused by the browser (frame-ancestors). Parley's own pages (the
// admin's bot preview, the demo page) keep framing the chat.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import {
  holdGets,
  newPage,
  openDemoWidget,
  recordTextsReplaced,
  screenshot,
  signIn,
  startBrowser,
} from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

/** A website of its own (a port of its own: another origin) serving one page. */
async function website(html: () => string): Promise<{ origin: string; close(): void }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const shopPage = (parley: string, key: string) => `<!doctype html><html lang="en"><head><title>Shop</title></head>
<body><main><h1>The shop</h1><p>Welcome.</p></main>
<script src="${parley}/widget.js" data-key="${key}" async></script></body></html>`;

/** A page that frames the chat itself, claiming to be the listed shop. */
const framingPage = (parley: string, key: string, claimed: string) => `<!doctype html><html lang="en">
<head><title>Elsewhere</title></head><body><h1>Elsewhere</h1>
<iframe title="Stolen chat" src="${parley}/widget/?key=${key}&embedOrigin=${encodeURIComponent(claimed)}"></iframe>
</body></html>`;

describe.skipIf(!browser)('embed settings', () => {
  const s = useServer();
  let shop: Awaited<ReturnType<typeof website>>;
  let elsewhere: Awaited<ReturnType<typeof website>>;
  let framing: Awaited<ReturnType<typeof website>>;
  let admin: Page;

  beforeAll(async () => {
    shop = await website(() => shopPage(s.url, s.widgetKey));
    elsewhere = await website(() => shopPage(s.url, s.widgetKey));
    framing = await website(() => framingPage(s.url, s.widgetKey, shop.origin));
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 1000 }));
  });
  afterAll(async () => {
    await browser?.close();
    for (const site of [shop, elsewhere, framing]) site?.close();
  });

  it('saves colour, position, greeting and allowed websites from the Embed page', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/embed`);
    await admin.getByLabel('Embed snippet').waitFor();
    await admin.getByText('PARLEY_PUBLIC_URL').first().waitFor();
    await admin.getByText('This address only works on this computer.').waitFor();

    const form = admin.getByRole('form', { name: 'Widget settings' });
    await form.getByLabel('Colour', { exact: true }).fill('#0F766E');
    await form.getByLabel('Bottom left').check();
    await form.getByLabel('Greeting').fill('Hello from the shop team! Ask us anything.');
    await form.getByLabel('Allowed websites').fill(`${shop.origin}/\nshop.example.com/cart`);
    await form.getByText('You have unsaved changes.').waitFor();
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    // The path is refused, named, and nothing is saved.
    await form.getByText(/Entry 2 \(counted from 1, empty lines skipped\) not an origin/).waitFor();
    expect((await s.asOwner('GET', s.api('/settings/embed'))).body.allowedOrigins).toEqual([]);
    await expectNoSeriousViolations(admin, 'admin Embed page with a refused origin');

    await form.getByLabel('Allowed websites').fill(`${shop.origin}/`);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.locator('.a-savebar [role="status"]', { hasText: 'Saved' }).waitFor();
    // The saved list comes back normalised; the colour picker follows the text field.
    await expect.poll(() => form.getByLabel('Allowed websites').inputValue()).toBe(shop.origin);
    await expect.poll(() => form.getByText('You have unsaved changes.').count()).toBe(0);
    expect(await form.getByLabel('Pick the widget colour').inputValue()).toBe('#0f766e');
    expect((await s.asOwner('GET', s.api('/settings/embed'))).body).toEqual({
      color: '#0f766e',
      position: 'bottom-left',
      greeting: 'Hello from the shop team! Ask us anything.',
      allowedOrigins: [shop.origin],
    });
    await expectNoSeriousViolations(admin, 'admin Embed page saved');
    await screenshot(admin, 'admin-embed-settings');
  });

  it('shows the widget settings only once the saved ones are in, never the defaults first', async () => {
    // The defaults: an empty greeting (0 of 300 characters), and a form that differs from the saved settings.
    const replaced = await recordTextsReplaced(admin, ['(0/300)', 'You have unsaved changes.']);
    const release = await holdGets(admin, `**/api/workspaces/${s.workspaceId}/settings/embed`);
    await admin.reload();
    // Until the settings arrive, the page says Loading… and offers nothing to edit.
    await admin.getByText('Loading…').waitFor();
    expect(await admin.getByRole('form', { name: 'Widget settings' }).count()).toBe(0);
    await release();
    const form = admin.getByRole('form', { name: 'Widget settings' });
    await form.getByText('(42/300)', { exact: false }).waitFor();
    expect(await admin.getByText('Loading…').count()).toBe(0);
    expect(await form.getByLabel('Bottom left').isChecked()).toBe(true);
    expect(await replaced()).toEqual([]);
  });

  it('shows the widget in its colour and corner on a listed website, and the visitor chats', async () => {
    const { page } = await newPage(browser!);
    await page.goto(`${shop.origin}/`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();
    const look = await launcher.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return { background: getComputedStyle(el).backgroundColor, left: box.left, right: innerWidth - box.right };
    });
    expect(look.background).toBe('rgb(15, 118, 110)');
    expect(look.left).toBe(20);
    expect(look.right).toBeGreaterThan(1000);

    await launcher.click();
    const iframe = page.locator('iframe[title="Parley chat"]');
    const frameBox = await iframe.boundingBox();
    expect(frameBox?.x).toBe(20);
    const widget = page.frameLocator('iframe[title="Parley chat"]');
    await widget.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();
    await widget.getByText('Hello from the shop team! Ask us anything.').waitFor();
    const header = await widget.locator('.w-header').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(header).toBe('rgb(15, 118, 110)');

    await widget.getByLabel('Message').fill('Hi from the shop page');
    await widget.getByLabel('Message').press('Enter');
    await widget.getByRole('log').getByText('Hi from the shop page', { exact: true }).waitFor();
    const own = await widget
      .locator('.p-msg--self .p-msg__bubble', { hasText: 'Hi from the shop page' })
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(own).toBe('rgb(15, 118, 110)');
    await expectNoSeriousViolations(page.frames().find((f) => f.url().includes('/widget/'))!, 'widget in colour');
    await screenshot(page, 'widget-embed-colour');

    // The agents see the message: the chat is real.
    const chats = (await s.asOwner('GET', s.api('/chats'))).body.chats as { id: string }[];
    const texts = await Promise.all(
      chats.map(async (c) => (await s.asOwner('GET', s.api(`/chats/${c.id}/messages`))).body.messages),
    );
    expect(texts.flat().some((m: { text?: string }) => m.text === 'Hi from the shop page')).toBe(true);
    await page.context().close();
  });

  it('shows no widget on a website not listed, and the browser refuses to frame the chat there', async () => {
    const chatsBefore = (await s.asOwner('GET', s.api('/chats'))).body.chats.length;

    const { page } = await newPage(browser!);
    const warned = page.waitForEvent('console', (m) => m.text().includes('Parley: the chat widget is not shown on'));
    const refused = page.waitForResponse((r) => r.url().includes('/appearance'));
    await page.goto(`${elsewhere.origin}/`);
    expect((await refused).status()).toBe(403);
    expect((await warned).text()).toContain(
      `not shown on ${elsewhere.origin}: This widget is not allowed on this website`,
    );
    expect(await page.getByRole('button', { name: 'Open chat' }).count()).toBe(0);
    await page.context().close();

    // A page framing the chat page itself (claiming the shop's origin) gets the browser's refusal, not a chat.
    const { page: thief } = await newPage(browser!);
    const widgetPage = thief.waitForResponse((r) => r.url().includes('/widget/?key='));
    await thief.goto(`${framing.origin}/`);
    const answer = await widgetPage;
    expect(answer.headers()['content-security-policy']).toBe(`frame-ancestors 'self' ${shop.origin}`);
    const framed = thief.frames().find((f) => f !== thief.mainFrame())!;
    await expect.poll(() => framed.url()).toMatch(/^chrome-error:/);
    expect(await thief.frameLocator('iframe[title="Stolen chat"]').locator('textarea').count()).toBe(0);
    await thief.context().close();

    expect((await s.asOwner('GET', s.api('/chats'))).body.chats.length).toBe(chatsBefore);

    // Parley's own pages still frame the chat while the list is set: the admin's bot preview works.
    await admin.goto(`${s.url}/admin/#/bot`);
    await admin.getByRole('button', { name: 'Try live', exact: true }).click();
    const preview = admin.frameLocator('iframe[title="Widget preview"]');
    await preview.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();
    // ...and so does the demo page at /.
    const { page: demo } = await newPage(browser!);
    await openDemoWidget(demo, s.url);
    await demo.context().close();
  });

  it('lets any website in again once the list is emptied', async () => {
    await admin.goto(`${s.url}/admin/#/embed`);
    await admin.getByLabel('Allowed websites').fill('');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.locator('.a-savebar [role="status"]', { hasText: 'Saved' }).waitFor();
    const { page } = await newPage(browser!);
    await page.goto(`${elsewhere.origin}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Parley chat"]');
    await widget.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();
    await page.context().close();
  });

  it('keeps text readable on a light colour (near-black instead of white)', async () => {
    expect((await s.asOwner('PUT', s.api('/settings/embed'), { color: '#fde047' })).status).toBe(200);
    const { page } = await newPage(browser!);
    await page.goto(`${shop.origin}/`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();
    expect(await launcher.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(17, 24, 39)');
    await launcher.click();
    const widget = page.frameLocator('iframe[title="Parley chat"]');
    await widget.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();
    await widget.getByLabel('Message').fill('Readable?');
    await widget.getByLabel('Message').press('Enter');
    await widget.getByRole('log').getByText('Readable?', { exact: true }).waitFor();
    const header = await widget.locator('.w-header').evaluate((el) => {
      const style = getComputedStyle(el);
      return { background: style.backgroundColor, color: style.color };
    });
    expect(header).toEqual({ background: 'rgb(253, 224, 71)', color: 'rgb(17, 24, 39)' });
    await expectNoSeriousViolations(page.frames().find((f) => f.url().includes('/widget/'))!, 'widget, light colour');
    await page.context().close();
  });
});
