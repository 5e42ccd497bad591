// Content safety (issue 15): each file's malware-scan state and quarantine, messages held until their files are
// scanned, and the workspace's content-safety settings. Files that existed before scanning are "skipped".
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('files')
    .addColumn('scan', 'text', (c) => c.notNull().defaultTo('skipped'))
    .execute();
  await db.schema.alterTable('files').addColumn('scan_signature', 'text').execute();
  await db.schema.alterTable('files').addColumn('scanned_at', 'text').execute();
  await db.schema.alterTable('files').addColumn('released_at', 'text').execute();
  await db.schema.alterTable('files').addColumn('released_by', 'text').execute();
  await db.schema.createIndex('files_scan').on('files').columns(['workspace_id', 'scan']).execute();
  await db.schema
    .alterTable('messages')
    .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('content_safety_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('when_scanner_down', 'text', (c) => c.notNull().defaultTo('refuse'))
    .addColumn('strip_photo_metadata', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
