// SQL for a visitor's data (GDPR access and erasure): finding visitors by chat or by what the bot collected, their
// chats and unfinished uploads, and removing the visitor and their upload rows. Files and chats go through purge.ts
// and lifecycleRepo.deleteChats, like retention's.
import type { Db } from '../../db/index.js';

export const visitorRepo = {
  visitor: (db: Db, workspaceId: string, visitorId: string) =>
    db
      .selectFrom('visitors')
      .select(['id', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', visitorId)
      .executeTakeFirst(),
  chatsOf: (db: Db, visitorIds: string[]) =>
    visitorIds.length === 0
      ? Promise.resolve([])
      : db.selectFrom('chats').selectAll().where('visitor_id', 'in', visitorIds).orderBy('created_at').execute(),
  /** Visitors whose chats' bot answers contain `text` (case-insensitive); the caller checks the match in the values. */
  /** In visitor id order, after `after` (the search's keyset: the last candidate a page looked at). */
  visitorIdsByAnswer: async (db: Db, workspaceId: string, text: string, limit: number, after?: string) =>
    (
      await db
        .selectFrom('chats')
        .select('visitor_id')
        .distinct()
        .where('workspace_id', '=', workspaceId)
        .$if(after !== undefined, (q) => q.where('visitor_id', '>', after!))
        .where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['bot_state']), 'like', `%${text.toLowerCase()}%`),
            eb(eb.fn('lower', ['visitor_info']), 'like', `%${text.toLowerCase()}%`),
          ]),
        )
        .orderBy('visitor_id')
        .limit(limit)
        .execute()
    ).map((r) => r.visitor_id),
  messagesOf: (db: Db, chatId: string, afterSeq: number, limit: number) =>
    db
      .selectFrom('messages')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute(),
  /** Resumable uploads of these chats whose tus bytes may still exist. */
  uploadsOf: (db: Db, chatIds: string[]) =>
    chatIds.length === 0
      ? Promise.resolve([])
      : db.selectFrom('resumable_uploads').select(['id', 'status']).where('chat_id', 'in', chatIds).execute(),
  /** The widget token stops working (its hash can no longer match any token). */
  /** Revokes the token of a visitor not yet being erased; false when an erasure was already requested. */
  revokeToken: async (db: Db, visitorId: string) => {
    const r = await db
      .updateTable('visitors')
      .set({ token_hash: `erased:${visitorId}` })
      .where('id', '=', visitorId)
      .where('token_hash', '!=', `erased:${visitorId}`)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  async deleteUploadsAndVisitor(db: Db, chatIds: string[], visitorId: string) {
    if (chatIds.length > 0) await db.deleteFrom('resumable_uploads').where('chat_id', 'in', chatIds).execute();
    await db.deleteFrom('visitors').where('id', '=', visitorId).execute();
  },
};
