// Browser (issue 17): an admin invites a member and sees the one-time link; the invitee accepts it and lands in the
// console; everyone changes their own password; the short chat reference in List File opens the chat in the console;
// axe-core finds no serious or critical violation on these screens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { addMember, call, login, upload, widgetSession } from '../support/client.js';
import { pdf } from '../support/fixtures.js';
import { newPage, screenshot, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('members, passwords and chat references in the browser', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('invites a member with a one-time link they accept, then they change their password', async () => {
    const { page: admin } = await newPage(browser!);
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/members`);
    await admin.getByLabel('Email').fill('newcomer@example.test');
    await admin.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await admin.getByTestId('invitation-link').innerText()).trim();
    // The link works as given (it named port 0 when the server was started with PORT=0).
    expect(link.startsWith(`${s.url}/console/#invite=inv_`)).toBe(true);
    await expect.poll(() => admin.getByText('Invited', { exact: false }).count()).toBeGreaterThan(0);
    await expectNoSeriousViolations(admin, 'admin Members');
    await screenshot(admin, 'admin-members-invitation');

    const { page: invitee } = await newPage(browser!);
    await invitee.goto(link);
    await invitee.getByText('You are invited to').waitFor();
    await invitee.getByLabel('Your name').fill('Nina Newcomer');
    await invitee.getByLabel('Choose a password').fill('nina-password');
    await expectNoSeriousViolations(invitee, 'invitation page');
    await invitee.getByRole('button', { name: 'Accept and sign in' }).click();
    await invitee.getByRole('button', { name: 'Sign out' }).waitFor();
    await expect.poll(() => invitee.locator('.c-top__user').innerText()).toBe('Nina Newcomer');

    await invitee.getByRole('button', { name: 'Password', exact: true }).click();
    const form = invitee.getByRole('form', { name: 'Change your password' });
    await form.getByLabel('Current password').fill('wrong-password');
    await form.getByLabel('New password (at least 8 characters)').fill('nina-new-password');
    await form.getByLabel('New password again').fill('nina-new-password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('This is not your current password').waitFor();
    await form.getByLabel('Current password').fill('nina-password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('Password changed').waitFor();
    await expectNoSeriousViolations(invitee, 'console with the password form');
    await login(s.url, 'newcomer@example.test', 'nina-new-password');

    // The link was one-time.
    const again = await newPage(browser!);
    await again.page.goto(link);
    await again.page.getByText('already used').waitFor();
    await Promise.all([admin.context().close(), invitee.context().close(), again.context.close()]);
  });

  it('changes the admin password from the admin', async () => {
    const cookie = await login(s.url, s.admin.email, s.admin.password);
    const { page } = await newPage(browser!);
    await signIn(page, s.url, 'admin', s.admin);
    await page.goto(`${s.url}/admin/#/account/password`);
    await page.getByLabel('Current password').fill(s.admin.password);
    await page.getByLabel('New password (at least 8 characters)').fill('another owner password');
    await page.getByLabel('New password again').fill('another owner password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    // The API session opened before is signed out; the admin page stays signed in.
    expect((await call(s.url, 'GET', '/api/auth/me', { cookie })).status).toBe(401);
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await call(s.url, 'PUT', '/api/auth/password', {
      cookie: await login(s.url, s.admin.email, 'another owner password'),
      body: { currentPassword: 'another owner password', newPassword: s.admin.password },
    });
    await page.context().close();
  });

  it('shows the instance owner as Owner to another admin, with no Remove or role change on that row', async () => {
    const owner = await login(s.url, s.admin.email, s.admin.password);
    const admin = { email: 'second-admin@example.test', password: 'second admin password' };
    await addMember(s.url, owner, s.workspaceId, { ...admin, role: 'admin' });
    await addMember(s.url, owner, s.workspaceId, {
      email: 'plain-agent@example.test',
      password: 'agent pw 1',
      role: 'agent',
    });
    const { page } = await newPage(browser!);
    await signIn(page, s.url, 'admin', admin);
    await page.goto(`${s.url}/admin/#/members`);
    // Another member's row keeps both controls (and the list has loaded).
    await page.getByRole('button', { name: 'Remove plain-agent@example.test' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Role of plain-agent@example.test' }).count()).toBe(1);
    const ownerRow = page.getByRole('row').filter({ hasText: s.admin.email });
    expect(await ownerRow.getByRole('cell').nth(2).innerText()).toBe('Owner');
    expect(await ownerRow.getByRole('button').count()).toBe(0);
    expect(await ownerRow.getByRole('combobox').count()).toBe(0);
    await expectNoSeriousViolations(page, 'admin Members seen by a second admin');
    await page.context().close();
  });

  it('shows the same short reference in List File and the console, and the reference opens the chat', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const ref = (v.chat as { ref?: string }).ref!;
    const up = await upload(s.url, '/api/widget/chat/files', [{ name: 'ref-check.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    expect(up.status).toBe(201);
    const { page } = await newPage(browser!);
    await signIn(page, s.url, 'admin', s.admin);
    await page.goto(`${s.url}/admin/#/files`);
    const refLink = page.getByRole('link', { name: `#${ref}` });
    await refLink.waitFor();
    await expectNoSeriousViolations(page, 'admin List File');
    await refLink.click();
    await page.waitForURL(/\/console\//);
    await page.getByRole('heading', { name: `Chat #${ref}` }).waitFor();
    expect(page.url()).toContain(`chat=${ref}`);
    await expectNoSeriousViolations(page, 'console chat');
    await page.context().close();
  });
});
