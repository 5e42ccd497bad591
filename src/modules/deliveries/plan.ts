// When a file is accepted, one delivery per enabled integration is written in the same transaction as the file's
// row, so a file is never committed without its forwards (and a forward never exists without its file).
import type { Db } from '../../db/index.js';
import { newId, nowIso } from '../../ids.js';
import { buildS3Key } from './targets/s3.js';

export interface PlannedFile { id: string; workspace_id: string; chat_id: string; name: string }

export async function planDeliveries(trx: Db, files: PlannedFile[], only?: 's3' | 'callback'): Promise<number> {
  if (files.length === 0) return 0;
  const workspaceId = files[0]!.workspace_id;
  const s3 = await trx.selectFrom('s3_integrations').select(['folder', 'disabled']).where('workspace_id', '=', workspaceId).executeTakeFirst();
  const callback = await trx.selectFrom('callback_integrations').select(['disabled']).where('workspace_id', '=', workspaceId).executeTakeFirst();
  const now = nowIso();
  const rows = [];
  const taken = new Map<string, Set<string>>();
  for (const f of files) {
    if (s3 && s3.disabled === 0 && only !== 'callback') {
      let names = taken.get(f.chat_id);
      if (!names) {
        const keys = await trx.selectFrom('deliveries').select('s3_key').where('chat_id', '=', f.chat_id).where('kind', '=', 's3').execute();
        names = new Set(keys.map((k) => (k.s3_key ?? '').split('/').pop()!).filter(Boolean));
        taken.set(f.chat_id, names);
      }
      const key = buildS3Key(s3.folder, f.chat_id, f.name, names);
      rows.push({ kind: 's3' as const, file: f, s3Key: key });
    }
    if (callback && callback.disabled === 0 && only !== 's3') rows.push({ kind: 'callback' as const, file: f, s3Key: null });
  }
  if (rows.length === 0) return 0;
  await trx.insertInto('deliveries').values(rows.map((r) => ({
    id: newId(), workspace_id: r.file.workspace_id, file_id: r.file.id, chat_id: r.file.chat_id, kind: r.kind, status: 'pending' as const,
    attempts: 0, next_attempt_at: now, lease_owner: null, lease_until: null, last_error: null, remote_uid: null, remote_url: null,
    s3_key: r.s3Key, created_at: now, updated_at: now,
  }))).execute();
  return rows.length;
}
