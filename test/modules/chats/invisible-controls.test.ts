// Names and greetings lose the invisible characters that change how the text around them shows (found by QA): the
// bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the other invisible controls (U+200B,
// U+061C, U+2060, U+FEFF, C0/C1), wherever they come in — a visitor's answer to the bot (it titles the chat), identify,
// the bot's texts and the widget's greeting (multi-line, so line breaks stay), workspace and member names. ZWJ stays
// (emoji sequences need it).
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { addMember, call, widgetSession } from '../../support/client.js';
import { botTexts, visitorMessages } from '../bot/helpers.js';

const s = useServer();
// Every character the helper removes, in one string (line breaks and tabs counted separately below).
const HIDDEN = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f\u061c\u2060\ufeff\u0007\u009b';
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\u2060\ufeff\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const staffChat = async (chatId: string) =>
  (await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${chatId}`, { cookie: s.owner })).body.chat;

describe('invisible controls in names and greetings', () => {
  it("are stripped from a visitor's answer to the bot, which names the chat and fills the bot's texts", async () => {
    const flow = {
      start: 'ask',
      steps: [
        { id: 'ask', kind: 'question', text: 'Your name?', variable: 'name', next: 'thanks' },
        { id: 'thanks', kind: 'handoff', text: 'Thanks {{name}}, an agent is coming.' },
      ],
    };
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Bot names' } })).body
      .workspace as { id: string; widgetKey: string };
    expect((await call(s.url, 'PUT', `/api/workspaces/${ws.id}/bot`, { cookie: s.owner, body: { flow } })).status).toBe(
      200,
    );
    expect((await call(s.url, 'POST', `/api/workspaces/${ws.id}/bot/publish`, { cookie: s.owner })).status).toBe(200);
    const v = await widgetSession(s.url, ws.widgetKey);
    await visitorMessages(s.url, v.visitorToken);
    const answered = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: `Bob${HIDDEN}\u202enimda 👨‍👩‍👧` },
    });
    expect(answered.status).toBe(201);
    const chat = (await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats/${v.chat.id}`, { cookie: s.owner })).body
      .chat;
    expect(chat.visitor.name).toBe('Bobnimda 👨‍👩‍👧');
    const texts = botTexts(await visitorMessages(s.url, v.visitorToken));
    expect(texts).toContain('Thanks Bobnimda 👨‍👩‍👧, an agent is coming.');
  });

  it('are stripped from identify, the widget greeting, the bot greeting, workspace and member names', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const identify = await call(s.url, 'POST', '/api/widget/chat/visitor', {
      token: v.visitorToken,
      body: { name: `Eve${HIDDEN}lyn`, attributes: { team: `ops${HIDDEN}` } },
    });
    expect(identify.status).toBe(200);
    expect((await staffChat(v.chat.id)).visitor).toMatchObject({ name: 'Evelyn', attributes: { team: 'ops' } });

    const embed = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/embed`, {
      cookie: s.owner,
      body: { greeting: `Hello${HIDDEN}!\nAsk\tus.` },
    });
    expect(embed.status, JSON.stringify(embed.body)).toBe(200);
    const appearance = await call(s.url, 'GET', `/api/widget/${s.widgetKey}/appearance`);
    expect(appearance.body.greeting).toBe('Hello!\nAsk\tus.');

    const flow = {
      start: 'hi',
      steps: [
        { id: 'hi', kind: 'message', text: `Hi${HIDDEN} there,\nwelcome`, next: 'ask' },
        {
          id: 'ask',
          kind: 'question',
          text: 'Pick',
          variable: 'pick',
          buttons: [{ label: `Sales${HIDDEN}` }],
          next: 'bye',
        },
        { id: 'bye', kind: 'end', text: 'Bye' },
      ],
    };
    expect(
      (await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/bot`, { cookie: s.owner, body: { flow } })).status,
    ).toBe(200);
    const draft = (await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/bot`, { cookie: s.owner })).body.draft;
    expect(draft.steps[0].text).toBe('Hi there,\nwelcome');
    expect(draft.steps[1].buttons[0].label).toBe('Sales');

    const ws = await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: `Acme${HIDDEN}gnp` } });
    expect(ws.body.workspace.name).toBe('Acmegnp');
    const member = await addMember(s.url, s.owner, s.workspaceId, {
      email: 'bidi-member@example.test',
      name: `Mallory${HIDDEN}\u202etoor`,
      password: 'member-password-1',
      role: 'agent',
    });
    expect(member.name).toBe('Mallorytoor');
    expect(member.name).not.toMatch(BIDI);
  });
});
