// Browser (issue 17): who is this? The name the bot collected titles the chat in the queue and the header and labels
// the visitor's messages; a waiting chat shows how long it has waited and its unread count; agents' messages carry
// their display name in the console and in the widget. axe-core runs on both screens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { newPage, openDemoWidget, screenshot, signIn, startBrowser, widgetFrame } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('visitor identity and agent names', () => {
  const s = useServer();
  let agent: Page;
  let visitor: Page;
  let widget: FrameLocator;

  beforeAll(async () => {
    ({ page: agent } = await newPage(browser!, { width: 1440, height: 860 }));
    ({ page: visitor } = await newPage(browser!));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("titles the chat with the visitor's name, with waiting time and unread count in the queue", async () => {
    await signIn(agent, s.url, 'console', s.admin);

    widget = await openDemoWidget(visitor, s.url);
    await widget.getByText("What's your name?").waitFor();
    await widget.getByRole('textbox', { name: 'Message' }).fill('Alice Example');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.getByRole('button', { name: 'Talk to an agent' }).click();

    await expect
      .poll(async () => (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats?status=waiting`)).body.chats)
      .toHaveLength(1);
    const chat = (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats?status=waiting`)).body.chats[0];
    expect(chat.visitor).toMatchObject({ name: 'Alice Example' });

    await agent.getByRole('tab', { name: /^Waiting/ }).click();
    // The row reads: reference, unread count, time, name, waiting time, last message.
    const row = agent.getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) }).first();
    await row.waitFor();
    await expect.poll(() => row.innerText()).toMatch(/Alice Example\s+Waiting (under 1 min|\d+ min)/);
    expect(await row.locator('.c-unread').textContent()).toMatch(/^\d+ unread$/);
    await expectNoSeriousViolations(agent, 'console queue with a named waiting chat');

    await row.click();
    await agent.getByRole('heading', { name: 'Alice Example' }).waitFor();
    await agent.locator('.c-chat__ref', { hasText: `Chat #${chat.ref}` }).waitFor();
    // The visitor's own messages are labelled with their name, not "Visitor".
    const log = agent.getByRole('log');
    await expect.poll(() => log.locator('.p-msg--visitor .p-msg__author').first().innerText()).toBe('Alice Example');
    await expect.poll(() => row.locator('.c-unread').count()).toBe(0);
  });

  it("shows the agent's display name on their messages, in the console and in the widget", async () => {
    const me = await s.asOwner('GET', '/api/auth/me');
    const name = me.body.user.name as string;
    expect(name).toBeTruthy();

    await agent.getByRole('button', { name: 'Take', exact: true }).click();
    await agent.getByRole('textbox', { name: 'Reply' }).fill('Hi Alice, how can I help?');
    await agent.getByRole('button', { name: 'Send', exact: true }).click();

    const mine = agent.getByRole('log').locator('.p-msg--agent', { hasText: 'Hi Alice, how can I help?' });
    await expect.poll(() => mine.locator('.p-msg__author').innerText()).toBe(name);
    const theirs = widget.getByRole('log').locator('.p-msg--agent', { hasText: 'Hi Alice, how can I help?' });
    await expect.poll(() => theirs.locator('.p-msg__author').innerText()).toBe(name);

    await expectNoSeriousViolations(agent, 'console chat with names');
    await expectNoSeriousViolations(await widgetFrame(visitor), 'widget with an agent name');
    await screenshot(agent, 'console-visitor-identity');
  });
});
