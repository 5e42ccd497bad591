// The bot module's SQL: flow versions (bot_flows, version 0 = the draft) and upload requests. Chat state changes
// go through transition.ts; timeout jobs through jobs.ts.
import type { Db } from '../../db/index.js';
import { nowIso } from '../../ids.js';
import { DEFAULT_FLOW, DEFAULT_FLOW_VERSION, type Flow } from './flow.js';

const DRAFT = 0;

export interface PublishedFlow { version: number; flow: Flow }

export const botRepo = {
  async draft(db: Db, workspaceId: string): Promise<Flow | undefined> {
    const row = await db.selectFrom('bot_flows').select('flow').where('workspace_id', '=', workspaceId).where('version', '=', DRAFT).executeTakeFirst();
    return row ? (JSON.parse(row.flow) as Flow) : undefined;
  },

  /** The newest published version; the default flow (version 1) when none was ever published. */
  async published(db: Db, workspaceId: string): Promise<PublishedFlow> {
    const row = await db.selectFrom('bot_flows').select(['version', 'flow']).where('workspace_id', '=', workspaceId).where('version', '>', DRAFT)
      .orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? { version: row.version, flow: JSON.parse(row.flow) as Flow } : { version: DEFAULT_FLOW_VERSION, flow: DEFAULT_FLOW };
  },

  /** The flow a running chat started with. Version 1 without a row is the implicit default flow. */
  async version(db: Db, workspaceId: string, version: number): Promise<Flow> {
    const row = await db.selectFrom('bot_flows').select('flow').where('workspace_id', '=', workspaceId).where('version', '=', version).executeTakeFirst();
    return row ? (JSON.parse(row.flow) as Flow) : DEFAULT_FLOW;
  },

  async saveDraft(db: Db, workspaceId: string, flow: Flow) {
    const row = { workspace_id: workspaceId, version: DRAFT, flow: JSON.stringify(flow), created_at: nowIso() };
    await db.insertInto('bot_flows').values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'version']).doUpdateSet({ flow: row.flow, created_at: row.created_at })).execute();
  },

  /** Inserts the next version number; two admins publishing at once collide on the primary key and one retries. */
  async insertVersion(db: Db, workspaceId: string, flow: Flow): Promise<number> {
    const { version: latest } = await botRepo.published(db, workspaceId);
    const version = latest + 1;
    await db.insertInto('bot_flows').values({ workspace_id: workspaceId, version, flow: JSON.stringify(flow), created_at: nowIso() }).execute();
    return version;
  },

  request: (db: Db, id: string) => db.selectFrom('upload_requests').selectAll().where('id', '=', id).executeTakeFirst(),
};
