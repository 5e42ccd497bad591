// The admin's upload rules, as checks every upload route runs (multipart and tus alike): the side enabled, the chat
// open, the visitor's quota, the extension allowed (and fitting a bot's open upload request), the size. Each check
// throws the contract's AppError; none stores or reads bytes. Routes call them before a byte is stored and the commit
// (commit.ts) re-checks what may have changed meanwhile.
import type { Deps } from '../../deps.js';
import type { ChatsTable, UploadRequestsTable } from '../../db/types.js';
import { AppError, notFound } from '../../errors.js';
import { agentRules, getFileSettings, typeList, visitorRules } from '../settings/file-upload.js';
import { extensionAllowed } from './extensions.js';
import type { StaffContext } from '../workspaces/access.js';
import { botRepo } from '../bot/repo.js';
import { take, usedAll, type Taken } from '../limits/counters.js';
import type { Budget } from './inspect.js';
import { quotaExceeded, workspaceQuotaLeft } from '../lifecycle/usage.js';

export const MAX_FILES_PER_MESSAGE = 10;

/** Who uploads, into which chat. */
export interface Uploader {
  chat: ChatsTable;
  uploaderRole: 'visitor' | 'agent';
  uploaderId: string | null;
  staff?: StaffContext;
}

/** One side's rules from the admin's settings. */
export interface SideRules {
  enabled: boolean;
  allowedTypes: string;
  maxFileSizeKb: number;
}

/** What an admitted upload may still do: the side's rules, how many files, how many bytes (visitor quota). */
export interface Admission {
  rules: SideRules;
  maxFiles: number;
  budget: Budget;
}

export type UploadRequest = UploadRequestsTable;

export function notAllowed(ext: string, allowed: string): AppError {
  // Only a plain extension is named back (an answer never echoes arbitrary request text).
  const what = !ext
    ? 'Files without an extension are'
    : /^[a-z0-9]{1,10}(\.[a-z0-9]{1,4})?$/.test(ext)
      ? `${ext.toUpperCase()} files are`
      : 'Files of this type are';
  return new AppError('FILE_TYPE_NOT_ALLOWED', `${what} not allowed. Allowed: ${allowed.split('|').join(', ')}`, {
    allowedTypes: allowed,
  });
}

export function fileTooLarge(maxFileSizeKb: number): AppError {
  return new AppError('FILE_TOO_LARGE', `This file is larger than the maximum of ${maxFileSizeKb} KB`, {
    maxFileSizeKb,
  });
}

export function hourlyQuotaReached(): AppError {
  return new AppError('RATE_LIMITED', 'Upload quota reached: too many bytes this hour; try again later', {
    retryAfterSeconds: 3600,
  });
}

/**
 * The checks that need no file: the side enabled, the chat open, the visitor's per-minute and per-hour quotas.
 * `declaredBytes` (a tus Upload-Length) is checked against the byte quota too, so a refusal comes before any byte.
 */
export async function admitUpload(deps: Deps, up: Uploader, declaredBytes?: number): Promise<Admission> {
  const { chat } = up;
  const settings = await getFileSettings(deps.db, chat.workspace_id, deps.config.maxUploadMb);
  const rules = up.uploaderRole === 'visitor' ? visitorRules(settings) : agentRules(settings);
  if (!rules.enabled) {
    throw new AppError(
      'UPLOADS_DISABLED',
      up.uploaderRole === 'visitor'
        ? 'File uploads are turned off for visitors'
        : 'File uploads are turned off for agents',
    );
  }
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');

  let maxFiles = MAX_FILES_PER_MESSAGE;
  const budget: Budget = { remainingBytes: Infinity };
  if (up.uploaderRole === 'visitor' && up.uploaderId) {
    // A first look, to refuse before any byte; the counts are taken for real, atomically, at the commit.
    const keys = quotaKeys(up.uploaderId);
    const counts = await usedAll(deps.db, [keys.files, keys.bytes]);
    const filesLeft = deps.config.visitorFilesPerMinute - counts.get(keys.files)!;
    budget.remainingBytes = deps.config.visitorBytesPerHour - counts.get(keys.bytes)!;
    if (filesLeft <= 0 || budget.remainingBytes <= 0) {
      throw new AppError(
        'RATE_LIMITED',
        filesLeft <= 0 ? 'Too many files this minute; try again shortly' : 'Upload quota reached for this hour',
        { retryAfterSeconds: filesLeft <= 0 ? 60 : 3600 },
      );
    }
    maxFiles = Math.min(maxFiles, filesLeft);
  }
  // The workspace's storage quota (owner-set): refused before any byte when already full or when the declared size
  // does not fit; otherwise the remaining room becomes the budget the stream is held to.
  const quotaLeft = await workspaceQuotaLeft(deps.db, chat.workspace_id);
  if (quotaLeft !== undefined) {
    if (quotaLeft <= 0 || (declaredBytes !== undefined && declaredBytes > quotaLeft)) throw quotaExceeded();
    if (quotaLeft < budget.remainingBytes) {
      budget.remainingBytes = quotaLeft;
      budget.refusal = quotaExceeded;
    }
  }
  if (declaredBytes !== undefined) {
    checkDeclaredSize(rules, declaredBytes);
    if (declaredBytes > budget.remainingBytes) throw (budget.refusal ?? hourlyQuotaReached)();
  }
  return { rules, maxFiles, budget };
}

