// The one commit path of accepted files, whatever brought their bytes (a multipart request or a finished tus upload).
// Order of the truth: the bytes are already durable in storage → one transaction writes the file rows, their message,
// the pending deliveries and the thumbnail job → realtime and domain events. A refusal inside the transaction (the
// chat closed, the bot request closed meanwhile) deletes the stored bytes: nothing of a refused upload remains.
import type { Deps } from '../../deps.js';
import type { Db } from '../../db/index.js';
import { isConnectionFault } from '../../db/resilient.js';
import type { FilesTable, MessageRow } from '../../db/types.js';
import { AppError } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { jobsRepo } from '../../jobs/repo.js';
import { botRepo } from '../bot/repo.js';
import { chatsRepo } from '../chats/repo.js';
import { MAX_TEXT, publishMessage, takeOverIfUnassigned, visitorAudience } from '../chats/service.js';
import type { MessageView } from '../chats/view.js';
import { planDeliveries } from '../deliveries/plan.js';
import { filesRepo } from './repo.js';
import { reserveQuota, type UploadRequest, type Uploader } from './rules.js';
import { giveBack, type Taken } from '../limits/counters.js';
import { wantsThumbnail } from './thumbnail.js';
import { fileView, type FileView } from './view.js';
import { announceHeld, SCAN_JOB_ATTEMPTS } from './release.js';
import { holdWorkspaceQuota } from '../lifecycle/usage.js';

/** A file whose bytes are durable under `storageKey` and have passed the content checks. */
export interface AcceptedFile {
  id: string;
  name: string;
  extension: string;
  size: number;
  sha256: string;
  mimeType: string;
  storageKey: string;
  /**
   * Its malware scan so far: clean (scanned inline), pending (held for the files.scan job), skipped (no scanner).
   * Unset (a finished resumable upload) means pending when a scanner is configured.
   */
  scan?: 'clean' | 'pending' | 'skipped';
}

export interface CommitOptions {
  /** The message text sent with the files (blank → none). */
  text?: string | null;
  /** The bot's upload request these files answer; it must still be open at commit time. */
  request?: UploadRequest;
  /**
   * Runs last in the transaction that writes the files (a finished tus upload moves its row to `committed` there):
   * a throw rolls the whole commit back.
   */
  inTransaction?: (trx: Db) => Promise<void>;
}

export interface CommittedUpload {
  files: FileView[];
  /** The message as the uploader's side sees it. */
  message: MessageView;
}

/** The message text as stored: blank is none; over MAX_TEXT is refused (before any byte, where the route can). */
export function messageText(raw: string | null | undefined): string | null {
  const text = raw?.trim() ? raw : null;
  // The multipart field and the tus metadata are not JSON: refused here like a JSON body's (http/json-body.ts).
  if (text?.includes('\u0000'))
    throw new AppError('VALIDATION_FAILED', 'The message contains a NUL character', {
      fields: { text: 'Contains a NUL character' },
    });
  if (text && text.length > MAX_TEXT)
    throw new AppError('VALIDATION_FAILED', 'The message is too long', {
      fields: { text: `At most ${MAX_TEXT} characters` },
    });
  return text;
}

