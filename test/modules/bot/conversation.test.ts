// The bot talking to a visitor through the real API and Socket.IO: the default flow end to end, upload requests
// (refused, answered twice, skipped), asking for a human, and stopping once an agent has the chat.
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { collect, connect } from '../../support/sockets.js';
import { png } from '../../support/fixtures.js';
import { PDF, botTexts, chatOf, lastUploadRequest, uploadFlow, visitorMessages } from './helpers.js';

const s = useServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1000' } });

const say = (token: string, text: string) =>
  call(s.url, 'POST', '/api/widget/chat/messages', { token, body: { text } });
const sendPdf = (token: string, requestId: string, name = 'passport.pdf') =>
  upload(s.url, '/api/widget/chat/files', [{ name, data: PDF, type: 'application/pdf' }], {
    token,
    fields: { requestId },
  });
const skip = (token: string, requestId: string) =>
  call(s.url, 'POST', `/api/widget/chat/requests/${requestId}/skip`, { token, body: {} });

/** A workspace of its own running `flow` as its published flow. */
async function workspaceWith(flow: unknown) {
  const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: `bot ${Math.random()}` } }))
    .body.workspace;
  const put = await call(s.url, 'PUT', `/api/workspaces/${ws.id}/bot`, { cookie: s.owner, body: { flow } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  expect(
    (await call(s.url, 'POST', `/api/workspaces/${ws.id}/bot/publish`, { cookie: s.owner, body: {} })).status,
  ).toBe(200);
  return ws as { id: string; widgetKey: string };
}

/** An order number, then an upload step (optional or required), then a question and a handoff. */
const orderFlow = (optional: boolean) => ({
  start: 'ask',
  steps: [
    { id: 'ask', kind: 'question', text: 'Your order number?', variable: 'order', next: 'doc' },
    {
      id: 'doc',
      kind: 'upload',
      prompt: 'Send your invoice',
      allowedTypes: 'pdf',
      maxFiles: 1,
      optional,
      next: 'more',
    },
    { id: 'more', kind: 'question', text: 'Anything else about {{order}}?', variable: 'more', next: 'bye' },
    { id: 'bye', kind: 'handoff', text: 'Over to a human.' },
  ],
});

/** A visitor of the default flow who has given a name and chosen "Send us a document". */
async function visitorAtDocumentStep() {
  const v = await widgetSession(s.url, s.widgetKey);
  await say(v.visitorToken, 'Ada');
  await say(v.visitorToken, 'Send us a document');
  const request = lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request;
  return { v, request };
}

describe('the default flow', () => {
  it('greets, asks the name, offers choices by name, asks for a document and hands the chat with the file to an agent', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    expect(v.chat.status).toBe('bot');
    expect(botTexts(await visitorMessages(s.url, v.visitorToken))).toEqual([
      "Hi! I'm the Parley assistant.",
      "What's your name?",
    ]);

    const socket = await connect(s.url, { token: v.visitorToken });
    const live = collect(socket, 'message.created');
    const chatUpdates = collect(socket, 'chat.updated');
    await say(v.visitorToken, 'Ada');
    const choice = await live.next((p) => p.message.authorRole === 'bot');
    expect(choice.message.text).toBe('Nice to meet you, Ada! What would you like to do?');
    expect(choice.message.buttons).toEqual([{ label: 'Talk to an agent' }, { label: 'Send us a document' }]);

    await say(v.visitorToken, 'send us a document');
    const ask = await live.next((p) => p.message.kind === 'upload_request');
    expect(ask.message.authorRole).toBe('bot');
    expect(ask.message.request).toMatchObject({
      allowedTypes: 'pdf|jpg|png',
      maxFiles: 1,
      optional: true,
      status: 'open',
      prompt: expect.any(String),
    });

    const sent = await sendPdf(v.visitorToken, ask.message.request.id);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const handoff = await live.next(
      (p) => p.message.authorRole === 'bot' && p.message.text === 'Thanks! An agent will be with you shortly.',
    );
    expect(handoff.message.chatId).toBe(v.chat.id);
    expect((await chatUpdates.next((p) => p.chat.status === 'waiting')).chat.id).toBe(v.chat.id);

    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('waiting');
    const files = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/files`, {
      cookie: s.owner,
    });
    expect(files.body.files.map((f: any) => f.name)).toEqual(['passport.pdf']);
    const messages = await visitorMessages(s.url, v.visitorToken);
    expect(lastUploadRequest(messages).request.status).toBe('answered');
    socket.close();
  });

  it('takes "Talk to an agent" straight to the queue', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await say(v.visitorToken, 'Grace');
    await say(v.visitorToken, 'Talk to an agent');
    expect(botTexts(await visitorMessages(s.url, v.visitorToken)).at(-1)).toBe(
      'Thanks! An agent will be with you shortly.',
    );
    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('waiting');
  });

  it('asks again with the same buttons when the answer matches none of them', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await say(v.visitorToken, 'Linus');
    await say(v.visitorToken, 'what?');
    const last = (await visitorMessages(s.url, v.visitorToken)).at(-1);
    expect(last).toMatchObject({
      authorRole: 'bot',
      text: 'Please choose one of the options below.',
      buttons: [{ label: 'Talk to an agent' }, { label: 'Send us a document' }],
    });
    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('bot');
  });

  it('asks for the name again once when the answer is not one, and reads the name out of "I\'m Ada"', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await say(v.visitorToken, 'Hello, I have a question about my invoice');
    expect(botTexts(await visitorMessages(s.url, v.visitorToken)).slice(2)).toEqual([
      "Sorry, I didn't catch your name. What should I call you?",
    ]);
    await say(v.visitorToken, "I'm Ada Lovelace.");
    expect(botTexts(await visitorMessages(s.url, v.visitorToken)).slice(2)).toEqual([
      "Sorry, I didn't catch your name. What should I call you?",
      'Nice to meet you, Ada Lovelace! What would you like to do?',
    ]);
    // The chat is titled with the name, not with the question.
    const chat = (await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)) as any;
    expect(chat.visitor.name).toBe('Ada Lovelace');
  });

  it('keeps the second answer as it is, so nobody is asked for a name in a loop', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await say(v.visitorToken, 'hi');
    await say(v.visitorToken, 'no thanks');
    expect(botTexts(await visitorMessages(s.url, v.visitorToken)).slice(2)).toEqual([
      "Sorry, I didn't catch your name. What should I call you?",
      'Nice to meet you, no thanks! What would you like to do?',
    ]);
  });

  it('asks again in the words the admin chose; an e-mail step keeps the address out of a sentence', async () => {
    const ws = await workspaceWith({
      start: 'mail',
      steps: [
        {
          id: 'mail',
          kind: 'question',
          text: 'Your e-mail?',
          variable: 'email',
          expect: 'email',
          retryText: 'Hmm, an address like ada@example.com, please.',
          next: 'bye',
        },
        { id: 'bye', kind: 'handoff', text: 'We will write to {{email}}.' },
      ],
    });
    const saved = await call(s.url, 'GET', `/api/workspaces/${ws.id}/bot`, { cookie: s.owner });
    expect(saved.body.published.steps[0]).toMatchObject({ expect: 'email', retryText: expect.any(String) });
    const v = await widgetSession(s.url, ws.widgetKey);
    await say(v.visitorToken, 'ada at example');
    await say(v.visitorToken, "sure, it's ada@example.com.");
    expect(botTexts(await visitorMessages(s.url, v.visitorToken))).toEqual([
      'Your e-mail?',
      'Hmm, an address like ada@example.com, please.',
      'We will write to ada@example.com.',
    ]);
  });

  it('refuses an expectation it does not know with 422 and the field', async () => {
    const put = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/bot`, {
      cookie: s.owner,
      body: {
        flow: {
          start: 'q',
          steps: [{ id: 'q', kind: 'question', text: 'Phone?', variable: 'phone', expect: 'phone' }],
        },
      },
    });
    expect(put.status).toBe(422);
    expect(put.body.error.fields).toHaveProperty(['flow.steps.0.expect']);
  });
});

