// Resumable uploads as domain steps, whatever carries them (the tus server in tus.ts): who may create one and under
// which rules (before a byte is stored), who may touch it later (its owner only; others get 404, expired 410), and
// how a finished one becomes a File — the magic-byte check while copying into the blob store, then the one commit
// path of every upload (files/commit.ts). Never imports Fastify or the tus server.
import { pipeline, type Readable, Writable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import type { Deps } from '../../deps.js';
import type { Db } from '../../db/index.js';
import type { ResumableUploadsTable } from '../../db/types.js';
import { isConnectionFault } from '../../db/resilient.js';
import { AppError, notFound } from '../../errors.js';
import { newId, nowIso } from '../../ids.js';
import { jobsRepo } from '../../jobs/repo.js';
import type { Actor } from '../auth/actor.js';
import { chatsRepo } from '../chats/repo.js';
import { visitorChat } from '../chats/service.js';
import { requireStaff, visibleWorkspaceIds } from '../workspaces/access.js';
import { parseChatRef } from '../chats/ref.js';
import { commitAcceptedFiles, messageText } from '../files/commit.js';
import { FileInspector } from '../files/inspect.js';
import { HashTap } from '../files/hash-tap.js';
import { OFF_THREAD_MIN_BYTES } from '../files/off-thread-hash.js';
import { SNIFF_BYTES } from '../files/sniff.js';
import { metadataStripper } from '../files/strip/index.js';
import { getContentSafety } from '../settings/content-safety.js';
import { cleanFileName, extensionOf } from '../files/names.js';
import {
  admitUpload,
  checkFileType,
  checkFitsRequest,
  fittingOpenRequest,
  openRequest,
  type Uploader,
} from '../files/rules.js';
import { uploadsRepo } from './repo.js';

/** What the tus store offers the domain: the finished bytes, and removal of an upload (bytes, parts, metadata). */
export interface UploadBytes {
  /** The upload's bytes; with `range`, only those up to `range.end` (inclusive; the local store only). */
  read(uploadId: string, range?: { end: number }): Promise<Readable> | Readable;
  /** Where a finished upload's bytes are, when they are a local file (the embedded default's tus store). */
  localPath?(uploadId: string): string;
  /**
   * The SHA-256 of the upload's first `size` bytes when this node hashed exactly those as they were written (all its
   * PATCHes came here and none failed), so that the commit need not read them again; otherwise undefined.
   */
  digestOf?(uploadId: string, size: number): string | undefined;
  /** The bucket object that holds a completed upload, when the store keeps uploads in the storage bucket (S3). */
  objectKey?(uploadId: string): string;
  remove(uploadId: string): Promise<void>;
  /** Ids of the uploads in the store whose bytes were last touched before `before` (ms since the epoch). */
  listOlderThan(before: number): Promise<string[]>;
}

export type UploadMetadata = Record<string, string | null | undefined>;

export function uploadExpired(): AppError {
  return new AppError('UPLOAD_EXPIRED', 'This upload expired and its bytes were removed; start it again');
}

/**
 * The chat staff name by its id, or by its short reference (the contract: a ref is accepted wherever a chat id is)
 * among the workspaces the caller sees; a reference found in two of them names neither.
 */
async function staffChatByIdOrRef(db: Db, actor: Actor, chatIdOrRef: string) {
  const byId = await chatsRepo.chatById(db, chatIdOrRef);
  if (byId) return byId;
  const ref = parseChatRef(chatIdOrRef);
  if (!ref) return undefined;
  const matches = await chatsRepo.chatsByRef(db, await visibleWorkspaceIds(db, actor), ref);
  return matches.length === 1 ? matches[0] : undefined;
}

/** The uploader of a new upload: a visitor into their own chat, staff into `chatId` of a workspace they can see. */
export async function uploaderOf(deps: Deps, actor: Actor | undefined, metadata: UploadMetadata): Promise<Uploader> {
  // Base64 lets any byte through; a NUL is no part of a name, an id or a message (the same rule as URLs and JSON).
  if (Object.values(metadata).some((v) => v?.includes('\u0000')))
    throw new AppError('BAD_REQUEST', 'Upload-Metadata values may not contain NUL characters');
  if (actor?.kind === 'visitor') {
    const chat = await visitorChat(deps.db, actor);
    return { chat, uploaderRole: 'visitor', uploaderId: chat.visitor_id };
  }
  if (!actor) throw new AppError('UNAUTHENTICATED', 'Send a visitor token, a session cookie or an API token');
  const chatId = metadata.chatId;
  if (!chatId) throw new AppError('BAD_REQUEST', 'Agents name the chat in the Upload-Metadata field "chatId"');
  const chat = await staffChatByIdOrRef(deps.db, actor, chatId);
  if (!chat) throw notFound('No such chat');
  const staff = await requireStaff(deps.db, actor, chat.workspace_id, 'agent').catch((err: unknown) => {
    throw refusal(err) ? notFound('No such chat') : err;
  });
  return { chat, uploaderRole: 'agent', uploaderId: staff.userId ?? null, staff };
}

/**
 * Applies every rule that can be decided before a byte arrives and records the upload with its expiry job.
 * Throws the contract's refusal (nothing is recorded then).
 */
export async function createUpload(
  deps: Deps,
  up: Uploader,
  upload: { id: string; size: number | undefined; metadata: UploadMetadata },
): Promise<ResumableUploadsTable> {
  const { chat } = up;
  if (upload.size === undefined)
    throw new AppError('BAD_REQUEST', 'Send Upload-Length: Parley checks the size before it stores a byte');
  const { rules } = await admitUpload(deps, up, upload.size);
  const name = cleanFileName(upload.metadata.filename ?? undefined);
  if (!name) throw new AppError('INVALID_FILE_NAME', 'Name the file in the Upload-Metadata field "filename"');
  const extension = extensionOf(name);
  const text = messageText(upload.metadata.text);
  let narrowTypes: string | undefined;
  const requestId = upload.metadata.requestId || null;
  if (requestId) {
    if (up.uploaderRole !== 'visitor') throw new AppError('BAD_REQUEST', 'Only visitors answer upload requests');
    narrowTypes = (await openRequest(deps, chat, requestId)).allowed_types;
  }
  checkFileType(rules, extension, narrowTypes);
  const now = Date.now();
  const row: ResumableUploadsTable = {
    id: upload.id,
    workspace_id: chat.workspace_id,
    chat_id: chat.id,
    uploader_role: up.uploaderRole,
    uploader_id: up.uploaderId,
    name,
    extension,
    size: upload.size,
    request_id: requestId,
    text,
    status: 'uploading',
    file_id: null,
    committing_since: null,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + deps.config.uploadExpiryHours * 3_600_000).toISOString(),
  };
  await deps.db.transaction().execute(async (trx) => {
    await uploadsRepo.insert(trx, row);
    // The expiry is a durable job of the same transaction: a crash cannot leave an upload that never expires.
    await jobsRepo.enqueue(trx, { kind: 'uploads.expire', payload: { uploadId: row.id }, runAt: row.expires_at });
  });
  return row;
}

