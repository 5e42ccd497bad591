// Held files: a message whose files wait for their malware scan is seen only by its uploader's side. The files.scan
// job decides each pending file from storage; clean ones are released (announced to the other side, forwarded,
// thumbnailed), infected ones move to the quarantine area and both sides get "File blocked: it contains malware".
// An admin may later release a quarantined file after confirming.
import type { Deps } from '../../deps.js';
import type { FilesTable, MessageRow } from '../../db/types.js';
import { AppError, notFound } from '../../errors.js';
import { nowIso } from '../../ids.js';
import type { JobHandler } from '../../jobs/index.js';
import { jobsRepo } from '../../jobs/repo.js';
import { chatsRepo } from '../chats/repo.js';
import { insertAndPublish, visitorAudience } from '../chats/service.js';
import { messageViews } from '../chats/view.js';
import { planDeliveries } from '../deliveries/plan.js';
import { filesRepo } from './repo.js';
import { scanStored } from './scan-stored.js';
import { wantsThumbnail } from './thumbnail.js';
import { fileView } from './view.js';
import { withAudit, type AuditActor } from '../audit/record.js';

/** A scanner that stays down keeps the job retrying with backoff for about a day before it is dead. */
export const SCAN_JOB_ATTEMPTS = 30;
export const BLOCKED_TEXT = 'File blocked: it contains malware';
export const quarantineKeyOf = (storageKey: string) => `quarantine/${storageKey}`;
const fromQuarantine = (key: string) => key.replace(/^quarantine\//, '');

/** The upload's answer and live event for a held message: the uploader's side only. */
export async function announceHeld(
  deps: Deps,
  messageRow: MessageRow,
  rows: FilesTable[],
  uploaderRole: 'visitor' | 'agent',
) {
  if (uploaderRole === 'visitor') {
    const [message] = await messageViews(deps.db, [messageRow], visitorAudience(deps));
    deps.realtime.toChatVisitor(messageRow.chat_id, 'message.created', { message });
    return { files: rows.map((r) => fileView(r, visitorAudience(deps))), message: message! };
  }
  const [message] = await messageViews(deps.db, [messageRow], { kind: 'staff' });
  deps.realtime.toWorkspaceAgents(messageRow.workspace_id, 'message.created', { message });
  return { files: rows.map((r) => fileView(r, { kind: 'staff' })), message: message! };
}

/** Announces a message to both sides: `created` for the side that never saw it, `updated` for the one that did. */
async function announceReleased(deps: Deps, row: MessageRow) {
  const uploaderSide = row.author_role === 'visitor' ? 'visitor' : 'staff';
  const [forVisitor] = await messageViews(deps.db, [row], visitorAudience(deps));
  const [forStaff] = await messageViews(deps.db, [row], { kind: 'staff' });
  deps.realtime.toChatVisitor(row.chat_id, uploaderSide === 'visitor' ? 'message.updated' : 'message.created', {
    message: forVisitor,
  });
  deps.realtime.toWorkspaceAgents(row.workspace_id, uploaderSide === 'staff' ? 'message.updated' : 'message.created', {
    message: forStaff,
  });
}

/** Moves an infected file's bytes to the quarantine area and records the verdict. */
async function quarantine(deps: Deps, f: FilesTable, signature: string) {
  const target = quarantineKeyOf(f.storage_key);
  await deps.storage.put(target, await deps.storage.get(f.storage_key));
  await filesRepo.markInfected(deps.db, f.id, target, signature, nowIso());
  await deps.storage.delete(f.storage_key);
  if (f.thumbnail_key) await deps.storage.delete(f.thumbnail_key);
  deps.log.warn({ fileId: f.id, workspaceId: f.workspace_id, signature }, 'malware found: file quarantined');
}

/** Forwards, thumbnails and announces the clean files of a message, in one transaction with its release. */
async function release(deps: Deps, messageId: string) {
  const released = await deps.db.transaction().execute(async (trx) => {
    if (!(await chatsRepo.unholdMessage(trx, messageId))) return undefined;
    const files = await filesRepo.ofMessage(trx, messageId);
    const clean = files.filter((f) => f.scan === 'clean');
    await planDeliveries(trx, clean);
    const images = clean.filter((r) => wantsThumbnail(r.mime_type, Number(r.size))).map((r) => r.id);
    if (images.length > 0)
      await jobsRepo.enqueue(trx, { kind: 'files.thumbnails', payload: { messageId, fileIds: images } });
    return { files, clean };
  });
  if (!released) return;
  const row = (await chatsRepo.messageById(deps.db, messageId))!;
  await announceReleased(deps, row);
  if (released.files.some((f) => f.scan === 'infected')) {
    await insertAndPublish(deps, {
      chat_id: row.chat_id,
      workspace_id: row.workspace_id,
      author_role: 'system',
      author_id: null,
      text: BLOCKED_TEXT,
      kind: 'event',
      file_ids: null,
      request_id: null,
      meta: JSON.stringify({ event: 'file.blocked' }),
    });
  }
  deps.jobs.wake();
  await deps.events.emit('deliveries.queued', { workspaceId: row.workspace_id });
  if (released.clean.length > 0)
    await deps.events.emit('files.accepted', {
      chatId: row.chat_id,
      workspaceId: row.workspace_id,
      messageId,
      fileIds: released.clean.map((f) => f.id),
    });
  if (row.request_id)
    await deps.events.emit('upload-request.answered', { chatId: row.chat_id, requestId: row.request_id });
}

/** The durable files.scan job: scans each pending file of a held message, then releases the message. */
export function scanJob(deps: Deps): JobHandler<'files.scan'> {
  return {
    backoffSeconds: (attempt) => Math.min(3600, 5 * 2 ** (attempt - 1)),
    async run({ messageId }) {
      // No scanner configured any more (the operator removed PARLEY_CLAMAV): the files are released unscanned.
      for (const f of await filesRepo.ofMessage(deps.db, messageId)) {
        if (f.scan !== 'pending') continue;
        if (!deps.scanner) {
          await filesRepo.setScan(deps.db, f.id, 'skipped', null);
          continue;
        }
        // SCANNER_UNAVAILABLE throws: the job is retried with backoff until clamd is back.
        const verdict = await scanStored(deps.scanner, deps.storage, f.storage_key, Number(f.size));
        if (verdict.infected) await quarantine(deps, f, verdict.signature);
        else await filesRepo.setScan(deps.db, f.id, 'clean', nowIso());
      }
      await release(deps, messageId);
    },
  };
}

/** An admin releases a quarantined file after confirming: its bytes come back, it is announced and forwarded. */
export async function releaseQuarantined(
  deps: Deps,
  workspaceId: string,
  fileId: string,
  byUserId: string | null,
  who: AuditActor,
) {
  const f = await filesRepo.byId(deps.db, fileId);
  if (!f || f.workspace_id !== workspaceId) throw notFound('No such file');
  const notQuarantined = () => new AppError('CONFLICT', 'Only a quarantined file can be released');
  if (f.scan !== 'infected' || f.released_at) throw notQuarantined();
  const target = fromQuarantine(f.storage_key);
  // Two confirmations at once: the one whose update wins releases; the other answers as if it came second (its copy
  // of the same bytes is harmless, the quarantine copy may already be gone).
  await deps.storage.get(f.storage_key).then(
    (bytes) => deps.storage.put(target, bytes),
    async (err) => {
      if ((await filesRepo.byId(deps.db, fileId))?.released_at) throw notQuarantined();
      throw err;
    },
  );
  const entry = {
    workspaceId,
    action: 'file.released' as const,
    target: `file:${f.id}`,
    details: { signature: f.scan_signature },
  };
  await withAudit(deps.db, who, entry, async (trx) => {
    if (!(await filesRepo.markReleased(trx, f.id, target, nowIso(), byUserId))) throw notQuarantined();
    await planDeliveries(trx, [f]);
    if (wantsThumbnail(f.mime_type, Number(f.size)) && f.message_id)
      await jobsRepo.enqueue(trx, { kind: 'files.thumbnails', payload: { messageId: f.message_id, fileIds: [f.id] } });
  });
  await deps.storage.delete(f.storage_key);
  deps.log.warn({ fileId, workspaceId, signature: f.scan_signature, by: byUserId }, 'quarantined file released');
  const row = f.message_id ? await chatsRepo.messageById(deps.db, f.message_id) : undefined;
  if (row) {
    const [forVisitor] = await messageViews(deps.db, [row], visitorAudience(deps));
    const [forStaff] = await messageViews(deps.db, [row], { kind: 'staff' });
    deps.realtime.toChatVisitor(row.chat_id, 'message.updated', { message: forVisitor });
    deps.realtime.toWorkspaceAgents(row.workspace_id, 'message.updated', { message: forStaff });
  }
  deps.jobs.wake();
  await deps.events.emit('deliveries.queued', { workspaceId });
  return (await filesRepo.byId(deps.db, fileId))!;
}
