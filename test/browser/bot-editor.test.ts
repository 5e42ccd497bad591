// Browser (issue 17 item 6): the bot editor. Each card says which steps lead to it and where it goes; removing a step
// that others lead to asks first (and clears the links); 422 fields are named with the cards' numbers (from 1); the
// preview is a dry run of the draft, followed button by button, that creates no chat. axe-core runs on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { holdGets, newPage, recordTextsReplaced, screenshot, signIn, startBrowser } from '../support/browser.js';
import { expectNoSeriousViolations } from '../support/axe.js';

const browser = await startBrowser();

describe.skipIf(!browser)('bot editor', () => {
  const s = useServer();
  let admin: Page;
  const card = (n: number, id: string) => admin.getByRole('listitem', { name: `Step ${n}: ${id}` });

  beforeAll(async () => {
    ({ page: admin } = await newPage(browser!, { width: 1280, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows links between steps, asks before removing a step others lead to, and numbers errors from 1', async () => {
    await signIn(admin, s.url, 'admin', s.admin);
    await admin.goto(`${s.url}/admin/#/bot`);
    // The default flow: greet → ask-name → ask-choice → (handoff | ask-document → handoff).
    await card(3, 'ask-choice').waitFor();
    expect(await card(1, 'greet').locator('.a-step__links').innerText()).toMatch(/start.*goes to\s+step 2 · ask-name/s);
    expect(await card(5, 'handoff').locator('.a-step__links').innerText()).toMatch(
      /Reached from\s+step 3 · ask-choice\s+step 4 · ask-document/,
    );
    await expectNoSeriousViolations(admin, 'admin bot editor');

    // The name question expects a name (an answer that is surely not one is asked again once); the admin words it.
    const askName = card(2, 'ask-name');
    expect(await askName.getByLabel('Expected answer').inputValue()).toBe('name');
    await askName.getByLabel('Asked again with').fill('And what shall I call you?');
    await admin.getByRole('button', { name: 'Validate/Save draft' }).click();
    await expect
      .poll(async () => (await s.asOwner('GET', s.api('/bot'))).body.draft.steps[1])
      .toMatchObject({ id: 'ask-name', expect: 'name', retryText: 'And what shall I call you?' });

    // Declining keeps the step; accepting removes it and clears the links to it.
    const asked: string[] = [];
    let answered = 0; // dialogs the page has had its answer to: what it did next can be checked from then on
    let accept = false;
    admin.on('dialog', (d) => {
      asked.push(d.message());
      (accept ? d.accept() : d.dismiss()).then(
        () => answered++,
        () => undefined,
      );
    });
    await admin.getByRole('button', { name: 'Remove step ask-document' }).click();
    await expect.poll(() => answered).toBe(1);
    expect(asked[0]).toBe(
      'Remove step 4 (ask-document)? it is reached from step 3 (ask-choice); those links will be cleared.',
    );
    expect(await card(4, 'ask-document').count()).toBe(1);
    accept = true;
    await admin.getByRole('button', { name: 'Remove step ask-document' }).click();
    await expect.poll(() => card(4, 'handoff').count()).toBe(1);

    // A question with an empty button label: the 422 names "Step 3 (ask-choice) › button 1 › label".
    await card(3, 'ask-choice').getByLabel('Button 1 label').fill('');
    await admin.getByRole('button', { name: 'Validate/Save draft' }).click();
    await card(3, 'ask-choice').locator('.a-errors', { hasText: 'Step 3 (ask-choice) › button 1' }).waitFor();
  });

  it('previews the draft as a dry run, button by button, without creating a chat', async () => {
    await admin.goto(`${s.url}/admin/#/bot`);
    await admin.reload();
    // The draft back to the published (default) flow.
    const { start, steps } = (await s.asOwner('GET', s.api('/bot'))).body.published;
    const saved = await s.asOwner('PUT', s.api('/bot'), { flow: { start, steps } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await admin.reload();
    await card(3, 'ask-choice').waitFor();
    const chatsBefore = (await s.asOwner('GET', s.api('/chats'))).body.chats.length;

    await admin.getByRole('button', { name: 'Preview draft' }).click();
    const preview = admin.getByRole('complementary', { name: 'Bot preview' });
    await preview.getByText("Hi! I'm the Parley assistant.").waitFor();
    await preview.getByText("What's your name?").waitFor();
    // The name question expects a name: an answer that is not one is asked again, once.
    await preview.getByRole('button', { name: 'An answer that is not a name' }).click();
    await preview.getByText("Sorry, I didn't catch your name. What should I call you?").waitFor();
    expect(await preview.getByRole('button', { name: 'An answer that is not a name' }).count()).toBe(0);
    await preview.getByRole('button', { name: 'Any answer' }).click();
    await preview.getByText('Nice to meet you, {{name}}! What would you like to do?').waitFor();
    await preview.getByRole('button', { name: 'Send us a document' }).click();
    await preview.getByText(/Please upload your document/).waitFor();
    await preview.getByRole('button', { name: 'Send a file' }).click();
    await preview.getByText('The bot hands the chat over to an agent.').waitFor();
    await expectNoSeriousViolations(admin, 'admin bot preview (dry run)');
    await screenshot(admin, 'admin-bot-preview');
    expect((await s.asOwner('GET', s.api('/chats'))).body.chats.length).toBe(chatsBefore);
  });

  it('says at the top when visitor uploads are off: the bot asks for no file', async () => {
    const rules = (visitorUploadsEnabled: boolean) =>
      s.asOwner('PUT', s.api('/settings/file-upload'), { visitorUploadsEnabled });
    expect((await rules(false)).status).toBe(200);
    try {
      await admin.goto(`${s.url}/admin/#/bot`);
      await admin.reload();
      await card(1, 'greet').waitFor();
      expect(await admin.getByTestId('uploads-off').innerText()).toMatch(
        /File upload for users is turned off.*passes over an optional upload step and hands the chat over/s,
      );
    } finally {
      expect((await rules(true)).status).toBe(200);
    }
    await admin.reload();
    await card(1, 'greet').waitFor();
    expect(await admin.getByTestId('uploads-off').count()).toBe(0);
  });

  it('shows the editor only once the saved flow is in, never an empty flow first', async () => {
    await admin.goto(`${s.url}/admin/#/bot`);
    await card(3, 'ask-choice').waitFor();
    // An empty flow (the editor's default) offers "(no steps)" to start at and says "Not published yet".
    const replaced = await recordTextsReplaced(admin, ['(no steps)', 'Not published yet']);
    const release = await holdGets(admin, `**/api/workspaces/${s.workspaceId}/bot`);
    await admin.reload();
    // Until the flow arrives, the page says Loading… and offers nothing to edit.
    await admin.getByText('Loading…').waitFor();
    expect(await admin.getByLabel('Start at').count()).toBe(0);
    await release();
    await card(3, 'ask-choice').waitFor();
    expect(await admin.getByText('Loading…').count()).toBe(0);
    await admin.getByText('Published version 1').waitFor();
    expect(await replaced()).toEqual([]);
  });
});