const quotaKeys = (visitorId: string) => ({ files: `upload:files:${visitorId}`, bytes: `upload:bytes:${visitorId}` });

/**
 * Takes a visitor's files and bytes from their per-minute and per-hour quotas in one atomic step per counter, just
 * before the commit: however many uploads race, no more than the quota is ever accepted. Staff uploads take nothing.
 */
export async function reserveQuota(deps: Deps, up: Uploader, files: { size: number }[]): Promise<Taken[]> {
  if (up.uploaderRole !== 'visitor' || !up.uploaderId) return [];
  const keys = quotaKeys(up.uploaderId);
  return take(deps.db, [
    {
      key: keys.files,
      max: deps.config.visitorFilesPerMinute,
      windowMs: 60_000,
      amount: files.length,
      message: 'Too many files this minute; try again shortly',
    },
    {
      key: keys.bytes,
      max: deps.config.visitorBytesPerHour,
      windowMs: 3_600_000,
      amount: files.reduce((sum, f) => sum + f.size, 0),
      message: 'Upload quota reached: too many bytes this hour; try again later',
    },
  ]);
}

/** The extension against the side's allow-list and, when a bot request asks for certain types, against those. */
export function checkFileType(rules: SideRules, extension: string, narrowTypes?: string): void {
  const allowed = typeList(rules.allowedTypes);
  if (!extensionAllowed(extension, allowed)) throw notAllowed(extension, rules.allowedTypes);
  const narrow = narrowTypes ? typeList(narrowTypes) : [];
  if (!extensionAllowed(extension, narrow)) throw notAllowed(extension, narrowTypes!);
}

/** A size known in advance (tus Upload-Length) against the workspace's maximum. */
export function checkDeclaredSize(rules: SideRules, bytes: number): void {
  if (bytes > rules.maxFileSizeKb * 1024) throw fileTooLarge(rules.maxFileSizeKb);
}

/** The bot's upload request in this chat, still open; 404 for another chat's, 409 REQUEST_CLOSED once closed. */
export async function openRequest(deps: Deps, chat: ChatsTable, requestId: string): Promise<UploadRequest> {
  const request = await botRepo.request(deps.db, requestId);
  if (!request || request.chat_id !== chat.id) throw notFound('No such upload request in this chat');
  if (request.status !== 'open')
    throw new AppError('REQUEST_CLOSED', `This upload request was already ${request.status}`);
  return request;
}

/** The first file whose extension the request does not ask for ("" asks for any type), if any. */
export function misfit<F extends { extension: string }>(files: F[], request: { allowed_types: string }): F | undefined {
  const allowed = typeList(request.allowed_types);
  return files.find((f) => !extensionAllowed(f.extension, allowed));
}

/** Files answering a named request must fit it: its types and its number of files. */
export function checkFitsRequest(files: { extension: string }[], request: UploadRequest): void {
  const wrong = misfit(files, request);
  if (wrong) throw notAllowed(wrong.extension, request.allowed_types);
  if (files.length > request.max_files)
    throw new AppError('BAD_REQUEST', `At most ${request.max_files} files for this request`);
}

/** A plain attachment sent while the bot waits for a file answers that request, when the files fit it. */
export async function fittingOpenRequest(
  deps: Deps,
  up: Uploader,
  files: { extension: string }[],
): Promise<UploadRequest | undefined> {
  if (up.uploaderRole !== 'visitor' || up.chat.status !== 'bot') return undefined;
  const open = await botRepo.latestOpenRequest(deps.db, up.chat.id);
  if (!open || files.length > open.max_files || misfit(files, open)) return undefined;
  return open;
}