export async function commitAcceptedFiles(
  deps: Deps,
  up: Uploader,
  files: AcceptedFile[],
  opts: CommitOptions = {},
): Promise<CommittedUpload> {
  const { chat } = up;
  const request = opts.request;
  let committed: { messageRow: MessageRow; rows: FilesTable[]; deliveries: number };
  let quota: Taken[] = [];
  try {
    const text = messageText(opts.text);
    quota = await reserveQuota(deps, up, files);
    committed = await writeRows(deps, up, files, text, request?.id ?? null, opts.inTransaction).catch(async (err) => {
      if (!isConnectionFault(err)) await giveBack(deps.db, quota).catch(() => {});
      throw err;
    });
  } catch (err) {
    // Until the commit a refusal leaves no bytes behind; after it, the files are the truth and stay. The database
    // lost under the transaction leaves its outcome unknown (its COMMIT may have gone through): the bytes stay, and
    // the storage reconciliation removes them later if no row holds them.
    if (!isConnectionFault(err)) await Promise.allSettled(files.map((f) => deps.storage.delete(f.storageKey)));
    throw err;
  }
  const { messageRow, rows, deliveries } = committed;
  if (messageRow.held) {
    // Held until the scan job decides: only the uploader's side hears of it; nothing is forwarded or announced.
    deps.jobs.wake();
    if (up.staff) await takeOverIfUnassigned(deps, up.staff, chat);
    return announceHeld(deps, messageRow, rows, up.uploaderRole);
  }
  const { forStaff, forVisitor } = await publishMessage(deps, messageRow, 'message.created', rows);
  // The delivery worker is woken only when there is something to send (no S3 or callback set up: nothing).
  if (deliveries > 0) await deps.events.emit('deliveries.queued', { workspaceId: chat.workspace_id });
  deps.jobs.wake();
  await deps.events.emit('files.accepted', {
    chatId: chat.id,
    workspaceId: chat.workspace_id,
    messageId: messageRow.id,
    fileIds: rows.map((r) => r.id),
  });
  if (up.staff) await takeOverIfUnassigned(deps, up.staff, chat);
  if (request) await deps.events.emit('upload-request.answered', { chatId: chat.id, requestId: request.id });
  if (up.uploaderRole === 'visitor')
    return { files: rows.map((r) => fileView(r, visitorAudience(deps))), message: forVisitor };
  return { files: rows.map((r) => fileView(r, { kind: 'staff' })), message: forStaff };
}

function writeRows(
  deps: Deps,
  up: Uploader,
  files: AcceptedFile[],
  text: string | null,
  requestId: string | null,
  inTransaction: CommitOptions['inTransaction'],
) {
  const { chat } = up;
  return deps.db.transaction().execute(async (trx) => {
    // Re-checked inside the transaction: the request or the chat may have closed while the bytes streamed.
    if (requestId && !(await botRepo.markAnswered(trx, requestId)))
      throw new AppError('REQUEST_CLOSED', 'This upload request was already answered, skipped or expired');
    const current = await chatsRepo.chatById(trx, chat.id);
    if (!current || current.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');
    await holdWorkspaceQuota(
      trx,
      deps.dialect,
      chat.workspace_id,
      files.reduce((sum, f) => sum + f.size, 0),
    );
    const scanOf = (f: AcceptedFile) => f.scan ?? (deps.scanner ? 'pending' : 'skipped');
    const held = files.some((f) => scanOf(f) === 'pending');
    const messageRow = await chatsRepo.insertMessage(trx, {
      chat_id: chat.id,
      workspace_id: chat.workspace_id,
      author_role: up.uploaderRole,
      author_id: up.uploaderId,
      text,
      kind: 'file',
      file_ids: JSON.stringify(files.map((f) => f.id)),
      request_id: requestId,
      meta: null,
      held: held ? 1 : 0,
    });
    const createdAt = nowIso();
    const rows: FilesTable[] = files.map((f) => ({
      id: f.id,
      workspace_id: chat.workspace_id,
      chat_id: chat.id,
      message_id: messageRow.id,
      name: f.name,
      size: f.size,
      mime_type: f.mimeType,
      extension: f.extension,
      sha256: f.sha256,
      storage_key: f.storageKey,
      thumbnail_key: null,
      uploader_role: up.uploaderRole,
      uploader_id: up.uploaderId,
      request_id: requestId,
      remote_uid: null,
      remote_url: null,
      created_at: createdAt,
      scan: scanOf(f),
      scan_signature: null,
      scanned_at: scanOf(f) === 'clean' ? createdAt : null,
      released_at: null,
      released_by: null,
    }));
    await filesRepo.insert(trx, rows);
    if (held) {
      // Deliveries and thumbnails wait for the scan job, which releases the message once its files are decided.
      await jobsRepo.enqueue(trx, {
        kind: 'files.scan',
        payload: { messageId: messageRow.id },
        maxAttempts: SCAN_JOB_ATTEMPTS,
      });
      await inTransaction?.(trx);
      return { messageRow, rows, deliveries: 0 };
    }
    const deliveries = await planDeliveries(trx, rows);
    // Thumbnails are a durable job of this same transaction: a crash right after the commit cannot lose them.
    const images = rows.filter((r) => wantsThumbnail(r.mime_type, Number(r.size))).map((r) => r.id);
    if (images.length > 0)
      await jobsRepo.enqueue(trx, { kind: 'files.thumbnails', payload: { messageId: messageRow.id, fileIds: images } });
    await inTransaction?.(trx);
    return { messageRow, rows, deliveries };
  });
}
