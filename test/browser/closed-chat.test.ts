// Browser (issue 17): a closed chat stays with the visitor — history and files readable, after a reload too — with
// "Download transcript" and "Start a new conversation"; the agent confirms Close and can reopen the chat, unless the
// visitor has started a new one since. axe-core runs on the closed widget and the confirmation.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { pdf } from '../support/fixtures.js';
import {
  chooseFiles,
  newPage,
  openDemoWidget,
  screenshot,
  signIn,
  startBrowser,
  widgetFrame,
} from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('closed chats for visitors, confirm Close and Reopen for agents', () => {
  const s = useServer();
  let agent: Page;
  let visitor: Page;
  let widget: FrameLocator;
  let chat: { id: string; ref: string; status: string };

  const status = async () =>
    (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats/${chat.id}`)).body.chat.status;
  const closeInConsole = async () => {
    await agent.getByRole('button', { name: 'Close', exact: true }).click();
    const confirm = agent.getByRole('alertdialog');
    await confirm.getByText('Close this chat?').waitFor();
    await confirm.getByRole('button', { name: 'Close chat' }).click();
    await expect.poll(status).toBe('closed');
  };

  beforeAll(async () => {
    ({ page: agent } = await newPage(browser!, { width: 1440, height: 860 }));
    ({ page: visitor } = await newPage(browser!));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('asks the agent to confirm Close; the visitor keeps the history and files, after a reload too', async () => {
    widget = await openDemoWidget(visitor, s.url);
    await widget.getByRole('textbox', { name: 'Message' }).fill('I need the contract');
    await widget.getByRole('button', { name: 'Send', exact: true }).click();
    await widget.getByRole('log').getByText('I need the contract', { exact: true }).waitFor();

    await signIn(agent, s.url, 'console', s.admin);
    chat = (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats`)).body.chats[0];
    await agent.getByRole('tab', { name: new RegExp(`^${chat.status}`, 'i') }).click();
    await agent
      .getByRole('button', { name: new RegExp(`^Chat #${chat.ref}`) })
      .first()
      .click();
    await agent.getByRole('button', { name: 'Take', exact: true }).click();
    await chooseFiles(agent, agent.getByRole('button', { name: 'Attach files' }), [
      { name: 'contract.pdf', mimeType: 'application/pdf', buffer: pdf(4000, 'contract') },
    ]);
    await agent.getByRole('textbox', { name: 'Reply' }).fill('Here it is');
    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    await widget.getByRole('link', { name: 'Download contract.pdf' }).waitFor();
    await widget.getByRole('log').getByText('Here it is', { exact: true }).waitFor();

    // Close asks first; Cancel keeps the chat open.
    await agent.getByRole('button', { name: 'Close', exact: true }).click();
    const confirm = agent.getByRole('alertdialog');
    await confirm.getByText('Close this chat?').waitFor();
    await expectNoSeriousViolations(agent, 'console Close confirmation');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' }); // the dialog is gone, so Cancel has been handled
    expect(await status()).toBe('open');
    await closeInConsole();

    const closed = widget.getByRole('region', { name: 'Conversation closed' });
    await closed.waitFor();
    expect(await widget.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    await widget.getByRole('log').getByText('Here it is', { exact: true }).waitFor();
    await expectNoSeriousViolations(await widgetFrame(visitor), 'widget with a closed chat');
    await screenshot(visitor, 'widget-closed-chat');

    // A reload finds the same closed chat, not a new empty one.
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Open chat' }).click();
    widget = visitor.frameLocator('iframe[title="Parley chat"]');
    await widget.getByRole('region', { name: 'Conversation closed' }).waitFor();
    await widget.getByRole('log').getByText('I need the contract', { exact: true }).waitFor();
    await widget.getByRole('link', { name: 'Download contract.pdf' }).waitFor();
    const chats = (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats`)).body.chats;
    expect(chats).toHaveLength(1);
  });

  it('downloads a transcript with the messages and the files list', async () => {
    const [download] = await Promise.all([
      visitor.waitForEvent('download'),
      widget.getByRole('button', { name: 'Download transcript' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`chat-${chat.ref}.txt`);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(text).toContain(`Conversation #${chat.ref}`);
    expect(text).toMatch(/Visitor: I need the contract/);
    expect(text).toMatch(/: Here it is/);
    expect(text).toMatch(/Files:\n- contract\.pdf, [\d.]+ KB, /);
  });

  it('lets the agent reopen the chat; the visitor can write again', async () => {
    await agent.getByRole('button', { name: 'Reopen' }).click();
    await expect.poll(status).toBe('open');
    const box = widget.getByRole('textbox', { name: 'Message' });
    await box.waitFor();
    await box.fill('Thanks, one more question');
    await widget.getByRole('button', { name: 'Send', exact: true }).click();
    await agent.getByRole('log').getByText('Thanks, one more question', { exact: true }).waitFor();
  });

  it('starts a new conversation on request; the old one can no longer be reopened', async () => {
    await closeInConsole();
    await widget.getByRole('button', { name: 'Start a new conversation' }).click();
    const box = widget.getByRole('textbox', { name: 'Message' });
    await box.waitFor();
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await widget.getByRole('log').getByText('Here it is', { exact: true }).count()).toBe(0);
    await expect
      .poll(async () => (await s.asOwner('GET', `/api/workspaces/${s.workspaceId}/chats`)).body.chats.length)
      .toBe(2);

    await agent.getByRole('button', { name: 'Reopen' }).click();
    await agent.getByRole('alert').getByText('The visitor has started a new conversation since').waitFor();
    expect(await status()).toBe('closed');
  });
});
