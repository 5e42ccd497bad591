// Browser: a visitor and an agent exchange files live — widget attach button, console Settings → "Files Attachment",
// the side panel's "Choose File" and "Refresh" — and what the visitor downloads is byte for byte what was sent.
// Files picked together go as one message with all of them, both ways (Chatwoot #3715: one attachment per message).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { call, login } from '../support/client.js';
import { pdf, png } from '../support/fixtures.js';
import { expectNoSeriousViolations } from '../support/axe.js';
import {
  chooseFiles,
  newPage,
  openDemoWidget,
  screenshot,
  signIn,
  startBrowser,
  widgetFrame,
} from '../support/browser.js';

const browser = await startBrowser();
const TAB = { bot: /^Bot/, waiting: /^Waiting/, open: /^Open/, closed: /^Closed/ } as const;

describe.skipIf(!browser)('visitor and agent share files in the browser', () => {
  const s = useServer();
  let agent: Page;
  let visitor: Page;
  let widget: FrameLocator;
  let diagram: Buffer;

  beforeAll(async () => {
    diagram = await png(320, 200);
    ({ page: agent } = await newPage(browser!, { width: 1440, height: 860 }));
    ({ page: visitor } = await newPage(browser!));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the visitor's message and PDF live in the console, and the agent's PNG as a thumbnail the visitor downloads intact", async () => {
    await signIn(agent, s.url, 'console', s.admin);

    widget = await openDemoWidget(visitor, s.url);
    await widget.getByRole('textbox', { name: 'Message' }).fill('Hello, I have a question about my invoice');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.getByRole('log').getByText('Hello, I have a question about my invoice', { exact: true }).waitFor();

    // The console was open before the chat existed: the chat arrives in the queue live.
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const { body } = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats`, { cookie });
    const chat = body.chats[0] as { id: string; ref: string; status: keyof typeof TAB };
    await agent.getByRole('tab', { name: TAB[chat.status] }).click();
    await agent
      .getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) })
      .first()
      .click();
    await agent
      .getByRole('log')
      .locator('.p-msg__text')
      .getByText('Hello, I have a question about my invoice', { exact: true })
      .waitFor();

    // The visitor attaches a PDF with the attach button; the agent sees it appear without reloading.
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [
      { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: pdf(6000, 'invoice') },
    ]);
    await widget.getByRole('link', { name: 'Download invoice.pdf' }).waitFor();
    await agent.getByRole('log').getByRole('link', { name: 'Download invoice.pdf' }).waitFor();

    // The agent sends a PNG through the chat's Settings → "Files Attachment".
    await agent.getByRole('button', { name: /^Settings/ }).click();
    await chooseFiles(agent, agent.getByRole('menuitem', { name: 'Files Attachment' }), [
      { name: 'diagram.png', mimeType: 'image/png', buffer: diagram },
    ]);
    await agent.getByRole('log').getByRole('button', { name: 'Open image diagram.png' }).waitFor();
    // Under each thumbnail, on both sides, the image's name and size (an image is not only a picture: the agent
    // may need the name the visitor gave it).
    for (const log of [agent.getByRole('log'), widget.getByRole('log')]) {
      const caption = log.locator('figcaption').filter({ hasText: 'diagram.png' });
      await expect.poll(() => caption.innerText()).toMatch(/^diagram\.png\s+[\d.]+ (?:B|KB)\s+Download$/);
    }
    // Readable on whatever is behind it (axe's colour contrast: the agent's own bubble once made the name white on
    // the page's grey).
    await expectNoSeriousViolations(agent, "the agent's image caption", 'figcaption');
    await expectNoSeriousViolations(await widgetFrame(visitor), "the visitor's image caption", 'figcaption');

    // The visitor sees a thumbnail that opens full size, and downloads the very same bytes.
    const thumb = widget.getByRole('button', { name: 'Open image diagram.png' });
    await thumb.waitFor();
    await expect
      .poll(() => thumb.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    await screenshot(visitor, 'widget');
    await thumb.click();
    const viewer = widget.getByRole('dialog', { name: 'diagram.png' });
    await expect
      .poll(() => viewer.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(320);
    await viewer.getByRole('button', { name: 'Close' }).click();

    const [download] = await Promise.all([
      visitor.waitForEvent('download'),
      widget.getByRole('link', { name: 'Download diagram.png' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('diagram.png');
    expect(Buffer.compare(fs.readFileSync((await download.path())!), diagram)).toBe(0);
  });

  it('sends a file from the side panel\'s "Choose File", and "Refresh" lists both agent files with the visitor\'s', async () => {
    await chooseFiles(agent, agent.getByRole('button', { name: 'Choose File' }), [
      { name: 'price-list.pdf', mimeType: 'application/pdf', buffer: pdf(3000, 'prices') },
    ]);
    await agent.getByRole('log').getByRole('link', { name: 'Download price-list.pdf' }).waitFor();
    await widget.getByRole('link', { name: 'Download price-list.pdf' }).waitFor();

    await agent.getByRole('button', { name: 'Refresh' }).click();
    const panel = agent.getByRole('list', { name: 'Chat files' });
    await expect.poll(() => panel.getByRole('listitem').allInnerTexts()).toHaveLength(3);
    const rows = await panel.getByRole('listitem').allInnerTexts();
    expect(rows[0]).toContain('price-list.pdf'); // newest first
    expect(rows.join('\n')).toContain('diagram.png');
    expect(rows.join('\n')).toContain('invoice.pdf');
    expect(rows.find((r) => r.includes('invoice.pdf'))).toContain('Visitor');
    expect(rows.find((r) => r.includes('diagram.png'))).toContain('Agent');
    await screenshot(agent, 'console');
  });

  it('sends files picked together as one message with all of them, from the widget and from the console', async () => {
    /** One message (in the console or the widget) shows a download link for each name. */
    const oneMessageWith = async (root: Page | FrameLocator, names: string[]) => {
      const log = root.getByRole('log');
      for (const n of names) await log.getByRole('link', { name: `Download ${n}` }).waitFor();
      let message = log.locator('.p-msg');
      for (const n of names) message = message.filter({ has: root.getByRole('link', { name: `Download ${n}` }) });
      await expect.poll(() => message.count()).toBe(1);
    };
    const storedMessage = async (names: string[]) => {
      const files = await s.parley.deps.db
        .selectFrom('files')
        .select(['id', 'name'])
        .where('name', 'in', names)
        .execute();
      expect(files).toHaveLength(names.length);
      const rows = await s.parley.deps.db
        .selectFrom('messages')
        .select('file_ids')
        .where('file_ids', 'is not', null)
        .execute();
      const holding = rows.filter((r) => files.some((f) => r.file_ids!.includes(f.id)));
      expect(holding).toHaveLength(1);
      expect(JSON.parse(holding[0]!.file_ids!).sort()).toEqual(files.map((f) => f.id).sort());
    };

    const visitorFiles = ['receipt-1.pdf', 'receipt-2.pdf', 'receipt-3.pdf'];
    await chooseFiles(
      visitor,
      widget.getByRole('button', { name: 'Attach files' }),
      visitorFiles.map((name, i) => ({ name, mimeType: 'application/pdf', buffer: pdf(4000 + i, name) })),
    );
    await oneMessageWith(widget, visitorFiles);
    await oneMessageWith(agent, visitorFiles);
    await storedMessage(visitorFiles);
    // The visitor's own file cards keep readable links and no brand-coloured bubble behind them (the bubble's
    // colour once made them white on white, with bars of it between the cards).
    const own = widget.locator('.p-msg--self');
    const colours = await own
      .locator('.p-file-card')
      .evaluateAll((cards) =>
        cards.map((c) => [
          getComputedStyle(c).backgroundColor,
          getComputedStyle(c.querySelector('a.p-file-card__download')!).color,
          getComputedStyle(c.closest('.p-msg__bubble')!).backgroundColor,
        ]),
      );
    expect(colours.length).toBeGreaterThanOrEqual(3);
    for (const [card, link, bubble] of colours) {
      expect(link).not.toBe(card);
      expect(bubble).toBe('rgba(0, 0, 0, 0)');
    }

    const agentFiles = ['terms.pdf', 'form.pdf'];
    await chooseFiles(
      agent,
      agent.getByRole('button', { name: 'Choose File' }),
      agentFiles.map((name, i) => ({ name, mimeType: 'application/pdf', buffer: pdf(3000 + i, name) })),
    );
    await oneMessageWith(agent, agentFiles);
    await oneMessageWith(widget, agentFiles);
    await storedMessage(agentFiles);
  });
});
