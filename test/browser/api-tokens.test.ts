// Browser (issue 17): Workspace → API tokens. An admin creates a named token and sees it once (it works as a Bearer
// token against the API), the list shows its name and "Never" used, then when it was used; Revoke asks, and a revoked
// token is refused. axe-core runs on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { call } from '../support/client.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('API tokens page', () => {
  const s = useServer();
  let admin: Page;

  beforeAll(async () => {
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('creates a token shown once, lists it without its secret, and revokes it after confirming', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/members`);
    await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'API tokens' }).click();
    await admin.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await admin.getByText('No API tokens yet.').waitFor();

    await admin.getByLabel('Name').fill('CRM sync');
    await admin.getByRole('button', { name: 'Create token' }).click();
    const shown = admin.getByRole('status', { name: 'New API token' });
    await shown.waitFor();
    const token = (await shown.getByLabel('Token').textContent())!.trim();
    expect(token.length).toBeGreaterThan(20);
    const table = admin.getByRole('table', { name: 'API tokens' });
    const row = table.getByRole('row', { name: /CRM sync/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Never');
    expect(await table.textContent()).not.toContain(token);
    await expectNoSeriousViolations(admin, 'admin API tokens with a new token');

    // It works, and the list then says when it was used.
    const used = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/files`, { token });
    expect(used.status).toBe(200);
    await admin.reload();
    await table.getByRole('row', { name: /CRM sync/ }).waitFor();
    expect(await admin.getByRole('status', { name: 'New API token' }).count()).toBe(0); // shown once
    await expect.poll(async () => (await row.textContent())?.includes('Never')).toBe(false);

    await admin.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await admin
      .getByRole('group', { name: 'Confirm revoking CRM sync' })
      .getByRole('button', { name: 'Yes, revoke' })
      .click();
    await admin.getByText('No API tokens yet.').waitFor();
    const refused = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/files`, { token });
    expect(refused.status).toBe(401);
  });
});
