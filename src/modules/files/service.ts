// Accepting multipart uploads under the admin's rules (rules.ts, commit.ts), and reading, listing and deleting files.
// Never imports Fastify.
import type { IncomingMessage } from 'node:http';
import type { Deps } from '../../deps.js';
import type { FilesTable } from '../../db/types.js';
import { AppError, notFound } from '../../errors.js';
import { chatsRepo } from '../chats/repo.js';
import { commitAcceptedFiles, messageText } from './commit.js';
import { receiveFiles } from './receive.js';
import {
  admitUpload,
  checkFitsRequest,
  fittingOpenRequest,
  openRequest,
  type UploadRequest,
  type Uploader,
} from './rules.js';
import { purgeFiles } from './purge.js';
import type { AuditActor } from '../audit/record.js';
import { fileCursor, filesRepo, type ListFilter, NAME_PROBE_ROWS } from './repo.js';
import { getContentSafety } from '../settings/content-safety.js';
import { keysetPage, pageQueryLimit } from '../../db/keyset.js';

/**
 * A multipart upload: the admin's rules before a byte is read, each file checked while it streams into storage, then
 * the one commit path (commit.ts) shared with resumable uploads.
 */
export async function acceptUpload(deps: Deps, req: IncomingMessage, up: Uploader) {
  const { chat } = up;
  const { rules, maxFiles, budget } = await admitUpload(deps, up);

  // A bot's upload request narrows the allowed types; the field may precede the files (the widget sends it first).
  let request: UploadRequest | undefined;
  const safety = await getContentSafety(deps.db, chat.workspace_id);
  const { files, fields } = await receiveFiles(deps.storage, req, {
    workspaceId: chat.workspace_id,
    rules,
    maxFiles,
    budget,
    scan: deps.scanner ? { scanner: deps.scanner, whenScannerDown: safety.whenScannerDown } : undefined,
    stripPhotoMetadata: safety.stripPhotoMetadata,
    beforeFirstFile: async (early) => {
      if (!early.requestId || up.uploaderRole !== 'visitor') return {};
      request = await openRequest(deps, chat, early.requestId);
      return { narrowTypes: request.allowed_types, maxFiles: Math.min(maxFiles, request.max_files) };
    },
  });

  try {
    messageText(fields.text);
    if (fields.requestId && !request) {
      // The requestId came after the files, so receiveFiles could not narrow by it: check now.
      if (up.uploaderRole !== 'visitor') throw new AppError('BAD_REQUEST', 'Only visitors answer upload requests');
      request = await openRequest(deps, chat, fields.requestId);
      checkFitsRequest(files, request);
    }
    request ??= await fittingOpenRequest(deps, up, files);
  } catch (err) {
    await Promise.allSettled(files.map((f) => deps.storage.delete(f.storageKey)));
    throw err;
  }
  return commitAcceptedFiles(deps, up, files, { text: fields.text, request });
}

export async function fileForVisitor(deps: Deps, visitorId: string, fileId: string) {
  const f = await filesRepo.byId(deps.db, fileId);
  if (!f) throw notFound('No such file');
  const chat = await chatsRepo.chatById(deps.db, f.chat_id);
  if (!chat || chat.visitor_id !== visitorId) throw notFound('No such file');
  return f;
}

export async function fileForStaff(deps: Deps, workspaceIds: string[], fileId: string) {
  const f = await filesRepo.byId(deps.db, fileId);
  if (!f || !workspaceIds.includes(f.workspace_id)) throw notFound('No such file');
  return f;
}

export async function listFiles(deps: Deps, workspaceId: string, filter: ListFilter) {
  if (filter.chatId) {
    // The chat filter takes the short reference people copy from the console as well as the full id.
    const chat = await chatsRepo.chatInWorkspace(deps.db, workspaceId, filter.chatId);
    if (!chat) return { rows: [] as FilesTable[], nextCursor: null };
    filter = { ...filter, chatId: chat.id };
  }
  const rows = await listRows(deps, workspaceId, { ...filter, limit: pageQueryLimit(filter.limit) });
  const { page, nextCursor } = keysetPage(rows, filter.limit, fileCursor);
  return { rows: page, nextCursor };
}

/**
 * A name search first reads the newest rows (a common name fills the page there); a rare name is found through the
 * text index instead, whose cost follows the number of matches rather than the table's size.
 */
async function listRows(deps: Deps, workspaceId: string, filter: ListFilter): Promise<FilesTable[]> {
  const q = filter.q;
  if (!q || [...q].length < 3) return filesRepo.listForWorkspace(deps.db, workspaceId, filter).execute();
  const probe = filesRepo.nameProbe(deps.db, workspaceId, { ...filter, q });
  const rows = await probe.matches.execute();
  if (rows.length >= filter.limit) return rows;
  if (Number((await probe.window.executeTakeFirstOrThrow()).n) < NAME_PROBE_ROWS) return rows;
  return filesRepo.searchByName(deps.db, deps.dialect, workspaceId, { ...filter, q }).execute();
}

/** Removes the row, the bytes and (when configured) the forwarded copies; the message shows the file as deleted. */
export async function deleteFile(deps: Deps, workspaceId: string, fileId: string, who: AuditActor) {
  const f = await filesRepo.byId(deps.db, fileId);
  if (!f || f.workspace_id !== workspaceId) throw notFound('No such file');
  // Deleted by a request that came at the same moment: for this one it is no longer there.
  if ((await purgeFiles(deps, [f], who, 'manual')) === 0) throw notFound('No such file');
}
