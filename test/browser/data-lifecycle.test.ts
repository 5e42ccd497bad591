// Browser: the admin's Data & privacy pages and List File's bulk actions, each checked with axe: storage usage as a
// chart, retention rules with when files will be deleted (and List File's "Deleted on"), selecting files to download
// as one zip or delete, the CSV export, the audit log with filters and CSV, and finding, exporting and erasing a
// visitor.
import fs from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { upload, widgetSession } from '../support/client.js';
import { pdf, png } from '../support/fixtures.js';
import { holdGets, newPage, screenshot, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';
import { eventually } from '../support/eventually.js';
import { readZip } from '../support/read-zip.js';

const browser = await startBrowser();

describe.skipIf(!browser)('Data & privacy in the admin', () => {
  const s = useServer();
  let admin: Page;
  let chat: { id: string; ref: string };
  let visitorToken: string;

  beforeAll(async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    visitorToken = v.visitorToken;
    chat = v.chat;
    const send = (name: string, data: Buffer) =>
      upload(s.url, '/api/widget/chat/files', [{ name, data }], { token: visitorToken });
    expect((await send('invoice.pdf', pdf(5000, 'inv'))).status).toBe(201);
    expect((await send('contract.pdf', pdf(7000, 'con'))).status).toBe(201);
    expect((await send('photo.png', await png())).status).toBe(201);
    const agent = await upload(s.url, s.api(`/chats/${chat.id}/files`), [{ name: 'answer.pdf', data: pdf(3000) }], {
      cookie: s.owner,
    });
    expect(agent.status).toBe(201);
    // What a bot flow would have collected.
    const state = JSON.stringify({
      rev: 2,
      step: null,
      waiting: null,
      vars: { name: 'Ada', email: 'ada@example.test' },
    });
    await s.parley.deps.db.updateTable('chats').set({ bot_state: state }).where('id', '=', chat.id).execute();
    ({ page: admin } = await newPage(browser!, { width: 1360, height: 900 }));
    await signIn(admin, s.url, 'admin', s.admin);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const open = async (link: string, heading: string) => {
    await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: link }).click();
    await admin.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };
  const saved = async (download: Download) => fs.readFileSync((await download.path())!);
  const fileNames = async () =>
    (await admin.getByRole('table', { name: 'Files' }).locator('tbody tr td:nth-child(2) a').allInnerTexts()).map((t) =>
      t.trim(),
    );

  it('shows storage usage by side and by type as a chart', async () => {
    await open('Storage usage', 'Storage usage');
    const byType = admin.getByRole('list', { name: 'By type' });
    await byType.getByText('pdf').waitFor();
    expect(await byType.getByRole('listitem').count()).toBe(2);
    const sides = admin.getByRole('list', { name: 'By side' });
    await expect.poll(() => sides.getByRole('listitem').first().innerText()).toMatch(/Visitors.*3 files/s);
    await expectNoSeriousViolations(admin, 'admin Storage usage');
    await screenshot(admin, 'admin-storage-usage');
  });

  it('saves retention rules, says when files will be deleted, and List File shows each date', async () => {
    await open('Retention', 'Retention');
    await admin.getByLabel("Visitors' files after (days)").fill('30');
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('status').getByText('Saved').waitFor();
    const when = admin.getByRole('list', { name: 'When files uploaded today will be deleted' });
    await expect
      .poll(() => when.innerText())
      .toMatch(/visitor's file uploaded today is deleted on .* \(after 30 days\)/);
    expect(await when.innerText()).toMatch(/agent's file uploaded today is kept until someone deletes it/);
    await expectNoSeriousViolations(admin, 'admin Retention');
    await screenshot(admin, 'admin-retention');

    await open('List File', 'List File');
    const row = (name: string) => admin.getByRole('row').filter({ has: admin.getByRole('link', { name }) });
    await expect.poll(() => row('invoice.pdf').innerText()).not.toMatch(/\bKept\b/);
    expect(await row('answer.pdf').innerText()).toMatch(/\bKept\b/);
  });

  it('downloads a selection as one zip, deletes a selection, and exports the list as CSV', async () => {
    await expect.poll(fileNames).toHaveLength(4);
    await admin.getByLabel('Select invoice.pdf').check();
    await admin.getByLabel('Select photo.png').check();
    const bulk = admin.getByRole('group', { name: 'Bulk actions' });
    await bulk.getByText('2 selected').waitFor();
    await expectNoSeriousViolations(admin, 'List File with a selection');
    await screenshot(admin, 'admin-list-file-bulk');
    const [zipped] = await Promise.all([
      admin.waitForEvent('download'),
      bulk.getByRole('button', { name: 'Download as zip' }).click(),
    ]);
    const entries = await readZip(await saved(zipped));
    expect(entries.map((e) => e.name).sort()).toEqual([`${chat.ref}/invoice.pdf`, `${chat.ref}/photo.png`]);

    const [csv] = await Promise.all([
      admin.waitForEvent('download'),
      bulk.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect((await saved(csv)).toString().trim().split('\r\n')).toHaveLength(5);

    // Another admin deletes one of the selected files meanwhile: the server refuses the selection whole (404 naming
    // it), and the page deletes the rest and says so.
    const photo = (await s.asOwner('GET', s.api('/files?q=photo'))).body.files[0];
    expect((await s.asOwner('DELETE', s.api(`/files/${photo.id}`))).status).toBe(204);
    await bulk.getByRole('button', { name: 'Delete selected' }).click();
    await admin
      .getByRole('group', { name: 'Confirm deleting the selected files' })
      .getByRole('button', { name: 'Yes, delete' })
      .click();
    await bulk.getByText('Deleted 1 file. 1 had already been deleted.').waitFor();
    await expect.poll(fileNames).toEqual(['answer.pdf', 'contract.pdf']);
    const left = (await s.asOwner('GET', s.api('/files'))).body.files.map((f: { name: string }) => f.name);
    expect(left).toEqual(['answer.pdf', 'contract.pdf']);

    // Everything matching the filters: the two PDFs left.
    await bulk.getByLabel('All files matching the filters').check();
    const [all] = await Promise.all([
      admin.waitForEvent('download'),
      bulk.getByRole('button', { name: 'Download as zip' }).click(),
    ]);
    expect((await readZip(await saved(all))).map((e) => e.name).sort()).toEqual(
      [`${chat.ref}/answer.pdf`, `${chat.ref}/contract.pdf`].sort(),
    );
  });

  it('reports a refused zip download (the session ended) next to the bulk actions', async () => {
    const { page, context } = await newPage(browser!);
    await signIn(page, s.url, 'admin', s.admin);
    await page.getByRole('link', { name: 'List File' }).click();
    await page.getByLabel('Select contract.pdf').check();
    await context.clearCookies();
    const bulk = page.getByRole('group', { name: 'Bulk actions' });
    await bulk.getByRole('button', { name: 'Download as zip' }).click();
    await bulk.getByRole('status').getByText('Sign in').waitFor();
    await context.close();
  });

  it('lists the audit log, filters it by action and exports it as CSV', async () => {
    await open('Audit log', 'Audit log');
    const table = admin.getByRole('table', { name: 'Audit log' });
    await table.getByText('files.zip_downloaded').first().waitFor();
    await admin.getByLabel('Action').selectOption('file.deleted');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(async () => [...new Set(await table.locator('tbody td:nth-child(3)').allInnerTexts())])
      .toEqual(['file.deleted']);
    expect(await table.locator('tbody tr').count()).toBe(2);
    await expectNoSeriousViolations(admin, 'admin Audit log');
    await screenshot(admin, 'admin-audit-log');
    const [csv] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const lines = (await saved(csv)).toString().trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.includes('"file.deleted"'))).toBe(true);
  });

  it('finds a visitor by chat reference or email, exports their data and erases them', async () => {
    await open('Visitor data', 'Visitor data');
    await admin.getByLabel('Find by').selectOption('q');
    await admin.getByLabel('Search').fill('ada@example');
    await admin.getByRole('button', { name: 'Find' }).click();
    const found = admin.getByRole('table', { name: 'Visitors found' });
    await found.getByText('Ada').first().waitFor();
    await admin.getByLabel('Find by').selectOption('chat');
    await admin.getByLabel('Search').fill(`#${chat.ref.toLowerCase()}`);
    await admin.getByRole('button', { name: 'Find' }).click();
    await found.getByText(`#${chat.ref}`).waitFor();
    await expectNoSeriousViolations(admin, 'admin Visitor data');
    await screenshot(admin, 'admin-visitor-data');

    const [exported] = await Promise.all([
      admin.waitForEvent('download'),
      found.getByRole('button', { name: 'Export' }).click(),
    ]);
    const entries = await readZip(await saved(exported));
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(['transcript.json', 'transcript.html', `files/${chat.ref}/contract.pdf`]),
    );

    // An agent's console shows the chat in its queue, until the erasure takes it away live.
    const { page: agent } = await newPage(browser!);
    await signIn(agent, s.url, 'console', s.admin);
    const { chat: current } = (await s.asOwner('GET', s.api(`/chats/${chat.id}`))).body;
    await agent.getByRole('tab', { name: new RegExp(`^${current.status}`, 'i') }).click();
    const queued = agent.getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) });
    await queued.waitFor();

    await found.getByRole('button', { name: 'Erase' }).click();
    await admin.getByRole('group', { name: 'Confirm erasing Ada' }).getByRole('button', { name: 'Yes, erase' }).click();
    await admin.getByText('Ada is being erased').waitFor();
    await eventually(async () => {
      await s.parley.idle();
      const chats = await s.parley.deps.db.selectFrom('chats').select('id').where('id', '=', chat.id).execute();
      return chats.length === 0;
    });
    await expect.poll(async () => (await s.asOwner('GET', s.api('/files'))).body.files).toEqual([]);
    await queued.waitFor({ state: 'detached' });
  });

  it('shows the retention rules only once the saved ones are in (an early edit is not overwritten)', async () => {
    await open('Retention', 'Retention');
    const release = await holdGets(admin, `**/api/workspaces/${s.workspaceId}/settings/retention`);
    await admin.reload();
    await admin.getByText('Loading…').waitFor();
    expect(await admin.getByRole('form', { name: 'Retention settings' }).count()).toBe(0);
    await release();
    // The rule saved earlier (visitors' files: 30 days) is in the field from the field's first render.
    const visitors = admin.getByLabel("Visitors' files after (days)");
    await visitors.waitFor();
    expect(await visitors.inputValue()).toBe('30');
    expect(await admin.getByText('Loading…').count()).toBe(0);
  });
});
