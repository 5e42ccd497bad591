// Browser: malware scanning as people see it. A visitor's file larger than clamd's stream limit is held ("Checking …
// for viruses…" for the uploader only), then quarantined: both the widget and the console show "File blocked: it
// contains malware" with no download, and List File shows the signature with Release, which an admin confirms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { call, login } from '../support/client.js';
import { pdf } from '../support/fixtures.js';
import { CLAMD_BINARY, MARKER_SIGNATURE, TEST_MARKER, startClamd, type Clamd } from '../support/clamd.js';
import { chooseFiles, newPage, openDemoWidget, screenshot, signIn, startBrowser } from '../support/browser.js';

const browser = await startBrowser();
const STREAM_MAX_KB = 64;
const canScan = Boolean(CLAMD_BINARY || process.env.CI);

let clamd: Clamd | undefined;
beforeAll(async () => {
  if (browser && canScan) clamd = await startClamd({ maxStreamKb: STREAM_MAX_KB });
}, 60_000);
afterAll(async () => {
  await clamd?.close();
});

describe.skipIf(!browser || !canScan)('quarantine in the browser', () => {
  const s = useServer(() => ({
    env: { PARLEY_CLAMAV: clamd!.address, PARLEY_CLAMAV_STREAM_MAX_KB: String(STREAM_MAX_KB) },
  }));
  let visitor: Page;
  let agent: Page;

  beforeAll(async () => {
    ({ page: visitor } = await newPage(browser!));
    ({ page: agent } = await newPage(browser!, { width: 1440, height: 860 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('blocks an infected file for both sides; an admin releases it from List File after confirming', async () => {
    const infected = pdf(STREAM_MAX_KB * 1024 * 3, 'q');
    TEST_MARKER.copy(infected, infected.length - 4000);

    const widget = await openDemoWidget(visitor, s.url);
    await widget.getByRole('textbox', { name: 'Message' }).fill('Here is my statement');
    await widget.getByRole('button', { name: 'Send' }).click();
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [
      { name: 'statement.pdf', mimeType: 'application/pdf', buffer: infected },
    ]);
    // Held, then quarantined by the scan job: the visitor never gets a download link.
    await widget.getByText('File blocked: it contains malware').waitFor();
    await widget.getByText('statement.pdf is blocked (malware)').waitFor();
    expect(await widget.getByRole('link', { name: 'Download statement.pdf' }).count()).toBe(0);
    await screenshot(visitor, 'widget-file-blocked');

    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const chat = (await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats`, { cookie })).body.chats[0];
    await signIn(agent, s.url, 'console', s.admin);
    // The chat's tab, from its status (a tab's list arrives after the click: counting its items at once misses it).
    await agent.getByRole('tab', { name: new RegExp(`^${chat.status}`, 'i') }).click();
    await agent
      .getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) })
      .first()
      .click();
    await agent.getByRole('log').getByText('File blocked: it contains malware').waitFor();
    await agent.getByRole('log').getByText('statement.pdf is blocked (malware)').waitFor();
    expect(await agent.getByRole('log').getByRole('link', { name: 'Download statement.pdf' }).count()).toBe(0);

    // List File: the signature, no download link, and Release behind a confirmation.
    await agent.goto(`${s.url}/admin/`); // the console's session is the admin's too
    await agent.getByRole('link', { name: 'List File' }).click();
    const row = agent.locator('tr', { hasText: 'statement.pdf' });
    await row.getByText(`Blocked: ${MARKER_SIGNATURE}`).waitFor();
    expect(await row.getByRole('link', { name: 'statement.pdf' }).count()).toBe(0);
    await screenshot(agent, 'admin-list-file-blocked');
    await row.getByRole('button', { name: 'Release statement.pdf' }).click();
    await row
      .getByRole('group', { name: 'Confirm releasing statement.pdf' })
      .getByRole('button', { name: 'Yes, release' })
      .click();
    await row.getByRole('link', { name: 'statement.pdf' }).waitFor();
    expect(await row.getByText(/^Blocked:/).count()).toBe(0);

    // Released: the visitor's chat offers the file now.
    await widget.getByRole('link', { name: 'Download statement.pdf' }).waitFor();
  });
});
