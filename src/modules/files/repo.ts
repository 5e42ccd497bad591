// SQL for files: the side panel, List File with its filters, and deletion.
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Db, Dialect } from '../../db/index.js';
import type { Database, FileScan, FilesTable } from '../../db/types.js';

// biome-ignore lint/complexity/noBannedTypes: a FROM with nothing selected yet
type FilesSource = SelectQueryBuilder<Database, 'files', {}>;

export interface ListFilter {
  chatId?: string;
  uploaderRole?: 'visitor' | 'agent' | 'bot';
  type?: string;
  from?: string;
  to?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

/** How many newest rows (under the other filters) a name search reads before it turns to the text index. */
export const NAME_PROBE_ROWS = 2000;

/** List File's keyset: a page continues after (created_at, id) of its last row. */
export const fileCursor = (f: Pick<FilesTable, 'created_at' | 'id'>) => `${f.created_at}~${f.id}`;

function parseCursor(cursor: string): [string, string] {
  const at = cursor.indexOf('~');
  return at < 0 ? [cursor, ''] : [cursor.slice(0, at), cursor.slice(at + 1)];
}

const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Every List File filter but the name, in the order of one of the files_ws_* indexes. */
function filtered(db: Db, workspaceId: string, f: ListFilter, source: FilesSource = db.selectFrom('files')) {
  let q = source.selectAll('files').where('files.workspace_id', '=', workspaceId);
  if (f.chatId) q = q.where('files.chat_id', '=', f.chatId);
  if (f.uploaderRole) q = q.where('files.uploader_role', '=', f.uploaderRole);
  if (f.type) q = q.where('files.extension', '=', f.type.toLowerCase().replace(/^\./, ''));
  if (f.from) q = q.where('files.created_at', '>=', f.from);
  if (f.to) q = q.where('files.created_at', '<=', f.to);
  if (f.cursor) {
    const [at, id] = parseCursor(f.cursor);
    q = q.where((eb) => eb(eb.refTuple('files.created_at', 'files.id'), '<', eb.tuple(at, id)));
  }
  return q.orderBy('files.created_at', 'desc').orderBy('files.id', 'desc');
}

const nameLike = (q: string, table = 'files') =>
  sql<boolean>`lower(${sql.ref(`${table}.name`)}) like ${likePattern(q)} escape '\\'`;

export const filesRepo = {
  /** Which of these keys a file row holds as its bytes (reconciliation: the others are crash leftovers). */
  async heldStorageKeys(db: Db, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await db.selectFrom('files').select('storage_key').where('storage_key', 'in', keys).execute();
    return new Set(rows.map((r) => r.storage_key));
  },
  insert: (db: Db, rows: FilesTable[]) => db.insertInto('files').values(rows).execute(),
  byId: (db: Db, id: string) => db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst(),
  /** List File by walking the matching index newest first; a name filter is checked row by row. */
  listForWorkspace(db: Db, workspaceId: string, f: ListFilter) {
    const q = filtered(db, workspaceId, f);
    return (f.q ? q.where(nameLike(f.q)) : q).limit(f.limit);
  },
  /**
   * A name search among the newest NAME_PROBE_ROWS rows only (cheap whatever the table's size): enough when the name
   * is common. `window` counts those rows: fewer than NAME_PROBE_ROWS means they were all the rows there are.
   */
  nameProbe(db: Db, workspaceId: string, f: ListFilter & { q: string }) {
    const newest = filtered(db, workspaceId, { ...f, q: undefined }).limit(NAME_PROBE_ROWS);
    return {
      matches: db
        .selectFrom(newest.as('newest'))
        .selectAll()
        .where(nameLike(f.q, 'newest'))
        .orderBy('newest.created_at', 'desc')
        .orderBy('newest.id', 'desc')
        .limit(f.limit),
      window: db
        .selectFrom(newest.clearSelect().select('files.id').as('w'))
        .select((eb) => eb.fn.countAll<number>().as('n')),
    };
  },
  /**
   * A name search driven by the text index (a rare name): SQLite's FTS5 trigram table gives the candidates, PostgreSQL
   * reads them through the pg_trgm index in a materialized step; the exact match and the order are checked on top.
   * Names shorter than 3 characters have no trigram and are searched by listForWorkspace.
   */
  searchByName(db: Db, dialect: Dialect, workspaceId: string, f: ListFilter & { q: string }) {
    if (dialect === 'sqlite') {
      const phrase = `"${f.q.replace(/"/g, '""')}"`;
      return filtered(db, workspaceId, f)
        .where(sql<boolean>`files.rowid in (select rowid from files_name_fts where files_name_fts match ${phrase})`)
        .where(nameLike(f.q))
        .limit(f.limit);
    }
    // MATERIALIZED keeps the planner from walking the whole table in order and testing each name instead.
    const named = db
      .with(
        (cte) => cte('named').materialized(),
        (w) => w.selectFrom('files').selectAll().where('workspace_id', '=', workspaceId).where(nameLike(f.q)),
      )
      .selectFrom('named as files') as unknown as FilesSource;
    return filtered(db, workspaceId, f, named).limit(f.limit);
  },
  /** These ids among the workspace's files (another workspace's ids are simply not found), oldest first. */
  inWorkspace: (db: Db, workspaceId: string, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([] as FilesTable[])
      : db
          .selectFrom('files')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('id', 'in', ids)
          .orderBy('id')
          .execute(),
  forChat: (db: Db, chatId: string) =>
    db.selectFrom('files').selectAll().where('chat_id', '=', chatId).orderBy('id', 'desc'),
  /** Records a made thumbnail; false when the file was deleted meanwhile. */
  async setThumbnail(db: Db, id: string, thumbnailKey: string): Promise<boolean> {
    const r = await db
      .updateTable('files')
      .set({ thumbnail_key: thumbnailKey })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  ofMessage: (db: Db, messageId: string) =>
    db.selectFrom('files').selectAll().where('message_id', '=', messageId).orderBy('id').execute(),
  setScan: (db: Db, id: string, scan: FileScan, scannedAt: string | null) =>
    db.updateTable('files').set({ scan, scanned_at: scannedAt }).where('id', '=', id).execute(),
  markInfected: (db: Db, id: string, quarantineKey: string, signature: string, at: string) =>
    db
      .updateTable('files')
      .set({
        scan: 'infected',
        scan_signature: signature,
        scanned_at: at,
        storage_key: quarantineKey,
        thumbnail_key: null,
      })
      .where('id', '=', id)
      .execute(),
  /** Releases a quarantined file; false when another request released it first (one release, one set of forwards). */
  markReleased: async (db: Db, id: string, storageKey: string, at: string, by: string | null) => {
    const r = await db
      .updateTable('files')
      .set({ storage_key: storageKey, released_at: at, released_by: by })
      .where('id', '=', id)
      .where('scan', '=', 'infected')
      .where('released_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  delete: (db: Db, id: string) => db.deleteFrom('files').where('id', '=', id).execute(),
  /** Deletes the rows; resolves to the ids this call deleted (not those another transaction deleted first). */
  deleteMany: async (db: Db, ids: string[]): Promise<string[]> =>
    ids.length === 0
      ? []
      : (await db.deleteFrom('files').where('id', 'in', ids).returning('id').execute()).map((r) => r.id),
  /** File names by id (the delivery log names what it forwarded). */
  /** What the customer's callback answered for a file: its id and URL on their side. */
  setRemote: (db: Db, id: string, uid: string | null, url: string | null) =>
    db.updateTable('files').set({ remote_uid: uid, remote_url: url }).where('id', '=', id).execute(),
  namesOf: async (db: Db, ids: string[]): Promise<Map<string, string>> => {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('files').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  },
  byIds: (db: Db, ids: string[]) =>
    ids.length === 0 ? Promise.resolve([]) : db.selectFrom('files').selectAll().where('id', 'in', ids).execute(),
};
