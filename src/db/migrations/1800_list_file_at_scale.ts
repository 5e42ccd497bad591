// Issue 18: List File, the chat's file panel and the delivery log at a million rows. Every list walks an index in its
// own order (created_at, id — the keyset), so a page reads about a page of rows whatever the filter; deliveries are
// found by file_id (the page's deliveries were a full scan); names are searched through a real text index: SQLite
// FTS5 with the trigram tokenizer, PostgreSQL pg_trgm (a database without pg_trgm keeps the ordered walk, see below).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  // List File: newest first by (created_at, id) under each filter that is an equality.
  for (const old of ['files_ws_created', 'files_ws_chat_id', 'files_ws_role_id', 'files_ws_ext_id']) {
    await db.schema.dropIndex(old).execute();
  }
  await db.schema
    .createIndex('files_ws_created_id')
    .on('files')
    .columns(['workspace_id', 'created_at', 'id'])
    .execute();
  for (const [name, column] of [
    ['files_ws_chat_created', 'chat_id'],
    ['files_ws_role_created', 'uploader_role'],
    ['files_ws_ext_created', 'extension'],
  ] as const) {
    await db.schema.createIndex(name).on('files').columns(['workspace_id', column, 'created_at', 'id']).execute();
  }
  // The chat's file panel (visitor and staff) asks by chat alone.
  await db.schema.createIndex('files_chat_id').on('files').columns(['chat_id', 'id']).execute();

  // The delivery log, newest first under each filter; a file's deliveries by file_id.
  await db.schema.dropIndex('deliveries_ws_file').execute();
  await db.schema.createIndex('deliveries_file_id').on('deliveries').columns(['file_id', 'id']).execute();
  await db.schema.createIndex('deliveries_ws_id').on('deliveries').columns(['workspace_id', 'id']).execute();
  await db.schema
    .createIndex('deliveries_ws_status_id')
    .on('deliveries')
    .columns(['workspace_id', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('deliveries_ws_kind_id')
    .on('deliveries')
    .columns(['workspace_id', 'kind', 'id'])
    .execute();
  await db.schema.createIndex('deliveries_chat_id').on('deliveries').columns(['chat_id', 'id']).execute();

  if (dialect === 'sqlite') {
    // External-content FTS5 over files.name, kept in step by triggers; trigram = substring search, case-folded.
    await sql`create virtual table files_name_fts using fts5(name, content='files', content_rowid='rowid',
      tokenize='trigram')`.execute(db);
    await sql`create trigger files_name_fts_insert after insert on files begin
      insert into files_name_fts(rowid, name) values (new.rowid, new.name); end`.execute(db);
    await sql`create trigger files_name_fts_delete after delete on files begin
      insert into files_name_fts(files_name_fts, rowid, name) values ('delete', old.rowid, old.name); end`.execute(db);
    await sql`create trigger files_name_fts_update after update of name on files begin
      insert into files_name_fts(files_name_fts, rowid, name) values ('delete', old.rowid, old.name);
      insert into files_name_fts(rowid, name) values (new.rowid, new.name); end`.execute(db);
    await sql`insert into files_name_fts(files_name_fts) values ('rebuild')`.execute(db);
    return;
  }
  // pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (PG ≥ 13): the database owner may create it.
  // Where it is not installed the search falls back to the ordered walk (correct, but in proportion to the table).
  const available = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions
    where name = 'pg_trgm'`.execute(db);
  if (!available.rows[0]?.n) return;
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index files_name_trgm on files using gin (lower(name) gin_trgm_ops)`.execute(db);
}
