// Issue 17: one short, readable reference per chat (src/modules/chats/ref.ts), unique within its workspace.
// Existing chats get one here; new chats get theirs when they are created.
import type { Kysely } from 'kysely';
import { newChatRef } from '../../modules/chats/ref.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('chats').addColumn('ref', 'text').execute();
  const rows = (await db.selectFrom('chats').select(['id', 'workspace_id']).execute()) as {
    id: string;
    workspace_id: string;
  }[];
  const taken = new Set<string>();
  for (const r of rows) {
    let ref = newChatRef();
    while (taken.has(`${r.workspace_id}/${ref}`)) ref = newChatRef();
    taken.add(`${r.workspace_id}/${ref}`);
    await db.updateTable('chats').set({ ref }).where('id', '=', r.id).execute();
  }
  await db.schema.createIndex('chats_ws_ref').unique().on('chats').columns(['workspace_id', 'ref']).execute();
}
