// Upload requests that time out: the timer is a row in the jobs table run by the worker, so these tests wait for
// its effect through the API (with a deadline) rather than sleeping.
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { eventually } from '../../support/eventually.js';
import { PDF, botTexts, chatOf, lastUploadRequest, uploadFlow, visitorMessages } from './helpers.js';

const s = useServer();

async function visitorOf(flow: unknown) {
  const ws = (
    await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: `timeouts ${Math.random()}` } })
  ).body.workspace;
  expect((await call(s.url, 'PUT', `/api/workspaces/${ws.id}/bot`, { cookie: s.owner, body: { flow } })).status).toBe(
    200,
  );
  await call(s.url, 'POST', `/api/workspaces/${ws.id}/bot/publish`, { cookie: s.owner, body: {} });
  const v = await widgetSession(s.url, ws.widgetKey);
  const request = lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request;
  return { ws, v, request };
}
const requestStatus = async (token: string) =>
  lastUploadRequest(await visitorMessages(s.url, token)).request.status as string;
const jobsFor = async (chatId: string) =>
  (await s.parley.deps.db.selectFrom('jobs').select('payload').execute()).filter(
    (j) => JSON.parse(j.payload).chatId === chatId,
  ).length;

describe('upload timeouts', () => {
  it('onTimeout "next": expires the request, goes on to the next step, and refuses a late upload with 409', async () => {
    const { ws, v, request } = await visitorOf(uploadFlow({ timeoutSeconds: 1, onTimeout: 'next' }));
    expect(request.status).toBe('open');
    const chat = await eventually(async () => {
      const chat = await chatOf(s.url, s.owner, ws.id, v.chat.id);
      expect(chat.status).toBe('waiting');
      return chat;
    });
    expect(chat.status).toBe('waiting');
    expect(await requestStatus(v.visitorToken)).toBe('expired');
    const messages = await visitorMessages(s.url, v.visitorToken);
    expect(messages.find((m) => m.event === 'request_expired')).toMatchObject({ authorRole: 'system', kind: 'event' });
    expect(botTexts(messages).at(-1)).toBe('Over to a human.');
    const late = await upload(s.url, '/api/widget/chat/files', [{ name: 'late.pdf', data: PDF }], {
      token: v.visitorToken,
      fields: { requestId: request.id },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('REQUEST_CLOSED');
    expect(await jobsFor(v.chat.id)).toBe(0);
  });

  it('onTimeout "handoff": expires the request and hands over without running the steps after it', async () => {
    const flow = uploadFlow({ timeoutSeconds: 1, onTimeout: 'handoff', next: 'more' });
    flow.steps.push({ id: 'more', kind: 'question', text: 'Anything else?', variable: 'more', next: 'bye' } as never);
    const { ws, v } = await visitorOf(flow);
    await eventually(async () => {
      const chat = await chatOf(s.url, s.owner, ws.id, v.chat.id);
      expect(chat.status).toBe('waiting');
      return chat;
    });
    expect(await requestStatus(v.visitorToken)).toBe('expired');
    const texts = botTexts(await visitorMessages(s.url, v.visitorToken));
    expect(texts).not.toContain('Anything else?');
    expect(texts.at(-1)).toBe('Over to a human.');
  });

  it('onTimeout "remind": reminds once, waits the same time again, then goes on', async () => {
    const { ws, v } = await visitorOf(uploadFlow({ timeoutSeconds: 1, onTimeout: 'remind' }));
    const reminded = await eventually(async () => {
      const messages = await visitorMessages(s.url, v.visitorToken);
      expect(botTexts(messages).some((t) => t.startsWith('Just a reminder'))).toBe(true);
      return messages;
    });
    expect(botTexts(reminded).filter((t) => t.startsWith('Just a reminder'))).toEqual([
      'Just a reminder: Send your invoice (or press Skip)',
    ]);
    await eventually(async () => {
      const chat = await chatOf(s.url, s.owner, ws.id, v.chat.id);
      expect(chat.status).toBe('waiting');
      return chat;
    });
    const texts = botTexts(await visitorMessages(s.url, v.visitorToken));
    expect(texts.filter((t) => t.startsWith('Just a reminder'))).toHaveLength(1);
    expect(texts.at(-1)).toBe('Over to a human.');
    expect(await requestStatus(v.visitorToken)).toBe('expired');
  });

  it('does nothing when the file arrived in time: the timer fires, finds the request answered, and is dropped', async () => {
    const { ws, v, request } = await visitorOf(uploadFlow({ timeoutSeconds: 1, onTimeout: 'handoff' }));
    const sent = await upload(s.url, '/api/widget/chat/files', [{ name: 'invoice.pdf', data: PDF }], {
      token: v.visitorToken,
      fields: { requestId: request.id },
    });
    expect(sent.status).toBe(201);
    await eventually(async () => expect(await jobsFor(v.chat.id)).toBe(0));
    expect(await requestStatus(v.visitorToken)).toBe('answered');
    const messages = await visitorMessages(s.url, v.visitorToken);
    expect(messages.some((m) => m.event === 'request_expired')).toBe(false);
    expect(botTexts(messages).filter((t) => t === 'Over to a human.')).toHaveLength(1);
    expect((await chatOf(s.url, s.owner, ws.id, v.chat.id)).status).toBe('waiting');
  });
});
