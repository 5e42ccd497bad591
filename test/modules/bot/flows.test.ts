// The admin's flow editor: the default flow, validation with field names, publishing versions (a running chat
// keeps its own), the preview, and who may do any of it.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, login, widgetSession, addMember } from '../../support/client.js';
import { botTexts, visitorMessages } from './helpers.js';

const s = useServer();
let agent: string;
let other: { id: string; widgetKey: string };
beforeAll(async () => {
  await addMember(s.url, s.owner, s.workspaceId, {
    email: 'bot-agent@example.test',
    name: 'Agent',
    password: 'agent-password-1',
    role: 'agent',
  });
  agent = await login(s.url, 'bot-agent@example.test', 'agent-password-1');
  other = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Other' } })).body.workspace;
});

async function newWorkspace() {
  return (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: `ws ${Math.random()}` } })).body
    .workspace as { id: string; widgetKey: string };
}
const bot = (ws: string) => `/api/workspaces/${ws}/bot`;
const putFlow = (ws: string, flow: unknown) => call(s.url, 'PUT', bot(ws), { cookie: s.owner, body: { flow } });

const greeting = (text: string) => ({
  start: 'hi',
  steps: [
    { id: 'hi', kind: 'message', text, next: 'ask' },
    { id: 'ask', kind: 'question', text: 'Your order number?', variable: 'order', next: 'thanks' },
    { id: 'thanks', kind: 'end', text: 'Thanks, order {{order}} noted.' },
  ],
});

describe('reading and saving flows', () => {
  it('serves the default flow as published version 1 and as the draft of a new workspace', async () => {
    const ws = await newWorkspace();
    const r = await call(s.url, 'GET', bot(ws.id), { cookie: s.owner });
    expect(r.status).toBe(200);
    expect(r.body.published.version).toBe(1);
    expect(r.body.published.start).toBe(r.body.draft.start);
    expect(r.body.draft.steps.map((st: any) => st.kind)).toEqual([
      'message',
      'question',
      'question',
      'upload',
      'handoff',
    ]);
    const upload = r.body.draft.steps.find((st: any) => st.kind === 'upload');
    expect(upload).toMatchObject({ allowedTypes: 'pdf|jpg|png', maxFiles: 1, optional: true });
  });

  it('saves a valid draft without touching the published flow', async () => {
    const ws = await newWorkspace();
    const saved = await putFlow(ws.id, greeting('Welcome!'));
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const r = await call(s.url, 'GET', bot(ws.id), { cookie: s.owner });
    expect(r.body.draft).toEqual(greeting('Welcome!'));
    expect(r.body.published.version).toBe(1);
    expect(r.body.published.steps[0].text).toBe("Hi! I'm the Parley assistant.");
  });

  it('refuses a flow that links to an unknown step id, naming the field', async () => {
    const flow = greeting('Hi');
    flow.steps[1]!.next = 'nowhere';
    const r = await putFlow(s.workspaceId, flow);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toMatchObject({ 'steps[1].next': 'Unknown step id' });
    const buttons = await putFlow(s.workspaceId, {
      start: 'q',
      steps: [{ id: 'q', kind: 'question', text: 'Pick', variable: 'pick', buttons: [{ label: 'A', next: 'x' }] }],
    });
    expect(buttons.body.error.fields).toEqual({ 'steps[0].buttons[0].next': 'Unknown step id' });
    const start = await putFlow(s.workspaceId, { ...greeting('Hi'), start: 'missing' });
    expect(start.body.error.fields).toHaveProperty('start');
  });

  it('refuses a step that cannot be reached from the start, and duplicate step ids', async () => {
    const flow = greeting('Hi');
    flow.steps.push({ id: 'orphan', kind: 'message', text: 'Nobody reads me', next: 'thanks' });
    const r = await putFlow(s.workspaceId, flow);
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toEqual({ 'steps[3]': 'This step cannot be reached from the start' });
    const dup = greeting('Hi');
    dup.steps.push({ id: 'hi', kind: 'end', text: 'again' });
    expect((await putFlow(s.workspaceId, dup)).body.error.fields['steps[3].id']).toBe('Duplicate step id');
  });

  it('refuses upload types outside the visitor allow-list, maxFiles below 1 and missing fields per kind', async () => {
    const ws = await newWorkspace();
    await call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
      cookie: s.owner,
      body: { visitorAllowedTypes: 'pdf|png' },
    });
    const flow = {
      start: 'doc',
      steps: [
        {
          id: 'doc',
          kind: 'upload',
          prompt: 'Your invoice',
          allowedTypes: 'pdf|zip',
          maxFiles: 0,
          optional: false,
          onTimeout: 'next',
          next: 'q',
        },
        { id: 'q', kind: 'question', text: '', next: 'm' },
        { id: 'm', kind: 'message' },
      ],
    };
    const r = await putFlow(ws.id, flow);
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toMatchObject({
      'steps[0].allowedTypes': expect.stringContaining('zip'),
      'steps[0].maxFiles': expect.any(String),
      'steps[1].text': expect.any(String),
      'steps[1].variable': expect.any(String),
      'steps[2].text': expect.any(String),
    });
    // With "" (any type) on the visitor side, any extension goes.
    await call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
      cookie: s.owner,
      body: { visitorAllowedTypes: '' },
    });
    const anyType = await putFlow(ws.id, {
      start: 'doc',
      steps: [{ ...flow.steps[0], allowedTypes: 'zip|dwg', maxFiles: 2, next: undefined }],
    });
    expect(anyType.status, JSON.stringify(anyType.body)).toBe(200);
  });
});

