// The bot module's SQL: flow versions (bot_flows, version 0 = the draft) and upload requests. Chat state changes
// go through transition.ts; timeout jobs through jobs.ts.
import type { Db, Dialect } from '../../db/index.js';
import type { UploadRequestsTable } from '../../db/types.js';
import { nowIso } from '../../ids.js';
import { DEFAULT_FLOW, DEFAULT_FLOW_VERSION, type Flow } from './flow.js';
import { holdUntilCommit } from '../../db/lock-repo.js';

const DRAFT = 0;

export interface PublishedFlow {
  version: number;
  flow: Flow;
}

export const botRepo = {
  async draft(db: Db, workspaceId: string): Promise<Flow | undefined> {
    const row = await db
      .selectFrom('bot_flows')
      .select('flow')
      .where('workspace_id', '=', workspaceId)
      .where('version', '=', DRAFT)
      .executeTakeFirst();
    return row ? (JSON.parse(row.flow) as Flow) : undefined;
  },

  /** The newest published version; the default flow (version 1) when none was ever published. */
  async published(db: Db, workspaceId: string): Promise<PublishedFlow> {
    const row = await db
      .selectFrom('bot_flows')
      .select(['version', 'flow'])
      .where('workspace_id', '=', workspaceId)
      .where('version', '>', DRAFT)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row
      ? { version: row.version, flow: JSON.parse(row.flow) as Flow }
      : { version: DEFAULT_FLOW_VERSION, flow: DEFAULT_FLOW };
  },

  /** The flow a running chat started with. Version 1 without a row is the implicit default flow. */
  async version(db: Db, workspaceId: string, version: number): Promise<Flow> {
    const row = await db
      .selectFrom('bot_flows')
      .select('flow')
      .where('workspace_id', '=', workspaceId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? (JSON.parse(row.flow) as Flow) : DEFAULT_FLOW;
  },

  async saveDraft(db: Db, workspaceId: string, flow: Flow) {
    const row = { workspace_id: workspaceId, version: DRAFT, flow: JSON.stringify(flow), created_at: nowIso() };
    await db
      .insertInto('bot_flows')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'version']).doUpdateSet({ flow: row.flow, created_at: row.created_at }),
      )
      .execute();
  },

  /**
   * Inserts the next version number. On PostgreSQL publishes of one workspace wait for each other (a transaction-scoped
   * advisory lock), so five at once take five numbers instead of colliding on the primary key past the retries.
   */
  async insertVersion(db: Db, dialect: Dialect, workspaceId: string, flow: Flow): Promise<number> {
    await holdUntilCommit(db, dialect, `publish:${workspaceId}`);
    const { version: latest } = await botRepo.published(db, workspaceId);
    const version = latest + 1;
    await db
      .insertInto('bot_flows')
      .values({ workspace_id: workspaceId, version, flow: JSON.stringify(flow), created_at: nowIso() })
      .execute();
    return version;
  },

  request: (db: Db, id: string) => db.selectFrom('upload_requests').selectAll().where('id', '=', id).executeTakeFirst(),
  requestsByIds: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('upload_requests').selectAll().where('id', 'in', ids).execute(),

  /** The chat's newest open upload request, if any (a plain attachment may answer it). */
  latestOpenRequest: (db: Db, chatId: string) =>
    db
      .selectFrom('upload_requests')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('status', '=', 'open')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst(),

  /** A workspace's open upload requests, oldest first. */
  openRequests: (db: Db, workspaceId: string, limit: number) =>
    db
      .selectFrom('upload_requests')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('status', '=', 'open')
      .orderBy('created_at')
      .limit(limit)
      .execute(),

  /** Marks an open request answered; false when it was answered, skipped or expired meanwhile. */
  markAnswered: (db: Db, id: string): Promise<boolean> => botRepo.closeRequest(db, id, 'answered'),

  /** Closes an open request with the given status; false when it was no longer open. */
  async closeRequest(db: Db, id: string, status: UploadRequestsTable['status']): Promise<boolean> {
    const r = await db
      .updateTable('upload_requests')
      .set({ status })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Records the one reminder of an open request and its new deadline; false when it was closed or reminded. */
  async remindRequest(db: Db, id: string, expiresAt: string | null): Promise<boolean> {
    const r = await db
      .updateTable('upload_requests')
      .set({ reminded: 1, expires_at: expiresAt })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .where('reminded', '=', 0)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  insertRequest: (db: Db, row: UploadRequestsTable) => db.insertInto('upload_requests').values(row).execute(),
};
