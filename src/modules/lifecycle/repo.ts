// SQL for the data lifecycle: storage usage and quotas, retention settings, and what retention and erasure must
// remove. Rows of files, chats and deliveries are changed through their own modules' repos; this one only reads them.

import type { Db, Dialect } from '../../db/index.js';
import type { RetentionSettingsTable } from '../../db/types.js';
import { workspaceRowRepo } from '../../db/workspace-row-repo.js';
import { chatsRepo } from '../chats/repo.js';

const retentionRows = workspaceRowRepo('retention_settings');

export const lifecycleRepo = {
  quotaBytes: async (db: Db, workspaceId: string) =>
    (await db.selectFrom('workspaces').select('quota_bytes').where('id', '=', workspaceId).executeTakeFirst())
      ?.quota_bytes ?? null,
  /**
   * The quota with the workspace row locked until the transaction ends (PostgreSQL; SQLite has one writer at a time
   * anyway), so commits into one quota-bound workspace count its stored bytes one after another.
   */
  lockedQuotaBytes: async (db: Db, dialect: Dialect, workspaceId: string) => {
    const q = db.selectFrom('workspaces').select('quota_bytes').where('id', '=', workspaceId);
    return (await (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst())?.quota_bytes ?? null;
  },
  setQuota: (db: Db, workspaceId: string, quotaBytes: number | null) =>
    db.updateTable('workspaces').set({ quota_bytes: quotaBytes }).where('id', '=', workspaceId).executeTakeFirst(),
  async storedBytes(db: Db, workspaceId: string): Promise<number> {
    const r = await db
      .selectFrom('files')
      .select((eb) => eb.fn.sum<number>('size').as('bytes'))
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    return Number(r.bytes ?? 0);
  },
  /** Bytes and files per uploader side and per extension. */
  usageBreakdown: (db: Db, workspaceId: string) =>
    db
      .selectFrom('files')
      .select([
        'uploader_role',
        'extension',
        (eb) => eb.fn.countAll<number>().as('files'),
        (eb) => eb.fn.sum<number>('size').as('bytes'),
      ])
      .where('workspace_id', '=', workspaceId)
      .groupBy(['uploader_role', 'extension'])
      .execute(),
  retention: (db: Db, workspaceId: string) => retentionRows.get(db, workspaceId),
  putRetention: (db: Db, row: RetentionSettingsTable) => retentionRows.put(db, row),
  /** Workspaces with any retention rule on. */
  retainingWorkspaces: (db: Db) =>
    db
      .selectFrom('retention_settings')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('files_days', '>', 0),
          eb('visitor_files_days', '>', 0),
          eb('agent_files_days', '>', 0),
          eb('closed_chats_days', '>', 0),
          eb('audit_days', '>', 0),
        ]),
      )
      .execute(),
  /** Up to `limit` of a side's files created before `beforeIso`, oldest first. */
  filesOlderThan: (db: Db, workspaceId: string, side: 'visitor' | 'agent' | 'any', beforeIso: string, limit: number) =>
    db
      .selectFrom('files')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('created_at', '<', beforeIso)
      .$if(side === 'visitor', (q) => q.where('uploader_role', '=', 'visitor'))
      .$if(side === 'agent', (q) => q.where('uploader_role', 'in', ['agent', 'bot']))
      .orderBy('created_at')
      .limit(limit)
      .execute(),
  closedChatsBefore: (db: Db, workspaceId: string, beforeIso: string, limit: number) =>
    db
      .selectFrom('chats')
      .select(['id', 'workspace_id', 'visitor_id'])
      .where('workspace_id', '=', workspaceId)
      .where('status', '=', 'closed')
      .where('closed_at', '<', beforeIso)
      .orderBy('closed_at')
      .limit(limit)
      .execute(),
  /** Files of these chats (at most `limit`, oldest first, when given). */
  filesOfChats: (db: Db, chatIds: string[], limit?: number) =>
    chatIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('files')
          .selectAll()
          .where('chat_id', 'in', chatIds)
          .$if(limit !== undefined, (q) => q.orderBy('id').limit(limit!))
          .execute(),
  /**
   * Deletes chats with their messages, upload requests (cascade) and the chats' deliveries: all forwards, and the
   * deletions of copies that are done. A deletion still to run stays, and forgets itself once it succeeds (the
   * deliveries worker's record). Files must be gone; call inside a transaction.
   */
  async deleteChats(db: Db, chatIds: string[]) {
    if (chatIds.length === 0) return;
    // First, like the worker's record of a deletion: a deletion finishing meanwhile commits before (and is removed
    // below as succeeded) or waits and then finds its chat gone. Without it, both could miss the other (found by CI).
    await chatsRepo.lockChats(db, chatIds);
    await db.deleteFrom('messages').where('chat_id', 'in', chatIds).execute();
    await db.deleteFrom('upload_requests').where('chat_id', 'in', chatIds).execute();
    await db
      .deleteFrom('deliveries')
      .where('chat_id', 'in', chatIds)
      .where((eb) => eb.or([eb('kind', 'in', ['s3', 'callback']), eb('status', '=', 'succeeded')]))
      .execute();
    await db.deleteFrom('chats').where('id', 'in', chatIds).execute();
  },
};