/**
 * requireStaff's refusal (not a member: 404; 403; 401), which an upload's checks answer as "no such" thing. Anything
 * else — the database failing or timing out — stays itself (503): a 404 would tell the client to start over.
 */
const refusal = (err: unknown) => err instanceof AppError && err.status < 500;

/** The upload, if `actor` owns it: another visitor's (or another workspace's) is NOT_FOUND, an expired one 410. */
export async function ownedUpload(deps: Deps, actor: Actor | undefined, id: string): Promise<ResumableUploadsTable> {
  const row = await uploadsRepo.byId(deps.db, id);
  if (!row || !actor) throw notFound('No such upload');
  if (actor.kind === 'visitor') {
    const chat = await chatsRepo.chatById(deps.db, row.chat_id);
    if (row.uploader_role !== 'visitor' || chat?.visitor_id !== actor.visitorId) throw notFound('No such upload');
  } else {
    const staff = await requireStaff(deps.db, actor, row.workspace_id, 'agent').catch((err: unknown) => {
      if (refusal(err)) return undefined;
      throw err;
    });
    if (!staff || row.uploader_role !== 'agent' || row.uploader_id !== (staff.userId ?? null))
      throw notFound('No such upload');
  }
  if (row.status === 'expired' || (row.status === 'uploading' && row.expires_at < nowIso())) throw uploadExpired();
  if (row.status === 'refused' || row.status === 'terminated') throw notFound('No such upload');
  return row;
}

