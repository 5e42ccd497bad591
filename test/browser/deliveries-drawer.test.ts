// Browser (issue 17): the admin's Deliveries page filters by status, kind and chat reference, shows file names and
// kinds, and a file name opens a drawer with the delivery's attempt log (GET …/deliveries/:id): a receiver that
// answered HTTP 500 and then took the file after "Re-send" shows both attempts. axe-core runs with the drawer open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { upload, widgetSession } from '../support/client.js';
import { pdf } from '../support/fixtures.js';
import { eventually } from '../support/eventually.js';
import { answers, startReceiver, type Receiver } from '../support/receiver.js';
import { newPage, screenshot, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('deliveries: filters and the attempt drawer', () => {
  const s = useServer();
  let receiver: Receiver;
  let admin: Page;
  let ref: string;
  let otherRef: string;

  const log = async (q: string) =>
    (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/deliveries${q}`)).body.deliveries as {
      id: string;
      status: string;
      attempts: number;
    }[];

  beforeAll(async () => {
    receiver = await startReceiver(() => undefined, answers.http500());
    const saved = await s.asOwner('PUT', `/api/workspaces/${s.workspaceId}/integrations/callback`, {
      url: receiver.url,
      disabled: false,
    });
    expect(saved.status).toBe(200);
    for (const name of ['contract.pdf', 'other.pdf']) {
      const v = await widgetSession(s.url, s.widgetKey);
      const r = await upload(s.url, '/api/widget/chat/files', [{ name, data: pdf(3000, name) }], {
        token: v.visitorToken,
      });
      expect(r.status).toBe(201);
      if (name === 'contract.pdf') ref = (v.chat as { ref: string }).ref;
      else otherRef = (v.chat as { ref: string }).ref;
    }
    await eventually(async () => expect(await log('?status=failed')).toHaveLength(2), { timeoutMs: 15_000 });
    ({ page: admin } = await newPage(browser!, { width: 1440, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
  });

  it('filters by status, kind and chat reference', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/deliveries`);
    const table = admin.getByRole('table', { name: 'Deliveries' });
    await table.getByRole('button', { name: 'Details of Callback delivery of contract.pdf' }).waitFor();
    await table.getByRole('button', { name: 'Details of Callback delivery of other.pdf' }).waitFor();

    await admin.getByLabel('Kind').selectOption('s3');
    await table.getByText('No deliveries.').waitFor();
    await admin.getByLabel('Kind').selectOption('callback');
    await expect.poll(() => table.getByRole('button', { name: /^Details of / }).count()).toBe(2);
    // The receiver has answered 500 so far: nothing succeeded.
    await admin.getByLabel('Status').selectOption('succeeded');
    await table.getByText('No deliveries.').waitFor();
    await admin.getByLabel('Status').selectOption('');

    await admin.getByLabel('Chat').fill(`#${ref}`);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => table.getByRole('button', { name: /^Details of / }).count()).toBe(1);
    await table.getByRole('button', { name: 'Details of Callback delivery of contract.pdf' }).waitFor();
    expect(await table.getByText('other.pdf').count()).toBe(0);
    expect(otherRef).not.toBe(ref);
  });

  it('opens a drawer with the attempt log; a re-send that succeeds adds its attempt', async () => {
    await admin.getByRole('button', { name: 'Details of Callback delivery of contract.pdf' }).click();
    const drawer = admin.getByRole('dialog', { name: 'Delivery of contract.pdf' });
    const attempts = drawer.getByRole('table', { name: 'Attempts' });
    await expect.poll(() => attempts.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    const first = await attempts.locator('tbody tr').first().innerText();
    expect(first).toMatch(/failed/);
    expect(first).toMatch(/500/);
    await drawer.getByRole('link', { name: `#${ref}` }).waitFor();
    await expectNoSeriousViolations(admin, 'admin Deliveries with the drawer open');
    await screenshot(admin, 'admin-delivery-drawer');

    receiver.behave(answers.ok());
    const before = await attempts.locator('tbody tr').count();
    await drawer.getByRole('button', { name: 'Re-send to Callback' }).click();
    await expect.poll(async () => (await log(`?chatId=${ref}`))[0]?.status, { timeout: 15_000 }).toBe('succeeded');
    // The drawer reads the log again after a re-send; closing and opening it shows the newest state too.
    await drawer.getByRole('button', { name: 'Close' }).click();
    await admin.getByRole('button', { name: 'Details of Callback delivery of contract.pdf' }).click();
    await expect.poll(() => attempts.locator('tbody tr').count()).toBeGreaterThan(before);
    await expect.poll(() => attempts.locator('tbody tr').last().innerText()).toMatch(/succeeded/);
    await drawer.getByText('uid-', { exact: false }).first().waitFor();
    await admin.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
  });

  it('shows the state the re-send answered at once, with the button disabled while it is under way', async () => {
    receiver.behave(answers.http500());
    const v = await widgetSession(s.url, s.widgetKey);
    const up = await upload(s.url, '/api/widget/chat/files', [{ name: 'resend.pdf', data: pdf(2000, 'r') }], {
      token: v.visitorToken,
    });
    expect(up.status).toBe(201);
    const chatRef = (v.chat as { ref: string }).ref;
    await eventually(async () => expect((await log(`?chatId=${chatRef}`))[0]?.status).toBe('failed'), {
      timeoutMs: 15_000,
    });
    await admin.goto(`${s.url}/admin/#/deliveries`);
    await admin.getByLabel('Chat').fill(`#${chatRef}`);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.getByRole('button', { name: 'Details of Callback delivery of resend.pdf' }).click();
    const drawer = admin.getByRole('dialog', { name: 'Delivery of resend.pdf' });
    await drawer.getByText('Callback: failed').waitFor();

    // The re-send is held until the button has been seen disabled; every re-read of the drawer is held throughout,
    // so what it shows next can only come from the re-send's answer.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const retry = (url: URL) => url.pathname.endsWith('/retry');
    const detail = (url: URL) => /\/deliveries\/[^/]+$/.test(url.pathname);
    const matches = (url: string | URL) => retry(new URL(String(url))) || detail(new URL(String(url)));
    let unheld = () => {};
    const rereadsHeld = new Promise<void>((resolve) => {
      unheld = resolve;
    });
    await admin.route(matches, async (route) => {
      if (retry(new URL(route.request().url()))) await held;
      else await rereadsHeld;
      await route.continue();
    });
    const answered = admin.waitForResponse((r) => retry(new URL(r.url())));
    await drawer.getByRole('button', { name: 'Re-send to Callback' }).click();
    const button = drawer.getByRole('button', { name: 'Re-send to Callback' });
    await expect.poll(() => button.isDisabled()).toBe(true);
    expect(await button.innerText()).toBe('Re-sending…');
    release();
    const answer = await (await answered).json();
    expect(answer.delivery.status).toBe('pending');
    await drawer.getByText('Callback: pending').waitFor();
    expect(await drawer.getByText('Callback: failed').count()).toBe(0);
    expect(await button.count()).toBe(0); // nothing to re-send while it is pending
    unheld();
    await admin.unroute(matches);
    await admin.keyboard.press('Escape');
  });

  it('answers a re-send with the state the re-send set, even when the worker has already sent it again', async () => {
    // The drawer shows what the re-send answered; a worker quicker than the answer must not change that answer.
    receiver.behave(answers.http500());
    const v = await widgetSession(s.url, s.widgetKey);
    const up = await upload(s.url, '/api/widget/chat/files', [{ name: 'quick.pdf', data: pdf(2000, 'k') }], {
      token: v.visitorToken,
    });
    expect(up.status).toBe(201);
    const chatRef = (v.chat as { ref: string }).ref;
    const failed = await eventually(
      async () => {
        const [d] = await log(`?chatId=${chatRef}`);
        expect(d?.status).toBe('failed');
        return d!;
      },
      { timeoutMs: 15_000 },
    );
    // The worker woken by the re-send finishes its attempt before the route goes on.
    const events = s.parley.deps.events;
    const emit = events.emit;
    events.emit = (async (name: string, payload: unknown) => {
      await (emit as (n: string, p: unknown) => Promise<void>).call(events, name, payload);
      if (name !== 'deliveries.queued') return;
      await eventually(async () => expect((await log(`?chatId=${chatRef}`))[0]?.status).not.toBe('pending'), {
        timeoutMs: 15_000,
      });
    }) as typeof emit;
    try {
      const r = await s.asOwner('POST', `/api/workspaces/${s.workspaceId}/deliveries/${failed.id}/retry`, {});
      expect(r.status).toBe(202);
      expect(r.body.delivery.status).toBe('pending');
    } finally {
      events.emit = emit;
    }
  });
});
