// Two Parley nodes on one PostgreSQL database racing over the same chat: the bot's guarded transitions let exactly
// one of them act, and a timeout claimed with a lease runs once although both nodes poll the jobs table.
import { describe, expect, it } from 'vitest';
import { useNodes } from '../../support/server.js';
import { call, widgetSession } from '../../support/client.js';
import { chatsRepo } from '../../../src/modules/chats/repo.js';
import { eventually } from '../../support/eventually.js';
import { botTexts, chatOf, lastUploadRequest, uploadFlow, visitorMessages } from './helpers.js';

const [a, b] = useNodes(2);

async function visitorOf(flow: unknown) {
  const ws = (
    await call(a.url, 'POST', '/api/workspaces', { cookie: a.owner, body: { name: `race ${Math.random()}` } })
  ).body.workspace;
  await call(a.url, 'PUT', `/api/workspaces/${ws.id}/bot`, { cookie: a.owner, body: { flow } });
  await call(a.url, 'POST', `/api/workspaces/${ws.id}/bot/publish`, { cookie: a.owner, body: {} });
  return { ws, v: await widgetSession(a.url, ws.widgetKey) };
}

describe('two nodes, one chat', () => {
  it('answers a visitor message once when both nodes handle it at the same moment', async () => {
    const v = await widgetSession(a.url, a.widgetKey);
    await visitorMessages(a.url, v.visitorToken); // the bot has greeted (it does so just after the session's answer)
    const row = await chatsRepo.insertMessage(a.parley.deps.db, {
      chat_id: v.chat.id,
      workspace_id: a.workspaceId,
      author_role: 'visitor',
      author_id: null,
      text: 'Ada',
      kind: 'text',
      file_ids: null,
      request_id: null,
      meta: null,
    });
    const visitorWrote = {
      chatId: v.chat.id,
      workspaceId: a.workspaceId,
      messageId: row.id,
      authorRole: 'visitor' as const,
      chatStatus: 'bot' as const,
    };
    await Promise.all([
      a.parley.deps.events.emit('message.created', visitorWrote),
      b.parley.deps.events.emit('message.created', visitorWrote),
      a.parley.deps.events.emit('message.created', visitorWrote),
    ]);
    expect(botTexts(await visitorMessages(a.url, v.visitorToken))).toEqual([
      "Hi! I'm the Parley assistant.",
      "What's your name?",
      'Nice to meet you, Ada! What would you like to do?',
    ]);
  });

  it('lets one of two simultaneous skips through and answers the other 409 REQUEST_CLOSED', async () => {
    const { ws, v } = await visitorOf(uploadFlow({}));
    const request = lastUploadRequest(await visitorMessages(a.url, v.visitorToken)).request;
    const results = await Promise.all(
      [a, b].map((node) =>
        call(node.url, 'POST', `/api/widget/chat/requests/${request.id}/skip`, { token: v.visitorToken, body: {} }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const texts = botTexts(await visitorMessages(b.url, v.visitorToken));
    expect(texts.filter((t) => t === 'Over to a human.')).toHaveLength(1);
    expect((await chatOf(b.url, a.owner, ws.id, v.chat.id)).status).toBe('waiting');
  });

  it('runs a timeout once although both nodes poll for it', async () => {
    const { ws, v } = await visitorOf(uploadFlow({ timeoutSeconds: 1, onTimeout: 'remind' }));
    await eventually(async () => {
      const chat = await chatOf(a.url, a.owner, ws.id, v.chat.id);
      expect(chat.status).toBe('waiting');
      return chat;
    });
    const messages = await visitorMessages(a.url, v.visitorToken);
    expect(botTexts(messages).filter((t) => t.startsWith('Just a reminder'))).toHaveLength(1);
    expect(messages.filter((m) => m.event === 'request_expired')).toHaveLength(1);
    expect(botTexts(messages).filter((t) => t === 'Over to a human.')).toHaveLength(1);
  });
});