/** The largest object S3's CopyObject copies in one request; a larger upload's bytes are copied through the node. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

/** A commit that lost its lease (taken over after it went stale): it must change nothing. */
class CommitTakenOver extends AppError {
  constructor() {
    super('CONFLICT', 'This upload is being completed by another request; ask again shortly');
  }
}

/** How long a commit's lease lasts without renewal: the job runner's lease (PARLEY_JOB_LEASE_SECONDS). */
export const commitLeaseMs = (deps: Deps) => deps.config.jobLeaseSeconds * 1000;

/** A commit whose lease ran out: its node died (or stalled) before the File was written, so another may take it. */
export function commitIsStale(deps: Deps, row: ResumableUploadsTable, now = Date.now()): boolean {
  if (row.status !== 'committing') return false;
  return !row.committing_since || row.committing_since < new Date(now - commitLeaseMs(deps)).toISOString();
}

/**
 * Turns a finished upload into a File exactly once. The commit claims a lease on the row (renewed while it works):
 * a commit whose node died mid-way is taken over once its lease is stale (a HEAD, a repeated last PATCH, the
 * uploads.reconcile job), and the File is written in the same transaction that moves the row to `committed` only while
 * the lease is still this commit's, so a stalled commit that wakes up after a takeover writes nothing. The rules are
 * checked again (they may have changed while the bytes came), the bytes are copied into the blob store through the
 * same inspector as a multipart file (size, sha256, magic bytes), and the shared commit writes file, message and
 * deliveries. A refusal removes the bytes. Resolves to the file id (the same id when the last PATCH is repeated).
 */
