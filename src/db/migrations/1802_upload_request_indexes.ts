// Upload requests had only their primary key: a visitor's plain attachment looks up the chat's newest open request
// (files/rules.ts), and turning visitor uploads off walks the workspace's open requests (bot/uploads-off.ts); both
// scanned every request ever made.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('upload_requests_chat_status')
    .on('upload_requests')
    .columns(['chat_id', 'status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('upload_requests_ws_status')
    .on('upload_requests')
    .columns(['workspace_id', 'status', 'created_at'])
    .execute();
}
