// "Nothing left behind": counts what a workspace holds in the database, in storage and in temp files.
import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from './server.js';

export async function snapshot(s: TestServer, workspaceId = s.workspaceId) {
  const db = s.parley.deps.db;
  const count = async (table: 'files' | 'messages' | 'deliveries') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow()).n);
  const tmpDir = path.join(s.dataDir, 'files', '.tmp');
  return {
    files: await count('files'),
    messages: await count('messages'),
    deliveries: await count('deliveries'),
    objects: (await s.parley.deps.storage.list(`ws/${workspaceId}/`)).length,
    tempFiles: fs.existsSync(tmpDir) ? fs.readdirSync(tmpDir).length : 0,
  };
}