export async function finishUpload(
  deps: Deps,
  bytes: UploadBytes,
  row: ResumableUploadsTable,
  actor: Actor | undefined,
): Promise<string> {
  let since = nowIso();
  const staleBefore = new Date(Date.parse(since) - commitLeaseMs(deps)).toISOString();
  if (!(await uploadsRepo.claimCommit(deps.db, row.id, since, staleBefore))) return committedFileId(deps, row.id);
  // Renewals one after the other; the commit waits for the last one, so it fences with the lease the row holds.
  let renewing = Promise.resolve();
  const renewal = setInterval(() => {
    renewing = renewing.then(async () => {
      const next = nowIso();
      const renewed = await uploadsRepo.renewCommit(deps.db, row.id, since, next).catch((err) => {
        deps.log.warn({ err, uploadId: row.id }, "an upload commit's lease was not renewed");
        return false;
      });
      if (renewed) since = next;
    });
  }, commitLeaseMs(deps) / 3);
  renewal.unref();
  const stopRenewing = () => {
    clearInterval(renewal);
    return renewing;
  };
  const fileId = newId();
  const storageKey = `ws/${row.workspace_id}/${fileId}`;
  try {
    const up = await uploaderOfRow(deps, row, actor);
    const { rules, budget } = await admitUpload(deps, up, row.size);
    let request = row.request_id ? await openRequest(deps, up.chat, row.request_id) : undefined;
    checkFileType(rules, row.extension, request?.allowed_types);
    // "Remove location and camera data from photos" holds as for a multipart upload (files/receive.ts): the stored
    // bytes, their size and sha256 are the stripped ones.
    const { stripPhotoMetadata } = await getContentSafety(deps.db, row.workspace_id);
    const stripper = stripPhotoMetadata ? metadataStripper(row.extension) : undefined;
    const hashTap = stripper ? new HashTap() : undefined;
    const local = !stripper && deps.storage.putFile ? bytes.localPath?.(row.id) : undefined;
    // On S3 an upload's object can be copied inside the bucket (CopyObject: up to 5 GiB) once its bytes are known.
    const object =
      !stripper && !local && deps.storage.copyIn && Number(row.size) <= MAX_COPY_BYTES
        ? bytes.objectKey?.(row.id)
        : undefined;
    // Bytes hashed as they arrived need no second read: only their head is read, for the magic bytes.
    const digest = (local || object) && Number(row.size) > 0 ? bytes.digestOf?.(row.id, Number(row.size)) : undefined;
    const headBytes = Math.min(Number(row.size), SNIFF_BYTES);
    // Read again whole, a large file is hashed on a worker thread (files/off-thread-hash.ts).
    const inspector = new FileInspector(row.extension, rules.maxFileSizeKb * 1024, rules.maxFileSizeKb, budget, {
      hashOffThread: !digest && Number(row.size) >= OFF_THREAD_MIN_BYTES,
    });
    if (digest) inspector.presume(Number(row.size) - headBytes, digest);
    const source = await bytes.read(row.id, digest ? { end: headBytes - 1 } : undefined);
    source.on('error', (err) => inspector.destroy(err));
    source.pipe(inspector);
    let size: number;
    if (local || (digest && object)) {
      // Checked where they are (size, sha256, magic bytes; only the head when they were hashed as they arrived), then
      // made the File without passing through the node again: on the local disk linked into the blob store rather
      // than copied (a 2 GB upload's last PATCH no longer waits for 2 GB to be written again), on S3 copied inside
      // the bucket.
      await pipelineAsync(inspector, new Writable({ write: (_chunk, _encoding, done) => done() }));
      ({ size } = local
        ? await deps.storage.putFile!(storageKey, local).catch((err: NodeJS.ErrnoException) => {
            throw err?.code === 'ENOENT' ? uploadExpired() : err;
          })
        : await deps.storage.copyIn!(storageKey, object!).catch((err: unknown) => {
            throw err instanceof AppError && err.code === 'NOT_FOUND' ? uploadExpired() : err;
          }));
      if (size !== Number(row.size)) throw new AppError('BAD_REQUEST', 'The upload is not complete');
    } else {
      const stored = stripper && hashTap ? pipeline(inspector, stripper, hashTap, () => {}) : inspector;
      ({ size } = await deps.storage.put(storageKey, stored));
    }
    const file = {
      id: fileId,
      name: row.name,
      extension: row.extension,
      size,
      sha256: hashTap ? hashTap.sha256 : await inspector.digest(),
      mimeType: inspector.mimeType,
      storageKey,
    };
    if (inspector.size !== Number(row.size)) throw new AppError('BAD_REQUEST', 'The upload is not complete');
    if (request) checkFitsRequest([file], request);
    request ??= await fittingOpenRequest(deps, up, [file]);
    await stopRenewing();
    const inTransaction = async (trx: Db) => {
      if (!(await uploadsRepo.markCommitted(trx, row.id, since, fileId))) throw new CommitTakenOver();
    };
    await commitAcceptedFiles(deps, up, [file], { text: row.text, request, inTransaction });
    deps.events.emitLater('upload.committed', {
      uploadId: row.id,
      fileId,
      size: file.size,
      bytesRead: digest ? headBytes : Number(row.size),
    });
  } catch (err) {
    await stopRenewing();
    // The database lost under the commit's transaction leaves its outcome unknown: the File's bytes stay (the
    // storage reconciliation removes them if no row holds them), as on the multipart path (files/commit.ts).
    if (!isConnectionFault(err)) await deps.storage.delete(storageKey).catch(() => {});
    // Another commit took this one over: it owns the row and the bytes now. So too when this one failed because
    // that commit, done, removed the bytes under it (a stalled node waking up after a takeover).
    if (err instanceof CommitTakenOver) return committedFileId(deps, row.id);
    if (err instanceof AppError && err.code === 'UPLOAD_EXPIRED') {
      const now = await uploadsRepo.byId(deps.db, row.id);
      if (now?.status === 'committed' && now.file_id) return now.file_id;
    }
    // A full workspace quota (507) is a refusal like the others (the contract: nothing is stored), not a fault.
    // The visitor's rate limit (429) says "try again after N s": the upload stays for that try.
    const retryable =
      !(err instanceof AppError) || (err.status >= 500 && err.code !== 'QUOTA_EXCEEDED') || err.code === 'RATE_LIMITED';
    if (retryable) {
      // The server's fault (storage or database down, the tus store unreadable) or a rate limit: the answer says
      // retry, so the upload stays whole and a repeated last PATCH (or a HEAD) commits it.
      await uploadsRepo.transition(deps.db, row.id, 'committing', 'uploading', since).catch(() => {});
      throw err;
    }
    // Bytes gone from the store under the commit: the upload stays gone for its client's later requests (410).
    const after = err.code === 'UPLOAD_EXPIRED' ? 'expired' : 'refused';
    if (await uploadsRepo.transition(deps.db, row.id, 'committing', after, since))
      await bytes.remove(row.id).catch(() => {});
    throw err;
  }
  // The tus copy is removed once the answer is sent (tus.ts, POST_FINISH): the library still reads it until then.
  return fileId;
}

