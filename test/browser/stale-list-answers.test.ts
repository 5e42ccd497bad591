// Browser: the admin's Deliveries and Visitor data lists keep the newest filter when the answer for the previous one
// comes last (the race List File and the Audit log were fixed for), and Deliveries' "Load more" continues the newer
// list; the delivery drawer keeps its newest re-read. Each older answer is held with a Playwright route and released
// after the newer one is shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { pdf } from '../support/fixtures.js';
import { answers, startReceiver, type Receiver } from '../support/receiver.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';
import { eventually } from '../support/eventually.js';

const browser = await startBrowser();

/** Holds the requests `matches` picks until `release()`; `answered` resolves when the held answer has arrived. */
async function holdRequests(page: Page, matches: (url: URL) => boolean) {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const picked = (url: string | URL) => matches(new URL(String(url)));
  await page.route(picked, async (route) => {
    await held;
    await route.continue();
  });
  return {
    async releaseAndWait() {
      const answered = page.waitForResponse((r) => picked(r.url()));
      release();
      await (await answered).finished(); // the whole body has reached the page, not only the headers
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve))); // React has applied it
      await page.unroute(picked);
    },
  };
}

describe.skipIf(!browser)('lists keep the newest filter when an older answer comes last', () => {
  const s = useServer();
  let receiver: Receiver;
  let admin: Page;
  let busy: { id: string; ref: string };
  let quiet: { id: string; ref: string };
  // More than one page of the Deliveries list (100 rows) in one chat, one delivery in another.
  const BUSY_FILES = 103;
  // The receiver refuses flaky.pdf (HTTP 500) while this is true.
  let flakyFails = true;

  beforeAll(async () => {
    receiver = await startReceiver(
      () => undefined,
      (r, res) => (r.file?.name === 'flaky.pdf' && flakyFails ? answers.http500() : answers.ok())(r, res),
    );
    const saved = await s.asOwner('PUT', s.api('/integrations/callback'), { url: receiver.url, disabled: false });
    expect(saved.status).toBe(200);
    busy = (await s.visitor()).chat as typeof busy;
    quiet = (await s.visitor()).chat as typeof quiet;
    for (let n = 0; n < BUSY_FILES; n += 10) {
      const names = Array.from({ length: Math.min(10, BUSY_FILES - n) }, (_, i) => `busy-${n + i}.pdf`);
      const r = await s.upload(
        s.api(`/chats/${busy.id}/files`),
        names.map((name) => ({ name, data: pdf(1000, name) })),
        { cookie: s.owner },
      );
      expect(r.status).toBe(201);
    }
    const q = await s.upload(s.api(`/chats/${quiet.id}/files`), [{ name: 'quiet.pdf', data: pdf(1000, 'q') }], {
      cookie: s.owner,
    });
    expect(q.status).toBe(201);
    // What a bot flow would have collected from each visitor.
    const botState = (name: string) => JSON.stringify({ rev: 2, step: null, waiting: null, vars: { name } });
    for (const [chat, name] of [
      [busy, 'Ada Busy'],
      [quiet, 'Bob Quiet'],
    ] as const) {
      await s.parley.deps.db
        .updateTable('chats')
        .set({ bot_state: botState(name) })
        .where('id', '=', chat.id)
        .execute();
    }
    ({ page: admin } = await newPage(browser!, { width: 1360, height: 900 }));
    await signIn(admin, s.url, 'admin', s.admin);
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
  });

  it('Deliveries: the held answer for the previous chat filter does not replace the newer list', async () => {
    await admin.goto(`${s.url}/admin/#/deliveries`);
    const table = admin.getByRole('table', { name: 'Deliveries' });
    const rows = () => table.getByRole('button', { name: /^Details of / });
    await expect.poll(() => rows().count()).toBe(100);
    const filterBy = async (ref: string) => {
      await admin.getByLabel('Chat').fill(`#${ref}`);
      await admin.getByRole('button', { name: 'Filter' }).click();
    };

    const quietList = await holdRequests(
      admin,
      (u) => u.pathname.endsWith('/deliveries') && u.searchParams.get('chatId') === quiet.ref,
    );
    await filterBy(quiet.ref);
    await filterBy(busy.ref);
    await table.getByRole('button', { name: 'Details of Callback delivery of busy-102.pdf' }).waitFor();
    await quietList.releaseAndWait();
    expect(await table.getByText('quiet.pdf').count()).toBe(0);
    expect(await rows().count()).toBe(100);

    // "Load more" continues the busy chat's list, to its last file.
    await admin.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows().count()).toBe(BUSY_FILES);
    await table.getByRole('button', { name: 'Details of Callback delivery of busy-0.pdf' }).waitFor();
    expect(await table.getByText('quiet.pdf').count()).toBe(0);
    expect(await admin.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });

  it('Deliveries: a "Load more" answer that comes after a newer filter is not added to the newer list', async () => {
    await admin.getByLabel('Chat').fill('');
    await admin.getByRole('button', { name: 'Filter' }).click();
    const table = admin.getByRole('table', { name: 'Deliveries' });
    const rows = () => table.getByRole('button', { name: /^Details of / });
    await expect.poll(() => rows().count()).toBe(100);
    await admin.getByRole('button', { name: 'Load more' }).waitFor();

    const nextPage = await holdRequests(
      admin,
      (u) => u.pathname.endsWith('/deliveries') && u.searchParams.has('cursor'),
    );
    await admin.getByRole('button', { name: 'Load more' }).click();
    await admin.getByLabel('Chat').fill(`#${quiet.ref}`);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await table.getByRole('button', { name: 'Details of Callback delivery of quiet.pdf' }).waitFor();
    await expect.poll(() => rows().count()).toBe(1);
    await nextPage.releaseAndWait();
    expect(await rows().count()).toBe(1);
    expect(await table.getByText(/^busy-/).count()).toBe(0);
  });

  it('Visitor data: the held answer for the previous search does not replace the newer one', async () => {
    await admin.goto(`${s.url}/admin/#/visitors`);
    await admin.getByRole('heading', { name: 'Visitor data', level: 1 }).waitFor();
    const found = admin.getByRole('table', { name: 'Visitors found' });

    const byName = await holdRequests(admin, (u) => u.pathname.endsWith('/visitors') && u.searchParams.has('q'));
    await admin.getByLabel('Find by').selectOption('q');
    await admin.getByLabel('Search').fill('Ada');
    await admin.getByRole('button', { name: 'Find' }).click();
    await admin.getByLabel('Find by').selectOption('chat');
    await admin.getByLabel('Search').fill(`#${quiet.ref}`);
    await admin.getByRole('button', { name: 'Find' }).click();
    await found.getByText('Bob Quiet').waitFor();
    await byName.releaseAndWait();
    expect(await found.getByText('Ada Busy').count()).toBe(0);
    expect(await found.locator('tbody tr').count()).toBe(1);
    await found.getByText(`#${quiet.ref}`).waitFor();
  });

  it('Visitor data: "Load more" continues a name search past its first 50 visitors', async () => {
    for (let i = 0; i < 55; i++) {
      const chat = (await s.visitor()).chat as { id: string };
      const state = JSON.stringify({ rev: 2, step: null, waiting: null, vars: { name: `Pager ${i}` } });
      await s.parley.deps.db.updateTable('chats').set({ bot_state: state }).where('id', '=', chat.id).execute();
    }
    await admin.goto(`${s.url}/admin/#/visitors`);
    await admin.getByRole('heading', { name: 'Visitor data', level: 1 }).waitFor();
    const found = admin.getByRole('table', { name: 'Visitors found' });
    await admin.getByLabel('Find by').selectOption('q');
    await admin.getByLabel('Search').fill('Pager');
    await admin.getByRole('button', { name: 'Find' }).click();
    await found.getByText('Pager', { exact: false }).first().waitFor();
    expect(await found.locator('tbody tr').count()).toBe(50);
    await admin.getByRole('button', { name: 'Load more' }).click();
    await eventually(async () => expect(await found.locator('tbody tr').count()).toBe(55));
    expect(await admin.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });

  it('Deliveries drawer: a re-read held past a newer one does not bring back the older state', async () => {
    const flaky = (await s.visitor()).chat as { id: string; ref: string };
    const sent = await s.upload(s.api(`/chats/${flaky.id}/files`), [{ name: 'flaky.pdf', data: pdf(1000, 'f') }], {
      cookie: s.owner,
    });
    expect(sent.status).toBe(201);
    const deliveryOf = async () =>
      (await s.asOwner('GET', s.api(`/deliveries?chatId=${flaky.id}`))).body.deliveries[0] as {
        id: string;
        status: string;
      };
    const { id } = await eventually(async () => {
      const d = await deliveryOf();
      expect(d?.status).toBe('dead');
      return d;
    });
    await admin.goto(`${s.url}/admin/#/deliveries`);
    await admin.getByLabel('Chat').fill(`#${flaky.ref}`);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.getByRole('button', { name: 'Details of Callback delivery of flaky.pdf' }).click();
    const drawer = admin.getByRole('dialog', { name: 'Delivery of flaky.pdf' });
    await drawer.getByText('Callback: dead').waitFor();

    // The drawer reads the delivery again after a "Re-send" while it is pending: the first re-read's answer (as the
    // server gave it then) is held until the state after a second re-send has been shown.
    type Detail = { delivery: { status: string }; attempts: unknown[] };
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstRead = (_: Detail) => {};
    const first = new Promise<Detail>((resolve) => {
      firstRead = resolve;
    });
    let reads = 0;
    const detail = (url: string | URL) => new URL(String(url)).pathname.endsWith(`/deliveries/${id}`);
    await admin.route(detail, async (route) => {
      if (route.request().method() !== 'GET' || ++reads > 1) return route.continue();
      const response = await route.fetch();
      firstRead(await response.json());
      await held;
      await route.fulfill({ response });
    });
    await drawer.getByRole('button', { name: 'Re-send to Callback' }).click();
    const one = await first;
    await eventually(async () => expect((await deliveryOf()).status).not.toBe('pending'));
    flakyFails = false;
    // The later re-reads show the failed attempt (dead again), so it can be re-sent; this time it succeeds.
    await drawer.getByRole('button', { name: 'Re-send to Callback' }).click();
    await eventually(async () => expect((await deliveryOf()).status).toBe('succeeded'));
    const two = (await s.asOwner('GET', s.api(`/deliveries/${id}`))).body as Detail;
    expect([two.delivery.status, two.attempts.length]).not.toEqual([one.delivery.status, one.attempts.length]);
    const rows = drawer.getByRole('table', { name: 'Attempts' }).locator('tbody tr');
    await drawer.getByText(`Callback: ${two.delivery.status}`).waitFor();
    await expect.poll(() => rows.count()).toBe(two.attempts.length);

    const lateAnswer = admin.waitForResponse((r) => detail(r.url()) && r.request().method() === 'GET');
    release();
    await (await lateAnswer).finished(); // the whole body has reached the page, not only the headers
    await admin.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve))); // React has applied it
    expect(await drawer.getByText(`Callback: ${two.delivery.status}`).count()).toBe(1);
    expect(await rows.count()).toBe(two.attempts.length);
    await admin.unroute(detail);
  });
});
