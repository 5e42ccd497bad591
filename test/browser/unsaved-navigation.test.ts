// Browser (issue 17): unsaved changes in an admin form are not lost by moving to another section. A sidebar link (or
// Back) with unsaved changes asks "Leave this page and lose them?" (the browser's own confirm dialog): Cancel keeps
// the page, its values and its address; OK moves on. Without changes, or once saved, nothing asks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialog, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';

const browser = await startBrowser();

describe.skipIf(!browser)('unsaved changes and in-app navigation', () => {
  const s = useServer();
  let admin: Page;
  const asked: string[] = [];
  let answered = 0;
  let answer: 'accept' | 'dismiss' = 'dismiss';

  beforeAll(async () => {
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 900 }));
    admin.on('dialog', (d: Dialog) => {
      asked.push(`${d.type()}: ${d.message()}`);
      // `answered` counts the dialogs the page has had its answer to: what it did next can be checked from then on.
      (answer === 'accept' ? d.accept() : d.dismiss()).then(
        () => answered++,
        () => undefined,
      );
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const sidebar = (name: string) =>
    admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name });

  it('asks before a sidebar link or Back leaves a form with unsaved changes; Cancel keeps it all', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/settings/file-upload`);
    const size = admin.getByLabel('Maximum File Size');
    await size.waitFor();

    // No changes: the link just goes.
    await sidebar('List File').click();
    await admin.getByRole('heading', { name: 'List File' }).waitFor();
    expect(asked).toEqual([]);
    await sidebar('File upload configuration').click();
    await size.waitFor();

    await size.fill('512');
    await admin.getByText('You have unsaved changes.').waitFor();
    answer = 'dismiss';
    await sidebar('List File').click();
    await expect.poll(() => answered).toBe(1);
    expect(asked[0]).toBe('confirm: You have unsaved changes. Leave this page and lose them?');
    // Still here, with the value typed and the address of this page.
    expect(await size.inputValue()).toBe('512');
    await expect.poll(() => new URL(admin.url()).hash).toBe('#/settings/file-upload');
    expect(await admin.getByRole('heading', { name: 'List File' }).count()).toBe(0);
    expect(await sidebar('File upload configuration').getAttribute('aria-current')).toBe('page');

    // Back (to List File, visited before) asks too.
    await admin.goBack();
    await expect.poll(() => answered).toBe(2);
    expect(await size.inputValue()).toBe('512');

    // OK leaves; the unsaved value is gone, as the question said.
    answer = 'accept';
    await sidebar('Retention').click();
    await expect.poll(() => answered).toBe(3);
    await expect.poll(() => new URL(admin.url()).hash).toBe('#/retention');
    await expect.poll(() => size.count()).toBe(0);
  });

  it('does not ask once the changes are saved', async () => {
    await sidebar('File upload configuration').click();
    const size = admin.getByLabel('Maximum File Size');
    await size.waitFor();
    const before = asked.length;
    await size.fill('1024');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.locator('.a-savebar [role="status"]', { hasText: 'Saved' }).waitFor();
    await sidebar('List File').click();
    await admin.getByRole('heading', { name: 'List File' }).waitFor();
    expect(asked.length).toBe(before);
  });

  it('asks on the integration forms too (External CallBack, AWS S3)', async () => {
    await sidebar('External CallBack').click();
    const url = admin.getByLabel('Callback URL');
    await url.waitFor();
    const before = asked.length;
    await url.fill('https://receiver.example/parley');
    answer = 'dismiss';
    await sidebar('AWS S3').click();
    await expect.poll(() => answered).toBe(before + 1);
    expect(await url.inputValue()).toBe('https://receiver.example/parley');
    expect(new URL(admin.url()).hash).toBe('#/integrations/callback');

    answer = 'accept';
    await sidebar('AWS S3').click();
    await expect.poll(() => new URL(admin.url()).hash).toBe('#/integrations/s3');
    const bucket = admin.getByLabel('Bucket Name');
    await bucket.waitFor();
    const onS3 = asked.length;
    await bucket.fill('my-bucket');
    answer = 'dismiss';
    await sidebar('Deliveries').click();
    await expect.poll(() => answered).toBe(onS3 + 1);
    expect(await bucket.inputValue()).toBe('my-bucket');
  });
});
