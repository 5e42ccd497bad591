// Issue 14: resumable (tus) uploads. One row per upload: who owns it (workspace, chat, side, uploader), what it will
// become (name, declared size, bot request, text), its state, and when it expires. The bytes live in the tus store.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resumable_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('uploader_role', 'text', (c) => c.notNull())
    .addColumn('uploader_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('extension', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('text', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('resumable_uploads_status_expires')
    .on('resumable_uploads')
    .columns(['status', 'expires_at'])
    .execute();
}
