// The one repository shape of the settings tables that hold at most one row per workspace (file upload rules,
// content safety, the S3 and callback integrations, retention, the widget's embed settings): read the workspace's
// row, or write it whole (insert, or replace every column but the key). Each owning module binds it to its table.
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './index.js';
import type { Database } from './types.js';

export type WorkspaceRowTable =
  | 'file_settings'
  | 'content_safety_settings'
  | 's3_integrations'
  | 'callback_integrations'
  | 'retention_settings'
  | 'embed_settings';

export interface WorkspaceRowRepo<T extends WorkspaceRowTable> {
  get(db: Db, workspaceId: string): Promise<Selectable<Database[T]> | undefined>;
  put(db: Db, row: Insertable<Database[T]>): Promise<void>;
}

export function workspaceRowRepo<T extends WorkspaceRowTable>(table: T): WorkspaceRowRepo<T> {
  // Kysely cannot narrow a generic table name; every table of the union has the same key column.
  const t = table as 'file_settings';
  return {
    get: async (db, workspaceId) =>
      (await db.selectFrom(t).selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst()) as
        | Selectable<Database[T]>
        | undefined,
    async put(db, row) {
      const { workspace_id: _key, ...rest } = row as Insertable<Database['file_settings']>;
      await db
        .insertInto(t)
        .values(row as Insertable<Database['file_settings']>)
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet(rest))
        .execute();
    },
  };
}
