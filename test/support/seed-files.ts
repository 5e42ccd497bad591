// Seeds a workspace with many files and one delivery each, generated inside the database (INSERT … SELECT over a
// series), so a million rows take seconds rather than minutes. Used by the List File plan test and bench/list-files.
// Shape: 1 file in 3 is a png, uploaders alternate visitor/agent, 200 files per chat, one file a second, and one name
// in 100,000 is rare ("contract-…"); every delivery is succeeded except 1 in 50 (dead).
import { sql } from 'kysely';
import type { Db, Dialect } from '../../src/db/index.js';

export const SEED_START = Date.parse('2025-01-01T00:00:00Z');
export const seedTime = (n: number) => new Date(SEED_START + n * 1000).toISOString();

/** A workspace with one visitor and the chats that seedFiles(count) spreads its files over (200 files a chat). */
export async function seedWorkspace(db: Db, id: string, count = 0): Promise<void> {
  const at = new Date().toISOString();
  const workspace = { id, name: id, widget_key: `wk-${id}`, created_at: at, quota_bytes: null };
  await db.insertInto('workspaces').values(workspace).execute();
  const visitor = { id: `${id}-v`, workspace_id: id, token_hash: `th-${id}`, created_at: at };
  await db.insertInto('visitors').values(visitor).execute();
  const chats = Array.from({ length: Math.max(1, Math.floor(count / 200)) }, (_, i) => ({
    id: `${id}-c${i}`,
    workspace_id: id,
    ref: `${id}-r${i}`,
    visitor_id: `${id}-v`,
    status: 'open' as const,
    assignee_id: null,
    bot_flow_version: null,
    bot_state: null,
    created_at: at,
    updated_at: at,
    closed_at: null,
    last_message_at: null,
  }));
  for (let i = 0; i < chats.length; i += 2000)
    await db
      .insertInto('chats')
      .values(chats.slice(i, i + 2000))
      .execute();
}

export async function seedFiles(db: Db, dialect: Dialect, ws: string, count: number, batch = 100_000): Promise<void> {
  const chats = Math.max(1, Math.floor(count / 200));
  for (let from = 0; from < count; from += batch) {
    const to = Math.min(count, from + batch) - 1;
    await (dialect === 'sqlite' ? sqliteBatch : pgBatch)(db, ws, from, to, chats);
  }
  // As autovacuum would leave them: statistics, visibility map and hint bits (PostgreSQL), statistics (SQLite).
  if (dialect === 'postgres')
    for (const t of ['files', 'deliveries']) await sql`vacuum analyze ${sql.table(t)}`.execute(db);
  else await sql`analyze`.execute(db);
}

async function sqliteBatch(db: Db, ws: string, from: number, to: number, chats: number) {
  const base = SEED_START / 1000;
  const series = sql`with recursive s(n) as
    (select cast(${from} as integer) union all select n + 1 from s where n < ${to})`;
  const at = sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${base} + n, 'unixepoch')`;
  const fileId = sql`${ws} || '-f' || printf('%09d', n)`;
  await sql`insert into files (id, workspace_id, chat_id, message_id, name, size, mime_type, extension, sha256,
      storage_key, uploader_role, created_at, scan)
    ${series} select ${fileId}, ${ws}, ${ws} || '-c' || (n % cast(${chats} as integer)),
      null, case when n % 100000 = 77 then 'contract-' || n || '.pdf' when n % 3 = 0 then 'photo ' || n || '.png'
        else 'invoice-' || n || '.pdf' end,
      1000, case when n % 3 = 0 then 'image/png' else 'application/pdf' end,
      case when n % 3 = 0 then 'png' else 'pdf' end, 'x', 'k' || n,
      case when n % 2 = 0 then 'agent' else 'visitor' end, ${at}, 'clean' from s`.execute(db);
  await sql`insert into deliveries (id, workspace_id, file_id, chat_id, kind, status, attempts, next_attempt_at,
      created_at, updated_at)
    ${series} select ${ws} || '-d' || printf('%09d', n), ${ws}, ${fileId},
      ${ws} || '-c' || (n % cast(${chats} as integer)),
      case when n % 2 = 0 then 's3' else 'callback' end, case when n % 50 = 0 then 'dead' else 'succeeded' end,
      1, ${at}, ${at}, ${at} from s`.execute(db);
}

async function pgBatch(db: Db, ws: string, from: number, to: number, chats: number) {
  const base = SEED_START / 1000;
  const at = sql`to_char(to_timestamp(${base}::bigint + n) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const fileId = sql`${ws} || '-f' || lpad(n::text, 9, '0')`;
  const series = sql`generate_series(${from}::int, ${to}::int) as n`;
  await sql`insert into files (id, workspace_id, chat_id, message_id, name, size, mime_type, extension, sha256,
      storage_key, uploader_role, created_at, scan)
    select ${fileId}, ${ws}, ${ws} || '-c' || (n % ${chats}),
      null, case when n % 100000 = 77 then 'contract-' || n || '.pdf' when n % 3 = 0 then 'photo ' || n || '.png'
        else 'invoice-' || n || '.pdf' end,
      1000, case when n % 3 = 0 then 'image/png' else 'application/pdf' end,
      case when n % 3 = 0 then 'png' else 'pdf' end, 'x', 'k' || n,
      case when n % 2 = 0 then 'agent' else 'visitor' end, ${at}, 'clean' from ${series}`.execute(db);
  await sql`insert into deliveries (id, workspace_id, file_id, chat_id, kind, status, attempts, next_attempt_at,
      created_at, updated_at)
    select ${ws} || '-d' || lpad(n::text, 9, '0'), ${ws}, ${fileId}, ${ws} || '-c' || (n % ${chats}),
      case when n % 2 = 0 then 's3' else 'callback' end, case when n % 50 = 0 then 'dead' else 'succeeded' end,
      1, ${at}, ${at}, ${at} from ${series}`.execute(db);
}

/** List File filters (each alone and some combined) over a workspace seeded with `count` files. */
export function listFileFilters(ws: string, count: number) {
  const mid = Math.floor(count / 2);
  return {
    'no filter': {},
    chat: { chatId: `${ws}-c7` },
    uploader: { uploaderRole: 'agent' as const },
    type: { type: 'png' },
    'recent window': { from: seedTime(count - 3600) },
    'old window': { from: seedTime(1000), to: seedTime(4600) },
    'before (old)': { to: seedTime(2000) },
    'deep cursor': { cursor: `${seedTime(mid)}~${ws}-f${String(mid).padStart(9, '0')}` },
    'uploader+type+old window': { uploaderRole: 'visitor' as const, type: 'pdf', to: seedTime(5000) },
    'q common': { q: 'invoice' },
    'q rare': { q: 'contract' },
    'q none': { q: 'no-such-name' },
    'q+type+chat': { q: 'photo', type: 'png', chatId: `${ws}-c7` },
    'q short': { q: '7' },
  };
}

/** Delivery log filters over the same workspace. */
export function deliveryFilters(ws: string, count: number) {
  const mid = Math.floor(count / 2);
  return {
    'no filter': {},
    status: { status: 'dead' as const },
    kind: { kind: 's3' as const },
    file: { fileId: `${ws}-f${String(mid).padStart(9, '0')}` },
    chat: { chatId: `${ws}-c7` },
    'deep cursor': { cursor: `${ws}-d${String(mid).padStart(9, '0')}` },
    'status+kind': { status: 'dead' as const, kind: 'callback' as const },
  };
}
