// "Nothing left behind": counts what a workspace holds in the database, in storage and in temp files.
import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from './server.js';

export async function snapshot(s: TestServer, workspaceId = s.workspaceId) {
  // Thumbnails of earlier accepted uploads are written in the background; let them finish first.
  await s.parley.idle();
  const db = s.parley.deps.db;
  const count = async (table: 'files' | 'messages' | 'deliveries') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('workspace_id', '=', workspaceId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const tmpDir = path.join(s.dataDir, 'files', '.tmp');
  return {
    files: await count('files'),
    messages: await count('messages'),
    deliveries: await count('deliveries'),
    // Thumbnails are made after accepted uploads, asynchronously; refused uploads never get that far.
    objects: (await s.parley.deps.storage.list(`ws/${workspaceId}/`)).filter((k) => !k.endsWith('.thumb')).length,
    tempFiles: fs.existsSync(tmpDir) ? fs.readdirSync(tmpDir).length : 0,
  };
}