/** The File of an upload another request committed, or CONFLICT while that commit is still in progress. */
async function committedFileId(deps: Deps, uploadId: string): Promise<string> {
  const now = await uploadsRepo.byId(deps.db, uploadId);
  if (now?.status === 'committed' && now.file_id) return now.file_id;
  throw new CommitTakenOver();
}

async function uploaderOfRow(deps: Deps, row: ResumableUploadsTable, actor: Actor | undefined): Promise<Uploader> {
  const chat = await chatsRepo.chatById(deps.db, row.chat_id);
  if (!chat) throw notFound('No such chat');
  if (row.uploader_role === 'visitor') return { chat, uploaderRole: 'visitor', uploaderId: row.uploader_id };
  // The agent who finishes takes the chat over, as with a multipart upload.
  const staff = actor ? await requireStaff(deps.db, actor, chat.workspace_id, 'agent') : undefined;
  return { chat, uploaderRole: 'agent', uploaderId: row.uploader_id, staff };
}

/**
 * The expiry job: an upload still unfinished at its expiry loses its bytes (and S3 parts); its row says so. One left
 * `committing` by a stopped node is committed first, as a HEAD would; if that fails too, it expires. A commit still
 * within its lease is looked at again when the lease would run out (else a takeover failing after this run would
 * leave the upload to the client alone: its HEAD answers 410 and its bytes stay).
 */
export async function expireUpload(deps: Deps, bytes: UploadBytes, uploadId: string): Promise<void> {
  let row = await uploadsRepo.byId(deps.db, uploadId);
  if (row?.status === 'committing') {
    if (commitIsStale(deps, row)) {
      await finishUpload(deps, bytes, row, undefined).then(
        (fileId) =>
          deps.log.warn({ uploadId, fileId }, 'the commit of an expiring upload whose node stopped was taken over'),
        (err) => deps.log.warn({ err, uploadId }, 'the commit of an expiring upload failed; the upload expires'),
      );
      row = await uploadsRepo.byId(deps.db, uploadId);
    }
    if (row?.status === 'committing') {
      const runAt = new Date(Date.parse(row.committing_since ?? nowIso()) + commitLeaseMs(deps) + 1000).toISOString();
      await jobsRepo.enqueueOnce(deps.db, `uploads.expire:${uploadId}:${runAt}`, {
        kind: 'uploads.expire',
        payload: { uploadId },
        runAt,
      });
      return;
    }
  }
  if (!row) return;
  // Also for finished uploads: their tus copy is normally removed right after the commit, unless the node died.
  await removeQuietly(bytes, row.id);
  if (row.status === 'uploading') await uploadsRepo.transition(deps.db, row.id, 'uploading', 'expired');
}

/**
 * The expiry of uploads whose own `uploads.expire` job is gone — dead after its attempts, or lost with a database
 * restored from a backup — an hour or more past their time: their bytes would stay for good. Part of the hourly
 * uploads.reconcile; at most `limit` per pass, each on its own (one that fails is logged and tried next hour).
 */
