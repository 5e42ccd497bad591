// Round trips on the hot paths (issue 18): the SQL statements a request issues before its answer, as the request log
// reports them (src/db/statements.ts counts every statement of the request, through Kysely's log hook).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { call, upload, widgetSession } from '../support/client.js';
import { pdf } from '../support/fixtures.js';
import { eventually } from '../support/eventually.js';
import { useServer } from '../support/server.js';
import { startReceiver } from '../support/receiver.js';

const lines: { method?: string; route?: string; status?: number; statements?: number; msg?: string }[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    done();
  },
});
const s = useServer({ logStream });

/** Statements of the last logged request to `route` (the request log is written once the answer has gone). */
async function statementsOf(method: string, route: string): Promise<number> {
  const line = await eventually(() => {
    const l = lines.findLast((x) => x.msg === 'request' && x.method === method && x.route === route);
    expect(l).toBeDefined();
    return l!;
  });
  lines.length = 0;
  return line.statements!;
}

describe('statement budget of the hot paths', () => {
  it('answers a new widget session in 5 statements or fewer; the bot greets after the answer', async () => {
    lines.length = 0;
    const v = await widgetSession(s.url, s.widgetKey);
    const n = await statementsOf('POST', '/api/widget/:widgetKey/session');
    expect(n).toBeLessThanOrEqual(5);
    const messages = await eventually(async () => {
      const r = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
      expect(r.body.messages.length).toBeGreaterThan(0);
      return r.body.messages;
    });
    expect(messages[0].authorRole).toBe('bot');
  });

  it('answers a visitor message in 1 statement (2 the first time on a node), an agent message in 1', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const agentSays = (text: string) =>
      call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/messages`, {
        cookie: s.owner,
        body: { text },
      });
    // The first agent message takes the chat over from the bot (more work, once).
    expect((await agentSays('hello, I am here')).status).toBe(201);
    lines.length = 0;
    const sent = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'hi' },
    });
    expect(sent.status).toBe(201);
    // The first on this node: the token and the visitor's latest chat are one statement, then the insert (which
    // touches the chat).
    expect(await statementsOf('POST', '/api/widget/chat/messages')).toBeLessThanOrEqual(2);
    const again = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'anyone?' },
    });
    expect(again.status).toBe(201);
    // Then one: the token's check, the chat, the insert and the touch.
    expect(await statementsOf('POST', '/api/widget/chat/messages')).toBe(1);
    // An agent signed in by cookie, into an open chat: one statement checks the session and inserts.
    expect((await agentSays('how can I help?')).status).toBe(201);
    expect(await statementsOf('POST', '/api/workspaces/:ws/chats/:chatId/messages')).toBe(1);
    const seen = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    expect(seen.body.messages.slice(-3).map((m: { text: string }) => m.text)).toEqual([
      'hi',
      'anyone?',
      'how can I help?',
    ]);
  });

  it("answers a visitor's file upload in 16 statements or fewer", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    lines.length = 0;
    const sent = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'a.pdf', data: pdf(), type: 'application/pdf' }],
      {
        token: v.visitorToken,
      },
    );
    expect(sent.status).toBe(201);
    // Token+chat, the rules (file settings, both quotas in one read, storage quota, content safety, open requests),
    // the quota taken, then one transaction (chat, workspace quota, message, file, the delivery targets, the thumbnail
    // job): the answer's and the announcement's views are built from the rows just written, not read back (19 before).
    expect(await statementsOf('POST', '/api/widget/chat/files')).toBeLessThanOrEqual(16);
    expect(sent.body.files[0].name).toBe('a.pdf');
    expect(sent.body.message.files[0].id).toBe(sent.body.files[0].id);
  });

  it('wakes the delivery worker after an upload only when the upload has something to forward', async () => {
    // With no S3 or callback set up, the claim of deliveries that follows a wake-up is work for nothing (issue 18).
    let wakes = 0;
    s.parley.deps.events.on('deliveries.queued', () => void wakes++);
    const send = async (name: string) => {
      const v = await widgetSession(s.url, s.widgetKey);
      const r = await upload(s.url, '/api/widget/chat/files', [{ name, data: pdf(1000, name) }], {
        token: v.visitorToken,
      });
      expect(r.status).toBe(201);
    };
    await send('alone.pdf');
    expect(wakes).toBe(0);
    const receiver = await startReceiver(() => undefined);
    try {
      const put = await s.asOwner('PUT', s.api('/integrations/callback'), { url: receiver.url, disabled: false });
      expect(put.status).toBe(200);
      await send('forwarded.pdf');
      expect(wakes).toBe(1);
      await eventually(() => expect(receiver.received.length).toBe(1));
    } finally {
      await s.asOwner('PUT', s.api('/integrations/callback'), { url: receiver.url, disabled: true });
      await receiver.close();
    }
  });
});
