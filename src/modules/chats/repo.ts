// SQL for visitors, chats and messages.
import type { Db } from '../../db/index.js';
import type { ChatsTable, MessageRow, MessagesTable } from '../../db/types.js';
import { newId, nowIso } from '../../ids.js';

export type NewMessage = Omit<MessagesTable, 'seq' | 'id' | 'created_at'> & { id?: string };

export const chatsRepo = {
  chatById: (db: Db, id: string) => db.selectFrom('chats').selectAll().where('id', '=', id).executeTakeFirst(),
  chatInWorkspace: (db: Db, workspaceId: string, id: string) =>
    db.selectFrom('chats').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst(),
  latestChatOfVisitor: (db: Db, visitorId: string) =>
    db.selectFrom('chats').selectAll().where('visitor_id', '=', visitorId).orderBy('id', 'desc').limit(1).executeTakeFirst(),
  async insertVisitor(db: Db, workspaceId: string, tokenHash: string) {
    const row = { id: newId(), workspace_id: workspaceId, token_hash: tokenHash, created_at: nowIso() };
    await db.insertInto('visitors').values(row).execute();
    return row;
  },
  async insertChat(db: Db, workspaceId: string, visitorId: string, status: ChatsTable['status']) {
    const now = nowIso();
    const row: ChatsTable = { id: newId(), workspace_id: workspaceId, visitor_id: visitorId, status, assignee_id: null, bot_flow_version: null, bot_state: null, created_at: now, updated_at: now, closed_at: null, last_message_at: null };
    await db.insertInto('chats').values(row).execute();
    return row;
  },
  updateChat: (db: Db, id: string, patch: Partial<ChatsTable>) =>
    db.updateTable('chats').set({ ...patch, updated_at: nowIso() }).where('id', '=', id).execute(),
  listChats: (db: Db, workspaceId: string, opts: { status?: ChatsTable['status']; cursor?: string; limit: number }) => {
    let q = db.selectFrom('chats').selectAll().where('workspace_id', '=', workspaceId);
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.cursor) q = q.where('id', '<', opts.cursor);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  },
  async insertMessage(db: Db, m: NewMessage): Promise<MessageRow> {
    if (!db.isTransaction) return db.transaction().execute((trx) => chatsRepo.insertMessage(trx, m));
    const now = nowIso();
    // Touching the chat row first takes its lock until commit, so the messages of one chat commit in the order of
    // their sequence numbers: a client paging with after= can never pass a message that commits later.
    await db.updateTable('chats').set({ last_message_at: now, updated_at: now }).where('id', '=', m.chat_id).execute();
    const row = { ...m, id: m.id ?? newId(), created_at: now };
    return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
  },
  messageById: (db: Db, id: string) => db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst(),
  async messagesAfter(db: Db, chatId: string, afterId: string | undefined, limit: number) {
    let q = db.selectFrom('messages').selectAll().where('chat_id', '=', chatId);
    if (afterId) {
      const after = await db.selectFrom('messages').select('seq').where('id', '=', afterId).where('chat_id', '=', chatId).executeTakeFirst();
      if (after) q = q.where('seq', '>', after.seq);
    }
    return q.orderBy('seq', 'asc').limit(limit).execute();
  },
  /** The newest `limit` messages, oldest first (what a client shows when it opens a chat). */
  async lastMessages(db: Db, chatId: string, limit: number) {
    const rows = await db.selectFrom('messages').selectAll().where('chat_id', '=', chatId).orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse();
  },
};
