// When a file is accepted, one delivery per enabled integration is written in the same transaction as the file's
// row, so a file is never committed without its forwards (and a forward never exists without its file).
import type { Db } from '../../db/index.js';
import { newId, nowIso } from '../../ids.js';
import { integrationsRepo } from '../integrations/repo.js';
import { deliveriesRepo } from './repo.js';
import { buildS3Key } from './targets/s3.js';

export interface PlannedFile {
  id: string;
  workspace_id: string;
  chat_id: string;
  name: string;
}

export async function planDeliveries(trx: Db, files: PlannedFile[], only?: 's3' | 'callback'): Promise<number> {
  if (files.length === 0) return 0;
  const workspaceId = files[0]!.workspace_id;
  const s3 = await integrationsRepo.s3.get(trx, workspaceId);
  const callback = await integrationsRepo.callback.get(trx, workspaceId);
  const now = nowIso();
  const rows = [];
  const taken = new Map<string, Set<string>>();
  for (const f of files) {
    if (s3 && s3.disabled === 0 && only !== 'callback') {
      let names = taken.get(f.chat_id);
      if (!names) {
        names = await deliveriesRepo.s3NamesOfChat(trx, f.chat_id);
        taken.set(f.chat_id, names);
      }
      const key = buildS3Key(s3.folder, f.chat_id, f.name, names);
      rows.push({ kind: 's3' as const, file: f, s3Key: key });
    }
    if (callback && callback.disabled === 0 && only !== 's3')
      rows.push({ kind: 'callback' as const, file: f, s3Key: null });
  }
  if (rows.length === 0) return 0;
  await deliveriesRepo.insert(
    trx,
    rows.map((r) => ({
      id: newId(),
      workspace_id: r.file.workspace_id,
      file_id: r.file.id,
      chat_id: r.file.chat_id,
      kind: r.kind,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      remote_uid: null,
      remote_url: null,
      s3_key: r.s3Key,
      created_at: now,
      updated_at: now,
    })),
  );
  return rows.length;
}

/**
 * "Also delete forwarded copies": for files about to be deleted, one s3-delete per object Parley put (or may be
 * putting) in the workspace's bucket, and one callback-event per file the receiver took (or may have), each written
 * in the deleting transaction and delivered (recorded, retried, dead) like any other delivery. Not-yet-sent
 * forwards of those files are dropped in the same transaction.
 */
export async function planDeletions(trx: Db, files: PlannedFile[]): Promise<number> {
  if (files.length === 0) return 0;
  const workspaceId = files[0]!.workspace_id;
  const ids = files.map((f) => f.id);
  const s3 = await integrationsRepo.s3.get(trx, workspaceId);
  const callback = await integrationsRepo.callback.get(trx, workspaceId);
  const forwards = await deliveriesRepo.forwardsOf(trx, ids);
  // A callback whose answer never came may have been stored by the receiver all the same (it took the file, then
  // timed out): it is told too. An answer that refused the file (a non-2xx, status 1) means no copy. A failed S3 put
  // leaves no object (the store aborts an unfinished multipart upload).
  const unanswered = await deliveriesRepo.unanswered(
    trx,
    forwards.filter((d) => d.kind === 'callback' && d.status !== 'succeeded').map((d) => d.id),
  );
  const now = nowIso();
  const rows = [];
  for (const d of forwards) {
    // Sent, being sent right now (leased), or sent without an answer: the copy exists, is about to, or may.
    const mayExist =
      d.status === 'succeeded' || (d.lease_until !== null && d.lease_until > now) || unanswered.has(d.id);
    if (!mayExist) continue;
    if (d.kind === 's3' && s3?.delete_copies === 1 && s3.disabled === 0 && d.s3_key)
      rows.push({ ...d, kind: 's3-delete' as const });
    if (d.kind === 'callback' && callback?.delete_copies === 1 && callback.disabled === 0)
      rows.push({ ...d, kind: 'callback-event' as const });
  }
  await deliveriesRepo.dropUnsentForwards(trx, ids, now);
  if (rows.length === 0) return 0;
  await deliveriesRepo.insert(
    trx,
    rows.map((d) => ({
      id: newId(),
      workspace_id: d.workspace_id,
      file_id: d.file_id,
      chat_id: d.chat_id,
      kind: d.kind,
      status: 'pending' as const,
      attempts: 0,
      // After the forward's lease, so a copy still being sent is deleted once it has landed.
      next_attempt_at: d.lease_until && d.lease_until > now ? d.lease_until : now,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      remote_uid: d.remote_uid,
      remote_url: null,
      s3_key: d.s3_key,
      created_at: now,
      updated_at: now,
    })),
  );
  return rows.length;
}