describe('upload requests', () => {
  it("keeps the chat waiting at the upload step when an upload is refused: a disguised .png, a .txt outside the step's types", async () => {
    const { v, request } = await visitorAtDocumentStep();
    const before = await visitorMessages(s.url, v.visitorToken);
    const disguised = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'photo.png', data: PDF, type: 'image/png' }],
      { token: v.visitorToken, fields: { requestId: request.id } },
    );
    expect(disguised.status).toBe(415);
    expect(disguised.body.error.code).toBe('CONTENT_MISMATCH');
    const txt = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'notes.txt', data: 'just text\n', type: 'text/plain' }],
      { token: v.visitorToken, fields: { requestId: request.id } },
    );
    expect(txt.status).toBe(415);
    expect(txt.body.error.code).toBe('FILE_TYPE_NOT_ALLOWED');

    const after = await visitorMessages(s.url, v.visitorToken);
    expect(after).toEqual(before);
    expect(lastUploadRequest(after).request.status).toBe('open');
    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('bot');
    // The request is still answerable, and a real PNG within the step's types continues the flow.
    const ok = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'scan.png', data: await png(), type: 'image/png' }],
      { token: v.visitorToken, fields: { requestId: request.id } },
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('waiting');
  });

  // Found by a review: with visitor uploads turned off, the bot still asked for a file the visitor could not send
  // (every upload refused 403), and a required step held the chat until its timeout.
  it('asks for no file while visitor uploads are off: passes an optional step, hands over at a required one', async () => {
    const cases = [
      { optional: true, texts: ['Your order number?', 'Anything else about 42?'], status: 'bot', waitsFor: 'answer' },
      { optional: false, texts: ['Your order number?', 'Over to a human.'], status: 'waiting', waitsFor: 'agent' },
    ];
    for (const { optional, texts, status, waitsFor } of cases) {
      const ws = await workspaceWith(orderFlow(optional));
      const rules = (visitorUploadsEnabled: boolean) =>
        call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
          cookie: s.owner,
          body: { visitorUploadsEnabled },
        });
      expect((await rules(false)).status).toBe(200);
      // The admin's preview shows what a visitor would get now.
      const preview = await call(s.url, 'GET', `/api/workspaces/${ws.id}/bot/preview?source=published&from=doc`, {
        cookie: s.owner,
      });
      expect(preview.body.transcript.map((t: { kind: string }) => t.kind)).not.toContain('upload_request');
      expect(preview.body.waitsFor).toBe(waitsFor);
      const v = await widgetSession(s.url, ws.widgetKey);
      await say(v.visitorToken, '42');
      const messages = await visitorMessages(s.url, v.visitorToken);
      expect(lastUploadRequest(messages)).toBeUndefined();
      expect(botTexts(messages)).toEqual(texts);
      expect((await chatOf(s.url, s.owner, ws.id, v.chat.id)).status).toBe(status);
      // Turned on again, the same flow asks for the file.
      expect((await rules(true)).status).toBe(200);
      const next = await widgetSession(s.url, ws.widgetKey);
      await say(next.visitorToken, '43');
      expect(lastUploadRequest(await visitorMessages(s.url, next.visitorToken))?.request.status).toBe('open');
    }
  });

  // Found by a review: a request already open when visitor uploads were turned off stayed open (every upload 403)
  // until its timeout, a skip, or an agent.
  it('ends the open requests when visitor uploads are turned off: optional goes on, required hands over', async () => {
    const cases = [
      { optional: true, after: 'Anything else about 42?', status: 'bot' },
      { optional: false, after: 'Over to a human.', status: 'waiting' },
    ];
    for (const { optional, after, status } of cases) {
      const ws = await workspaceWith(orderFlow(optional));
      const v = await widgetSession(s.url, ws.widgetKey);
      await say(v.visitorToken, '42');
      // A second chat whose request is open but whose bot no longer waits: an agent has taken it over.
      const held = await widgetSession(s.url, ws.widgetKey);
      await say(held.visitorToken, '7');
      const agentSays = await call(s.url, 'POST', `/api/workspaces/${ws.id}/chats/${held.chat.id}/messages`, {
        cookie: s.owner,
        body: { text: 'I am here' },
      });
      expect(agentSays.status).toBe(201);
      for (const token of [v.visitorToken, held.visitorToken])
        expect(lastUploadRequest(await visitorMessages(s.url, token)).request.status).toBe('open');

      const socket = await connect(s.url, { token: v.visitorToken });
      const live = collect(socket, 'message.created');
      const cards = collect(socket, 'message.updated');
      const heldSocket = await connect(s.url, { token: held.visitorToken });
      const heldCards = collect(heldSocket, 'message.updated');
      const off = await call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
        cookie: s.owner,
        body: { visitorUploadsEnabled: false },
      });
      expect(off.status).toBe(200);
      // The open widget's card closes at once (its buttons would only be refused), the visitor sees why, then the
      // bot goes on (not at the request's timeout).
      for (const updates of [cards, heldCards]) {
        const card = await updates.next((p) => p.message.kind === 'upload_request');
        expect(card.message.request.status).toBe('expired');
      }
      expect((await live.next((p) => p.message.kind === 'event')).message.text).toBe('File sharing was turned off');
      expect((await live.next((p) => p.message.authorRole === 'bot')).message.text).toBe(after);
      socket.close();
      heldSocket.close();
      await s.parley.idle();
      const messages = await visitorMessages(s.url, v.visitorToken);
      expect(lastUploadRequest(messages).request.status).toBe('expired');
      expect((await chatOf(s.url, s.owner, ws.id, v.chat.id)).status).toBe(status);
      const heldMessages = await visitorMessages(s.url, held.visitorToken);
      expect(lastUploadRequest(heldMessages).request.status).toBe('expired');
      expect(heldMessages.at(-1).text).toBe('File sharing was turned off');
      expect((await chatOf(s.url, s.owner, ws.id, held.chat.id)).status).toBe('open');
    }
  });

  it('refuses a second upload to an answered request with 409 REQUEST_CLOSED', async () => {
    const { v, request } = await visitorAtDocumentStep();
    expect((await sendPdf(v.visitorToken, request.id)).status).toBe(201);
    const again = await sendPdf(v.visitorToken, request.id, 'again.pdf');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('REQUEST_CLOSED');
    const files = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/files`, {
      cookie: s.owner,
    });
    expect(files.body.files).toHaveLength(1);
  });

  it('lets the visitor skip an optional request and moves on; a second skip is 409 REQUEST_CLOSED', async () => {
    const { v, request } = await visitorAtDocumentStep();
    const skipped = await skip(v.visitorToken, request.id);
    expect(skipped.status, JSON.stringify(skipped.body)).toBe(200);
    expect(skipped.body.message).toMatchObject({
      authorRole: 'visitor',
      kind: 'event',
      event: 'request_skipped',
      chatId: v.chat.id,
    });
    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('waiting');
    expect(lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request.status).toBe('skipped');

    const twice = await skip(v.visitorToken, request.id);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('REQUEST_CLOSED');
    expect((await sendPdf(v.visitorToken, request.id)).body.error.code).toBe('REQUEST_CLOSED');
  });

  it("refuses to skip a required request (422) and answers 404 for another chat's request", async () => {
    const ws = await workspaceWith(uploadFlow({ optional: false }));
    const v = await widgetSession(s.url, ws.widgetKey);
    const request = lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request;
    expect(request.optional).toBe(false);
    const required = await skip(v.visitorToken, request.id);
    expect(required.status).toBe(422);
    expect(required.body.error.code).toBe('VALIDATION_FAILED');

    const stranger = await widgetSession(s.url, ws.widgetKey);
    const foreign = await skip(stranger.visitorToken, request.id);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect((await skip(v.visitorToken, 'no-such-request')).status).toBe(404);
    expect((await call(s.url, 'POST', `/api/widget/chat/requests/${request.id}/skip`, { body: {} })).status).toBe(401);
    expect(lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request.status).toBe('open');
  });

  it('answers other text at an upload step with a reminder to use the upload button or Skip', async () => {
    const { v } = await visitorAtDocumentStep();
    await say(v.visitorToken, 'I will send it later');
    expect(botTexts(await visitorMessages(s.url, v.visitorToken)).at(-1)).toBe(
      'Please use the upload button to send your file, or press Skip.',
    );
    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('bot');
  });
});

describe('asking for a human and agents taking over', () => {
  it('hands over at once when the visitor writes "agent", "Human" or "talk to an agent", closing an open request as skipped', async () => {
    const first = await widgetSession(s.url, s.widgetKey);
    await say(first.visitorToken, 'HUMAN');
    expect((await chatOf(s.url, s.owner, s.workspaceId, first.chat.id)).status).toBe('waiting');
    expect(botTexts(await visitorMessages(s.url, first.visitorToken)).at(-1)).toBe(
      'Thanks! An agent will be with you shortly.',
    );

    const { v, request } = await visitorAtDocumentStep();
    await say(v.visitorToken, 'Talk to an agent');
    expect((await chatOf(s.url, s.owner, s.workspaceId, v.chat.id)).status).toBe('waiting');
    expect(lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request.status).toBe('skipped');
    expect(request.id).toBeTruthy();
  });

  it('falls silent once an agent has the chat', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const reply = await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, {
      cookie: s.owner,
      body: { text: 'Hi, I am Sam from support' },
    });
    expect(reply.status).toBe(201);
    await say(v.visitorToken, 'Ada');
    const messages = await visitorMessages(s.url, v.visitorToken);
    expect(botTexts(messages)).toEqual(["Hi! I'm the Parley assistant.", "What's your name?"]);
    expect(messages.at(-1)).toMatchObject({ authorRole: 'visitor', text: 'Ada' });
  });
});
