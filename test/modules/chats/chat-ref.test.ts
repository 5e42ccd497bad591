// Issue 17: one short chat reference, returned in every chat view and accepted wherever a chat id is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { startReceiver, type Receiver } from '../../support/receiver.js';
import { newChatRef, parseChatRef } from '../../../src/modules/chats/ref.js';
import { chatsRepo } from '../../../src/modules/chats/repo.js';
import { sha256Hex } from '../../../src/ids.js';

const s = useServer();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver(() => undefined);
});
afterAll(async () => {
  await s?.close();
  await receiver?.close();
});

const ws = () => `/api/workspaces/${s.workspaceId}`;

describe('the short chat reference', () => {
  it('is six readable characters, in the widget session, the queue and the chat', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const ref = (v.chat as { ref?: string }).ref!;
    expect(ref).toMatch(/^[2-9A-HJKMNP-Z]{6}$/);
    const list = await call(s.url, 'GET', `${ws()}/chats?status=bot`, { cookie: s.owner });
    expect(list.body.chats.find((c: any) => c.id === v.chat.id).ref).toBe(ref);
    const one = await call(s.url, 'GET', `${ws()}/chats/${v.chat.id}`, { cookie: s.owner });
    expect(one.body.chat.ref).toBe(ref);
    const mine = await call(s.url, 'GET', '/api/widget/chat', { token: v.visitorToken });
    expect(mine.body.chat.ref).toBe(ref);
  });

  it('opens, answers into and closes a chat by its reference, typed in any case with a leading #', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const ref = (v.chat as { ref?: string }).ref!;
    const typed = encodeURIComponent(`#${ref.toLowerCase()}`);
    const one = await call(s.url, 'GET', `${ws()}/chats/${typed}`, { cookie: s.owner });
    expect(one.status).toBe(200);
    expect(one.body.chat.id).toBe(v.chat.id);
    const sent = await call(s.url, 'POST', `${ws()}/chats/${ref}/messages`, { cookie: s.owner, body: { text: 'hi' } });
    expect(sent.status).toBe(201);
    expect(sent.body.message.chatId).toBe(v.chat.id);
  });

  it("does not open another workspace's chat by its reference", async () => {
    const other = await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Other' } });
    const v = await widgetSession(s.url, s.widgetKey);
    const ref = (v.chat as { ref?: string }).ref!;
    const r = await call(s.url, 'GET', `/api/workspaces/${other.body.workspace.id}/chats/${ref}`, { cookie: s.owner });
    expect(r.status).toBe(404);
  });

  it("filters List File and the delivery log by reference, and names each row's chat and file", async () => {
    await call(s.url, 'PUT', `${ws()}/integrations/callback`, {
      cookie: s.owner,
      body: { url: receiver.url, disabled: false },
    });
    const a = await widgetSession(s.url, s.widgetKey);
    const b = await widgetSession(s.url, s.widgetKey);
    const refA = (a.chat as { ref?: string }).ref!;
    for (const v of [a, b]) {
      const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'report.pdf', data: pdf() }], {
        token: v.visitorToken,
      });
      expect(r.status).toBe(201);
    }
    const files = await call(s.url, 'GET', `${ws()}/files?chatId=%23${refA.toLowerCase()}`, { cookie: s.owner });
    expect(files.body.files.map((f: any) => f.chatId)).toEqual([a.chat.id]);
    expect(files.body.files[0].chatRef).toBe(refA);
    const byId = await call(s.url, 'GET', `${ws()}/files?chatId=${a.chat.id}`, { cookie: s.owner });
    expect(byId.body.files.length).toBe(1);
    const none = await call(s.url, 'GET', `${ws()}/files?chatId=ZZZZZZ`, { cookie: s.owner });
    expect(none.body.files).toEqual([]);

    const log = await eventually(async () => {
      const r = await call(s.url, 'GET', `${ws()}/deliveries?chatId=${refA}`, { cookie: s.owner });
      expect(r.body.deliveries).toHaveLength(1);
      return r;
    });
    const d = log.body.deliveries[0];
    expect(d).toMatchObject({ chatId: a.chat.id, chatRef: refA, fileName: 'report.pdf', kind: 'callback' });
    const detail = await call(s.url, 'GET', `${ws()}/deliveries/${d.id}`, { cookie: s.owner });
    expect(detail.body.delivery).toMatchObject({ fileName: 'report.pdf', chatRef: refA });
  });
});

describe('parseChatRef', () => {
  it('takes what people type and refuses what cannot be a reference', () => {
    expect(parseChatRef(' #k7m3qp ')).toBe('K7M3QP');
    expect(parseChatRef('K7M3Q')).toBeUndefined();
    expect(parseChatRef('K7M3Q0')).toBeUndefined(); // 0 is not in the alphabet
    expect(parseChatRef('01234567890123456789abc')).toBeUndefined();
  });
});

describe('a new chat whose drawn reference is taken', () => {
  /** References drawn in turn: `first` ones, then random ones. */
  const drawing =
    (...first: string[]) =>
    () =>
      first.shift() ?? newChatRef();
  const freeRef = (taken: string) => {
    let ref = newChatRef();
    while (ref === taken) ref = newChatRef();
    return ref;
  };

  it('draws another inside the visitor-session transaction, which goes on and commits', async () => {
    const { db, dialect } = s.parley.deps;
    const taken = (await widgetSession(s.url, s.widgetKey)).chat as { id: string; ref: string };
    const v = await widgetSession(s.url, s.widgetKey);
    const visitor = (await chatsRepo.visitorByTokenHash(db, sha256Hex(v.visitorToken), s.workspaceId))!;
    const other = freeRef(taken.ref);
    // As startWidgetSession does for a returning visitor: hold the visitor, look, start the chat.
    const made = await db.transaction().execute(async (trx) => {
      await chatsRepo.holdVisitor(trx, dialect, visitor.id);
      const chat = await chatsRepo.insertChat(trx, s.workspaceId, visitor.id, 'bot', null, drawing(taken.ref, other));
      // The transaction is still usable after the clash (PostgreSQL aborts one whose statement failed).
      expect((await chatsRepo.latestChatOfVisitor(trx, visitor.id))?.id).toBe(chat.id);
      return chat;
    });
    expect(made.ref).toBe(other);
    const byRef = await call(s.url, 'GET', `${ws()}/chats/${other}`, { cookie: s.owner });
    expect(byRef.body.chat.id).toBe(made.id);
    const first = await call(s.url, 'GET', `${ws()}/chats/${taken.ref}`, { cookie: s.owner });
    expect(first.body.chat.id).toBe(taken.id);
  });

  it('draws another outside a transaction too', async () => {
    const { db } = s.parley.deps;
    const taken = (await widgetSession(s.url, s.widgetKey)).chat as { ref: string };
    const v = await widgetSession(s.url, s.widgetKey);
    const visitor = (await chatsRepo.visitorByTokenHash(db, sha256Hex(v.visitorToken), s.workspaceId))!;
    const other = freeRef(taken.ref);
    const chat = await chatsRepo.insertChat(db, s.workspaceId, visitor.id, 'bot', null, drawing(taken.ref, other));
    expect(chat.ref).toBe(other);
  });
});
