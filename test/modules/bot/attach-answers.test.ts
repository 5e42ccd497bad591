// A visitor who answers the bot's request for a document with the ordinary attach button (no requestId) is understood.
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { eventually } from '../../support/eventually.js';
import { PDF, lastUploadRequest, visitorMessages } from './helpers.js';

const s = useServer();

const say = (token: string, text: string) =>
  call(s.url, 'POST', '/api/widget/chat/messages', { token, body: { text } });

describe('answering a request with the attach button', () => {
  it('takes a fitting plain attachment as the answer and goes on to the handoff', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await say(v.visitorToken, 'Ada');
    await say(v.visitorToken, 'Send us a document');
    const request = lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request;
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'id.pdf', data: PDF }], { token: v.visitorToken });
    expect(r.status).toBe(201);
    expect(r.body.files[0].requestId).toBe(request.id);
    await eventually(async () => {
      const r = await call(s.url, 'GET', '/api/widget/chat', { token: v.visitorToken });
      expect(r.body.chat.status).toBe('waiting');
    });
    const after = lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request;
    expect(after.status).toBe('answered');
  });

  it('keeps waiting when the attachment does not fit the request (a type the step does not ask for)', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await say(v.visitorToken, 'Bo');
    await say(v.visitorToken, 'Send us a document');
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'notes.txt', data: 'hello\n' }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(201);
    expect(r.body.files[0].requestId).toBeUndefined();
    const req = lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request;
    expect(req.status).toBe('open');
    expect((await call(s.url, 'GET', '/api/widget/chat', { token: v.visitorToken })).body.chat.status).toBe('bot');
  });
});
