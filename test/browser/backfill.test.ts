// Browser (issue 17): "Forward earlier files" on the External CallBack page. Files that arrived before the callback
// was set up are forwarded once, on the admin's click; the button waits until the settings are saved with sending on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { pdf } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';

const browser = await startBrowser();

describe.skipIf(!browser)('forwarding earlier files', () => {
  const s = useServer();
  let admin: Page;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver(() => undefined);
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
  });

  it('forwards the files stored before the callback existed, once', async () => {
    const chat = (await s.visitor()).chat as { id: string };
    const names = ['before-1.pdf', 'before-2.pdf', 'before-3.pdf'];
    const r = await s.upload(
      s.api(`/chats/${chat.id}/files`),
      names.map((name) => ({ name, data: pdf(1000, name) })),
      { cookie: s.owner },
    );
    expect(r.status).toBe(201);

    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/integrations/callback`);
    const forward = admin.getByRole('button', { name: 'Forward earlier files' });
    await forward.waitFor();
    await admin.getByText('Save the settings with sending on first.').waitFor();
    expect(await forward.isDisabled()).toBe(true);

    await admin.getByLabel('Callback URL').fill(receiver.url);
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.locator('.a-savebar [role="status"]', { hasText: 'Saved' }).first().waitFor();
    await expect.poll(() => forward.isEnabled()).toBe(true);
    await forward.click();
    await admin.getByText('3 files queued.').waitFor();
    await receiver.waitFor((all) => names.every((n) => all.some((x) => x.file?.name === n)), 30_000);

    await forward.click();
    await admin.getByText('Nothing to forward: every file has been sent.').waitFor();
    expect(receiver.received.filter((x) => names.includes(x.file?.name ?? ''))).toHaveLength(3);
  });
});
