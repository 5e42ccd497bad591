// Browser: file names are data. Names built to break out of HTML, CSS or URLs (Rocket.Chat #10604) show as plain
// text in the widget, the console and List File, run no script, and leave the layout alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { upload, widgetSession } from '../support/client.js';
import { png } from '../support/fixtures.js';
import { dropFiles, newPage, openDemoWidget, signIn, startBrowser, widgetFrame } from '../support/browser.js';

const browser = await startBrowser();
const HOSTILE = [
  `x');position:fixed;top:0;left:0;width:100%;height:100%;background:red;('.txt`,
  `<img src=x onerror="window.__pwned=1">.txt`,
  `"><script>window.__pwned=2</script>.txt`,
  `javascript:window.__pwned=3;//.txt`,
];

describe.skipIf(!browser)('hostile file names', () => {
  const s = useServer();
  let agent: Page;
  beforeAll(async () => {
    ({ page: agent } = await newPage(browser!, { width: 1440, height: 860 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders hostile names as text in the console chat, its side panel and List File, with no script run', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      HOSTILE.map((name) => ({ name, data: 'hello\n' })),
      { token: v.visitorToken },
    );
    expect(r.status).toBe(201);
    // As stored (the form encoding's %22 for a double quote is decoded back to the quote).
    const names: string[] = r.body.files.map((f: { name: string }) => f.name);
    expect(names[0]).toBe(HOSTILE[0]);
    const dialogs: string[] = [];
    agent.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await signIn(agent, s.url, 'console', s.admin);
    await agent.getByRole('tab', { name: /^Bot/ }).click();
    await agent
      .getByRole('button', { name: new RegExp(`^Chat #${v.chat.ref}`) })
      .first()
      .click();
    for (const name of names) {
      await agent
        .getByRole('log')
        .getByRole('link', { name: `Download ${name}` })
        .waitFor();
    }
    // Nothing injected: no image from a name, no script ran, the page's layout element is still where it was.
    expect(await agent.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await agent.locator('img[src="x"]').count()).toBe(0);
    const hrefs = await agent
      .getByRole('log')
      .getByRole('link')
      .evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
    expect(hrefs.every((h) => h.startsWith('/api/files/'))).toBe(true);
    const reply = agent.getByRole('textbox').last();
    expect(await reply.isVisible()).toBe(true);
    const box = await reply.boundingBox();
    expect(box && box.y > 400).toBe(true);

    await agent.goto(`${s.url}/admin/`); // same session cookie as the console
    await agent.getByRole('link', { name: 'List File' }).click();
    for (const name of names) await agent.getByText(name, { exact: true }).first().waitFor();
    expect(await agent.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('renders hostile names as text in the widget: sent files, an image and a refusal, with no script run', async () => {
    const { page: visitor } = await newPage(browser!, { width: 420, height: 760 });
    const dialogs: string[] = [];
    visitor.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const widget = await openDemoWidget(visitor, s.url);
    const composer = widget.getByRole('textbox', { name: 'Message' });
    const before = await composer.boundingBox();
    const image = `x" onload="window.__pwned=5" y=".png`;
    const refused = `<img src=x onerror="window.__pwned=6">.exe`;
    await dropFiles(await widgetFrame(visitor), '.w-app', [
      ...HOSTILE.map((name) => ({ name, mimeType: 'text/plain', buffer: Buffer.from('hello\n') })),
      { name: image, mimeType: 'image/png', buffer: await png(64, 48) },
      { name: refused, mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
    ]);
    // Path separators become underscores on the server; everything else is shown as it was sent.
    const shown = HOSTILE.map((name) => name.replace(/[/\\]/g, '_'));
    const log = widget.getByRole('log');
    for (const name of shown) await log.getByRole('link', { name: `Download ${name}` }).waitFor();
    await log.getByRole('button', { name: `Open image ${image}` }).waitFor();
    await widget.getByRole('alert').getByText(`${refused}:`).waitFor();

    const pwned = () => (window as unknown as { __pwned?: number }).__pwned;
    expect(await (await widgetFrame(visitor)).evaluate(pwned)).toBeUndefined();
    expect(await visitor.evaluate(pwned)).toBeUndefined();
    expect(await log.locator('img[src="x"]').count()).toBe(0);
    const hrefs = await log.getByRole('link').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThanOrEqual(shown.length);
    expect(hrefs.every((h) => h.startsWith('/api/files/'))).toBe(true);
    // The layout is the widget's: the composer is where it was.
    expect(await composer.boundingBox()).toEqual(before);
    expect(dialogs).toEqual([]);
  });
});
