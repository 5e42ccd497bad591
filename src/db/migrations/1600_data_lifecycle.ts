// Data lifecycle and accountability (issue 16): the append-only audit log, per-workspace retention settings, the
// storage quota, and each integration's "Also delete forwarded copies" switch.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_ws_id').on('audit_log').columns(['workspace_id', 'id']).execute();
  await db.schema.createIndex('audit_log_actor_id').on('audit_log').columns(['actor_id', 'id']).execute();
  // Append-only: an entry can be pruned by its retention but never rewritten.
  if (dialect === 'postgres') {
    await sql`create function audit_log_append_only() returns trigger as $$
      begin raise exception 'audit_log is append-only'; end $$ language plpgsql`.execute(db);
    await sql`create trigger audit_log_no_update before update on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }

  await db.schema
    .createTable('retention_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('files_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('visitor_files_days', 'integer')
    .addColumn('agent_files_days', 'integer')
    .addColumn('closed_chats_days', 'integer')
    .addColumn('audit_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('workspaces').addColumn('quota_bytes', 'bigint').execute();
  await db.schema
    .alterTable('s3_integrations')
    .addColumn('delete_copies', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('callback_integrations')
    .addColumn('delete_copies', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Retention scans by age; erasure and usage scan by chat and workspace.
  await db.schema.createIndex('files_ws_created').on('files').columns(['workspace_id', 'created_at']).execute();
  await db.schema.createIndex('chats_ws_closed').on('chats').columns(['workspace_id', 'closed_at']).execute();
}
