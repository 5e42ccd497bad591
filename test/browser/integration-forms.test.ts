// Browser (issue 17): integration forms. The callback's "Test connection" tries the URL in the form without saving
// it, a success clears the earlier error, Save then clears the failed test; "Send files to this URL" and "AWS S3 File
// Store" are positive switches that say On/Off. axe-core runs on both pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { answers, startReceiver, type Receiver } from '../support/receiver.js';
import { newPage, screenshot, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('integration forms', () => {
  const s = useServer();
  let receiver: Receiver;
  let admin: Page;
  const saved = async () => (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/integrations/callback`)).body;

  beforeAll(async () => {
    receiver = await startReceiver(() => undefined, answers.http500());
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
  });

  it('tests the form URL before saving; success clears the error, Save clears the failed test', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/integrations/callback`);
    const sending = admin.getByRole('switch', { name: 'Send files to this URL' });
    await sending.waitFor();
    expect(await sending.isChecked()).toBe(true);

    await admin.getByLabel('Callback URL').fill(receiver.url);
    await admin.getByRole('button', { name: 'Test connection' }).click();
    const notice = admin.locator('.p-notice[role="status"]');
    await expect.poll(() => notice.innerText()).toMatch(/500/);
    expect((await notice.innerText()).match(/HTTP 500/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(receiver.received.length).toBeGreaterThan(0);
    expect((await saved()).configured).toBe(false); // tested, not saved

    receiver.behave(answers.ok());
    await admin.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => notice.innerText()).toMatch(/answered successfully \(not saved yet: Save to use it\)/);
    expect((await saved()).configured).toBe(false);
    await expectNoSeriousViolations(admin, 'admin External CallBack after a test');

    // A failed test, then Save: only "Saved" stays.
    receiver.behave(answers.http500());
    await admin.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => notice.innerText()).toMatch(/500/);
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.locator('.a-savebar [role="status"]', { hasText: 'Saved' }).waitFor();
    await expect.poll(() => notice.count()).toBe(0);
    expect(await saved()).toMatchObject({ configured: true, url: receiver.url, disabled: false });

    // The switch says what it does: off = the reference's "Disable".
    await sending.uncheck();
    await expect.poll(() => admin.locator('.a-switch__state').first().innerText()).toBe('Off');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await saved()).disabled).toBe(true);
    await screenshot(admin, 'admin-callback');

    // The page says how answers are read, and carries the sample receiver the test suite runs for real.
    const answersSection = admin.getByRole('region', { name: 'How Parley reads your answer' });
    expect(await answersSection.innerText()).toMatch(/Any other 2xx[\s\S]*not sent again/);
    await answersSection.getByText('A sample receiver (Node.js 20+, no dependencies)').click();
    const code = answersSection.getByLabel('Sample receiver code');
    await code.waitFor();
    expect(await code.innerText()).toContain('return answer(res, 200, { status: 0, uid, url:');
    await expectNoSeriousViolations(admin, 'admin External CallBack with the sample receiver open');
  });

  it('shows each settings form only once its saved settings are in, so no early edit is overwritten', async () => {
    // Whether a switch ever shows On and then Off: S3 (never set up) and the callback (above) are saved off, so
    // neither form may show its default (On) first, even for one render.
    const watch = () => {
      const w = window as unknown as { __shownOn?: boolean };
      if (w.__shownOn !== undefined) return;
      w.__shownOn = false;
      new MutationObserver((records) => {
        for (const r of records)
          if ((r.target as Element).classList?.contains('a-switch__state') && r.oldValue?.includes('is-on'))
            w.__shownOn = true;
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['class'], attributeOldValue: true });
    };
    await admin.addInitScript(watch);
    await admin.evaluate(watch);
    for (const [hash, api, control] of [
      ['integrations/s3', '/integrations/s3', 'AWS S3 File Store'],
      ['integrations/callback', '/integrations/callback', 'Send files to this URL'],
    ] as const) {
      // Hold the settings' GET: until it answers, the page says Loading… and offers no control to change.
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const pattern = `**/api/workspaces/${s.workspaceId}${api}`;
      await admin.evaluate(() => {
        (window as unknown as { __shownOn?: boolean }).__shownOn = false;
      });
      await admin.route(pattern, async (route) => {
        if (route.request().method() === 'GET') await held;
        await route.continue();
      });
      await admin.goto(`${s.url}/admin/#/${hash}`);
      await admin.getByText('Loading…').waitFor();
      expect(await admin.getByRole('switch', { name: control }).count()).toBe(0);
      release();
      await admin.getByRole('switch', { name: control }).waitFor();
      expect(await admin.getByText('Loading…').count()).toBe(0);
      await admin.unroute(pattern);
      // Settled on the saved setting (both are saved off here), and never On before it.
      expect((await s.asOwner('GET', s.api(api))).body.disabled).toBe(true);
      await expect.poll(() => admin.getByRole('switch', { name: control }).isChecked()).toBe(false);
      expect(await admin.evaluate(() => (window as unknown as { __shownOn?: boolean }).__shownOn)).toBe(false);
    }
  });

  it('shows AWS S3 File Store as an On/Off switch', async () => {
    await admin.goto(`${s.url}/admin/#/integrations/s3`);
    const store = admin.getByRole('switch', { name: 'AWS S3 File Store' });
    await store.waitFor();
    await admin.getByText('Disable AWS S3 File Store', { exact: false }).waitFor(); // the reference's wording, as hint
    const state = admin.locator('.a-switch__state');
    const before = await store.isChecked();
    expect(await state.innerText()).toBe(before ? 'On' : 'Off');
    await store.click();
    await expect.poll(() => state.innerText()).toBe(before ? 'Off' : 'On');
    await expectNoSeriousViolations(admin, 'admin AWS S3');
  });
});
