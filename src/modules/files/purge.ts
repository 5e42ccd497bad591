// The one way files are deleted (one by an admin, in bulk, by retention, by a visitor's erasure): one transaction
// removes the rows, drops their unsent forwards, plans the deletion of forwarded copies, enqueues the removal of the
// bytes as a durable job and writes the audit entry; then the bytes, thumbnails and previews go and open chats are
// told. A crash after the commit leaves the job, which removes the bytes on another attempt.
import type { Deps } from '../../deps.js';
import type { Db } from '../../db/index.js';
import type { FilesTable } from '../../db/types.js';
import { jobsRepo } from '../../jobs/repo.js';
import { chatsRepo } from '../chats/repo.js';
import { filesRepo } from './repo.js';
import { publishMessage } from '../chats/service.js';
import { planDeletions } from '../deliveries/plan.js';
import { recordAudit, type AuditActor } from '../audit/record.js';

export type PurgeVia = 'manual' | 'bulk' | 'retention' | 'erasure';

/** Every stored object of a file: its bytes, its thumbnail, and a preview when one was made. */
export function blobKeys(f: FilesTable): string[] {
  const preview = (f as { preview_key?: string | null }).preview_key;
  return [f.storage_key, f.thumbnail_key, preview].filter((k): k is string => !!k);
}

/**
 * The transactional half: rows, forwards, deletions of copies, the blob job and (unless erasure) audit entries.
 * Resolves to the files this transaction deleted: one deleted by a concurrent purge first is left to that one.
 */
export async function purgeRows(trx: Db, all: FilesTable[], who: AuditActor, via: PurgeVia): Promise<FilesTable[]> {
  // Rows first: on PostgreSQL the delete waits for a concurrent one's commit and then finds the row gone, so each
  // file's copies are deleted and its entry written once.
  const deleted = new Set(
    await filesRepo.deleteMany(
      trx,
      all.map((f) => f.id),
    ),
  );
  const files = all.filter((f) => deleted.has(f.id));
  if (files.length === 0) return files;
  // planDeletions groups by workspace; callers pass one workspace's files.
  await planDeletions(trx, files);
  await jobsRepo.enqueue(trx, { kind: 'files.delete_blobs', payload: { keys: files.flatMap(blobKeys) } });
  // An erasure leaves one entry without personal data (visitor.erased); the others one entry per file.
  if (via === 'erasure') return files;
  for (const f of files)
    await recordAudit(trx, who, {
      workspaceId: f.workspace_id,
      action: 'file.deleted',
      target: `file:${f.id}`,
      details: { via, chatId: f.chat_id, size: Number(f.size), type: f.extension },
    });
  return files;
}

/** After the commit: remove the bytes now (the job is the safety net) and update the chats that show these files. */
export async function afterPurge(deps: Deps, files: FilesTable[], opts: { announce: boolean }): Promise<void> {
  await Promise.allSettled(files.flatMap(blobKeys).map((k) => deps.storage.delete(k)));
  deps.jobs.wake();
  if (files.length > 0) await deps.events.emit('deliveries.queued', { workspaceId: files[0]!.workspace_id });
  if (!opts.announce) return;
  const messageIds = [...new Set(files.map((f) => f.message_id).filter((m): m is string => !!m))];
  for (const messageId of messageIds) {
    const m = await chatsRepo.messageById(deps.db, messageId);
    if (!m) continue;
    // Open chat views replace the message (now showing "File deleted") without a reload.
    await publishMessage(deps, m, 'message.updated');
    for (const f of files.filter((x) => x.message_id === messageId)) {
      const payload = { messageId: m.id, chatId: m.chat_id, fileId: f.id };
      deps.realtime.toChatVisitor(m.chat_id, 'file.deleted', payload);
      deps.realtime.toWorkspaceAgents(m.workspace_id, 'file.deleted', payload);
    }
  }
}

/**
 * Deletes files of one workspace and everything they left: rows, bytes, forwarded copies (when configured).
 * Resolves to how many of them this call deleted.
 */
export async function purgeFiles(deps: Deps, all: FilesTable[], who: AuditActor, via: PurgeVia): Promise<number> {
  if (all.length === 0) return 0;
  const files = await deps.db.transaction().execute((trx) => purgeRows(trx, all, who, via));
  await afterPurge(deps, files, { announce: true });
  return files.length;
}

/** The durable job that removes bytes whose rows are gone (idempotent: a missing object is not an error). */
export const deleteBlobsJob = (deps: Deps) => ({
  async run(payload: { keys: string[] }) {
    for (const key of payload.keys) await deps.storage.delete(key);
  },
});
