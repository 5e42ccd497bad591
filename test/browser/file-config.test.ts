// Browser (issue 17): File upload configuration. Sizes are in KB with the MB shown beside; types typed as "pdf, PNG" or
// ".pdf|.PNG" are saved as "pdf|png"; unsaved changes are announced until saved. axe-core runs on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { newPage, screenshot, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('file upload configuration', () => {
  const s = useServer();
  let admin: Page;

  beforeAll(async () => {
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows MB beside KB, normalises typed types and warns about unsaved changes', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/settings/file-upload`);
    const size = admin.getByLabel('Maximum File Size');
    await size.waitFor();
    const unsaved = admin.getByText('You have unsaved changes.');
    expect(await unsaved.count()).toBe(0);

    await size.fill('2048');
    await admin.locator('output.a-mb', { hasText: '= 2 MB' }).waitFor();
    await size.fill('512');
    await admin.locator('output.a-mb', { hasText: '= 0.5 MB' }).waitFor();
    await admin.getByLabel('Allowed files types for users').fill('pdf, PNG');
    await admin.getByLabel('Allowed files types for Operator').fill('.pdf|.PNG');
    await unsaved.waitFor();
    await expectNoSeriousViolations(admin, 'admin File upload configuration with unsaved changes');
    await screenshot(admin, 'admin-file-upload-config');

    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.locator('.a-savebar [role="status"]', { hasText: 'Saved' }).waitFor();
    await expect.poll(() => admin.getByLabel('Allowed files types for users').inputValue()).toBe('pdf|png');
    expect(await admin.getByLabel('Allowed files types for Operator').inputValue()).toBe('pdf|png');
    await expect.poll(() => unsaved.count()).toBe(0);
    const saved = (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/settings/file-upload`)).body;
    expect(saved).toMatchObject({ visitorAllowedTypes: 'pdf|png', agentAllowedTypes: 'pdf|png', maxFileSizeKb: 512 });
  });
});