export async function expireMissedUploads(deps: Deps, bytes: UploadBytes, limit = 500): Promise<number> {
  const before = new Date(Date.now() - 3_600_000).toISOString();
  let expired = 0;
  for (const row of await uploadsRepo.expired(deps.db, before, limit)) {
    try {
      await expireUpload(deps, bytes, row.id);
      expired += 1;
    } catch (err) {
      deps.log.warn({ err, uploadId: row.id }, 'an upload its expiry missed was not expired; tried again next hour');
    }
  }
  if (expired > 0) deps.log.warn({ expired }, 'uploads their expiry job missed were expired');
  return expired;
}

/** Removes an upload's tus bytes; already gone (removed earlier, or by hand) is what we want. */
export async function removeQuietly(bytes: UploadBytes, uploadId: string): Promise<void> {
  await bytes.remove(uploadId).catch((err: { status_code?: number }) => {
    if (err?.status_code !== 404 && err?.status_code !== 410) throw err;
  });
}

/** Removes a committed upload's tus copy once its answer is out, without waiting: a failure is only a warning. */
export function removeTusCopy(bytes: UploadBytes, uploadId: string, log: { warn(obj: object, msg: string): void }) {
  void removeQuietly(bytes, uploadId).catch((err) =>
    log.warn({ err, uploadId }, 'the tus copy of a finished upload was not removed'),
  );
}

/** A terminated (DELETE) upload: the tus store removed its bytes. */
export async function markTerminated(deps: Deps, uploadId: string): Promise<void> {
  await uploadsRepo.transition(deps.db, uploadId, 'uploading', 'terminated');
}

/**
 * Commits left `committing` by a node that died (SIGKILL, power cut) mid-way: once a commit's lease is stale, this
 * job (at every start, then hourly) takes it over as a HEAD would, so the File is made even if the client never
 * comes back; the client's next HEAD or PATCH then answers its id. A commit still within its lease gets another run
 * of the job when the lease would run out. Returns the number of commits taken over.
 */
export async function takeOverStaleCommits(deps: Deps, bytes: UploadBytes): Promise<number> {
  const now = Date.now();
  let takenOver = 0;
  let nextCheck: number | undefined;
  for (const row of await uploadsRepo.committing(deps.db, 100)) {
    if (!commitIsStale(deps, row, now)) {
      const staleAt = Date.parse(row.committing_since!) + commitLeaseMs(deps) + 1000;
      nextCheck = Math.min(nextCheck ?? staleAt, staleAt);
      continue;
    }
    try {
      const fileId = await finishUpload(deps, bytes, row, undefined);
      takenOver += 1;
      deps.log.warn({ uploadId: row.id, fileId }, 'the commit of an upload whose node stopped was taken over');
      await removeQuietly(bytes, row.id);
    } catch (err) {
      deps.log.warn({ err, uploadId: row.id }, 'a stale upload commit was not taken over');
    }
  }
  if (nextCheck !== undefined) {
    const runAt = new Date(nextCheck).toISOString();
    await jobsRepo.enqueueOnce(deps.db, `uploads.reconcile:commits:${runAt}`, {
      kind: 'uploads.reconcile',
      payload: {},
      runAt,
    });
  }
  return takenOver;
}

/**
 * Reconciliation of the upload store: bytes of an upload that has no row (removed with its workspace, a database
 * restored from an older backup, rows deleted by hand) are never reached by the expiry job, so they go here once
 * untouched for PARLEY_ORPHAN_AGE_S. An upload with a row is the expiry job's, whatever its state.
 */
export async function sweepRowlessUploads(deps: Deps, bytes: UploadBytes): Promise<number> {
  const candidates = await bytes.listOlderThan(Date.now() - deps.config.orphanAgeMs);
  let removed = 0;
  for (let i = 0; i < candidates.length; i += 500) {
    const batch = candidates.slice(i, i + 500);
    const known = await uploadsRepo.existing(deps.db, batch);
    for (const id of batch) {
      if (known.has(id)) continue;
      await removeQuietly(bytes, id);
      removed += 1;
    }
  }
  if (removed > 0) deps.log.warn({ removed }, 'upload store reconciled: bytes of uploads without a row removed');
  return removed;
}