describe('publishing', () => {
  it('publishes the draft as the next version; a chat started before keeps its version, a new chat gets the new one', async () => {
    const ws = await newWorkspace();
    const before = await widgetSession(s.url, ws.widgetKey);
    expect(botTexts(await visitorMessages(s.url, before.visitorToken))[0]).toBe("Hi! I'm the Parley assistant.");

    await putFlow(ws.id, greeting('Welcome to v2'));
    const p = await call(s.url, 'POST', `${bot(ws.id)}/publish`, { cookie: s.owner, body: {} });
    expect(p.status).toBe(200);
    expect(p.body).toEqual({ version: 2 });
    expect((await call(s.url, 'GET', bot(ws.id), { cookie: s.owner })).body.published).toMatchObject({
      version: 2,
      start: 'hi',
    });

    await call(s.url, 'POST', '/api/widget/chat/messages', { token: before.visitorToken, body: { text: 'Ada' } });
    expect(botTexts(await visitorMessages(s.url, before.visitorToken)).at(-1)).toBe(
      'Nice to meet you, Ada! What would you like to do?',
    );

    const after = await widgetSession(s.url, ws.widgetKey);
    expect(botTexts(await visitorMessages(s.url, after.visitorToken))).toEqual(['Welcome to v2', 'Your order number?']);
    await call(s.url, 'POST', '/api/widget/chat/messages', { token: after.visitorToken, body: { text: 'A-17' } });
    expect(botTexts(await visitorMessages(s.url, after.visitorToken)).at(-1)).toBe('Thanks, order A-17 noted.');
    const closed = await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats/${after.chat.id}`, { cookie: s.owner });
    expect(closed.body.chat.status).toBe('closed');

    expect((await call(s.url, 'POST', `${bot(ws.id)}/publish`, { cookie: s.owner, body: {} })).body).toEqual({
      version: 3,
    });
  });

  it('publishes each of several publishes arriving at once as a version of its own (PostgreSQL: no 500)', async () => {
    const ws = await newWorkspace();
    await putFlow(ws.id, greeting('Welcome'));
    const publish = () => call(s.url, 'POST', `${bot(ws.id)}/publish`, { cookie: s.owner, body: {} });
    const all = await Promise.all(Array.from({ length: 6 }, publish));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(all.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect((await call(s.url, 'GET', bot(ws.id), { cookie: s.owner })).body.published.version).toBe(7);
  });

  it('validates the draft again on publish: a draft whose upload types the admin has since disallowed is refused', async () => {
    const ws = await newWorkspace();
    const flow = {
      start: 'doc',
      steps: [
        {
          id: 'doc',
          kind: 'upload',
          prompt: 'A spreadsheet',
          allowedTypes: 'xlsx',
          maxFiles: 1,
          optional: true,
          onTimeout: 'next',
        },
      ],
    };
    expect((await putFlow(ws.id, flow)).status).toBe(200);
    await call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
      cookie: s.owner,
      body: { visitorAllowedTypes: 'pdf' },
    });
    const r = await call(s.url, 'POST', `${bot(ws.id)}/publish`, { cookie: s.owner, body: {} });
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toHaveProperty(['steps[0].allowedTypes']);
    expect((await call(s.url, 'GET', bot(ws.id), { cookie: s.owner })).body.published.version).toBe(1);
  });
});

describe('preview', () => {
  it('returns what a new visitor would see until the bot first waits, and writes no chat', async () => {
    const ws = await newWorkspace();
    const published = await call(s.url, 'GET', `${bot(ws.id)}/preview?source=published`, { cookie: s.owner });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ source: 'published', version: 1, waitsFor: 'answer', stepId: 'ask-name' });
    expect(published.body.transcript.map((t: any) => t.text)).toEqual([
      "Hi! I'm the Parley assistant.",
      "What's your name?",
    ]);

    await putFlow(ws.id, greeting('Draft hello'));
    const draft = await call(s.url, 'GET', `${bot(ws.id)}/preview`, { cookie: s.owner });
    expect(draft.body.transcript.map((t: any) => t.text)).toEqual(['Draft hello', 'Your order number?']);
    expect(draft.body.waitsFor).toBe('answer');
    const chats = await call(s.url, 'GET', `/api/workspaces/${ws.id}/chats`, { cookie: s.owner });
    expect(chats.body.chats).toEqual([]);
  });

  it('walks on from a given step (the editor following a button), and names an unknown one', async () => {
    const ws = await newWorkspace();
    const on = await call(s.url, 'GET', `${bot(ws.id)}/preview?source=published&from=ask-name`, { cookie: s.owner });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ waitsFor: 'answer', stepId: 'ask-name' });
    expect(on.body.transcript.map((t: any) => t.text)).toEqual(["What's your name?"]);
    const bad = await call(s.url, 'GET', `${bot(ws.id)}/preview?from=no-such-step`, { cookie: s.owner });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toEqual({ from: 'The draft flow has no step of that id' });
  });
});

describe('who may edit the bot', () => {
  it('answers 403 FORBIDDEN to an agent of the workspace on every bot route', async () => {
    for (const [method, path] of [
      ['GET', bot(s.workspaceId)],
      ['PUT', bot(s.workspaceId)],
      ['POST', `${bot(s.workspaceId)}/publish`],
      ['GET', `${bot(s.workspaceId)}/preview`],
    ] as const) {
      const r = await call(s.url, method, path, {
        cookie: agent,
        body: method === 'GET' ? undefined : method === 'PUT' ? { flow: greeting('x') } : {},
      });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('answers 404 for a workspace the caller does not belong to, and 401 without credentials', async () => {
    const r = await call(s.url, 'GET', bot(other.id), { cookie: agent });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
    expect((await call(s.url, 'POST', `${bot(other.id)}/publish`, { cookie: agent, body: {} })).status).toBe(404);
    expect((await call(s.url, 'GET', bot(s.workspaceId))).status).toBe(401);
  });

  it('documents the bot routes in /api/openapi.json', async () => {
    const doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/workspaces/{ws}/bot',
        '/api/workspaces/{ws}/bot/publish',
        '/api/workspaces/{ws}/bot/preview',
        '/api/widget/chat/requests/{requestId}/skip',
      ]),
    );
  });
});
