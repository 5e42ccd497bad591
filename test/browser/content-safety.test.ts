// Browser (issues 15 and 17): Settings → Content safety. The admin finds "Remove location and camera data from
// photos" (on by default) and the scanner-outage policy in the sidebar, is told when this server does not scan at all,
// saves both, and the next photo keeps its metadata once removal is off. axe-core runs on the page.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { upload, widgetSession } from '../support/client.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('content safety settings', () => {
  const s = useServer();
  let admin: Page;

  beforeAll(async () => {
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows, saves and applies photo metadata removal and the scanner-outage policy', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/settings/file-upload`);
    await admin
      .getByRole('navigation', { name: 'Admin sections' })
      .getByRole('link', { name: 'Content safety' })
      .click();
    await admin.getByRole('heading', { name: 'Content safety', level: 1 }).waitFor();
    const strip = admin.getByRole('switch', { name: 'Remove location and camera data from photos' });
    await admin.getByText('This server does not scan files').waitFor(); // the saved settings have arrived
    await expect.poll(() => strip.isChecked()).toBe(true);
    await expect.poll(() => admin.getByRole('radio', { name: /^Refuse uploads/ }).isChecked()).toBe(true);

    await strip.uncheck();
    await admin.getByRole('radio', { name: /^Accept them/ }).check();
    await admin.getByText('You have unsaved changes.').waitFor();
    await expectNoSeriousViolations(admin, 'admin Content safety with unsaved changes');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.locator('.a-savebar [role="status"]', { hasText: 'Saved' }).waitFor();
    const saved = (await s.asOwner('GET', s.api('/settings/content-safety'))).body;
    expect(saved).toMatchObject({ stripPhotoMetadata: false, whenScannerDown: 'accept', scannerConfigured: false });

    // Whether the form ever shows the switch On after the reload (the default) before the saved Off.
    await admin.addInitScript(() => {
      const w = window as unknown as { __shownOn?: boolean };
      w.__shownOn = false;
      new MutationObserver((records) => {
        for (const r of records)
          if ((r.target as Element).classList?.contains('a-switch__state') && r.oldValue?.includes('is-on'))
            w.__shownOn = true;
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['class'], attributeOldValue: true });
    });
    await admin.reload();
    await admin.getByRole('heading', { name: 'Content safety', level: 1 }).waitFor();
    // The form is filled from the saved settings once they arrive: wait for them, not the heading.
    await expect.poll(() => strip.isChecked()).toBe(false);
    await expect.poll(() => admin.getByRole('radio', { name: /^Accept them/ }).isChecked()).toBe(true);
    // The form shows only once it holds the saved settings: never the defaults first, even for one render.
    expect(await admin.evaluate(() => (window as unknown as { __shownOn?: boolean }).__shownOn)).toBe(false);

    // The next photo is stored as sent.
    await s.asOwner('PUT', s.api('/settings/file-upload'), { visitorAllowedTypes: 'jpg' });
    const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'SpyCam' } })
      .toBuffer();
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'kept.jpg', data: photo }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(201);
    const stored = Buffer.from(await (await fetch(s.url + r.body.files[0].url)).arrayBuffer());
    expect(stored.includes('SpyCam')).toBe(true);
  });
});
