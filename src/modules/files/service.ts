// Accepting uploads under the admin's rules, and reading, listing and deleting files. Never imports Fastify.
// Order of the truth: bytes durable in storage → one transaction writes rows, message, deliveries and the thumbnail
// job → announce.
import type { IncomingMessage } from 'node:http';
import type { Deps } from '../../deps.js';
import type { ChatsTable, FilesTable } from '../../db/types.js';
import { AppError, notFound } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { getFileSettings, agentRules, typeList, visitorRules } from '../settings/file-upload.js';
import { chatsRepo } from '../chats/repo.js';
import { publishMessage, takeOverIfUnassigned, visitorAudience, MAX_TEXT } from '../chats/service.js';
import type { StaffContext } from '../workspaces/access.js';
import { planDeliveries } from '../deliveries/plan.js';
import { jobsRepo } from '../../jobs/repo.js';
import { wantsThumbnail } from './thumbnail.js';
import { notAllowed, receiveFiles, type ReceivedFile } from './receive.js';
import { fileView } from './view.js';
import { filesRepo, type ListFilter } from './repo.js';

const MAX_FILES_PER_MESSAGE = 10;

export interface UploadContext {
  chat: ChatsTable;
  uploaderRole: 'visitor' | 'agent';
  uploaderId: string | null;
  staff?: StaffContext;
}

async function openRequest(deps: Deps, chat: ChatsTable, requestId: string) {
  const request = await deps.db.selectFrom('upload_requests').selectAll().where('id', '=', requestId).where('chat_id', '=', chat.id).executeTakeFirst();
  if (!request) throw notFound('No such upload request in this chat');
  if (request.status !== 'open') throw new AppError('REQUEST_CLOSED', `This upload request was already ${request.status}`);
  return request;
}

export async function acceptUpload(deps: Deps, req: IncomingMessage, ctx: UploadContext) {
  const { chat } = ctx;
  const settings = await getFileSettings(deps.db, chat.workspace_id, deps.config.maxUploadMb);
  const rules = ctx.uploaderRole === 'visitor' ? visitorRules(settings) : agentRules(settings);
  if (!rules.enabled) {
    throw new AppError('UPLOADS_DISABLED', ctx.uploaderRole === 'visitor' ? 'File uploads are turned off for visitors' : 'File uploads are turned off for agents');
  }
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');

  let maxFiles = MAX_FILES_PER_MESSAGE;
  const budget = { remainingBytes: Infinity };
  if (ctx.uploaderRole === 'visitor' && ctx.uploaderId) {
    const now = Date.now();
    const usage = await filesRepo.usage(deps.db, ctx.uploaderId, new Date(now - 60_000).toISOString(), new Date(now - 3_600_000).toISOString());
    const filesLeft = deps.config.visitorFilesPerMinute - usage.filesLastMinute;
    budget.remainingBytes = deps.config.visitorBytesPerHour - usage.bytesLastHour;
    if (filesLeft <= 0 || budget.remainingBytes <= 0) {
      throw new AppError('RATE_LIMITED', filesLeft <= 0 ? 'Too many files this minute; try again shortly' : 'Upload quota reached for this hour', { retryAfterSeconds: filesLeft <= 0 ? 60 : 3600 });
    }
    maxFiles = Math.min(maxFiles, filesLeft);
  }

  // A bot's upload request narrows the allowed types; the field may precede the files (the widget sends it first).
  let request: Awaited<ReturnType<typeof openRequest>> | undefined;
  const { files, fields } = await receiveFiles(deps.storage, req, {
    workspaceId: chat.workspace_id,
    rules,
    maxFiles,
    budget,
    beforeFirstFile: async (early) => {
      if (!early.requestId || ctx.uploaderRole !== 'visitor') return {};
      request = await openRequest(deps, chat, early.requestId);
      return { narrowTypes: request.allowed_types, maxFiles: Math.min(maxFiles, request.max_files) };
    },
  });

  // Until the commit, a refusal must leave no bytes behind; after it, the files are the truth and stay.
  let committed: Awaited<ReturnType<typeof commitUpload>>;
  try {
    const text = fields.text?.trim() ? fields.text : null;
    if (text && text.length > MAX_TEXT) throw new AppError('VALIDATION_FAILED', 'The message is too long', { fields: { text: `At most ${MAX_TEXT} characters` } });
    if (fields.requestId && !request) {
      // The requestId came after the files, so receiveFiles could not narrow by it: check now.
      if (ctx.uploaderRole !== 'visitor') throw new AppError('BAD_REQUEST', 'Only visitors answer upload requests');
      request = await openRequest(deps, chat, fields.requestId);
      const wrong = misfit(files, request);
      if (wrong) throw notAllowed(wrong.extension, request.allowed_types);
      if (files.length > request.max_files) throw new AppError('BAD_REQUEST', `At most ${request.max_files} files for this request`);
    }
    if (!request && ctx.uploaderRole === 'visitor' && chat.status === 'bot') request = await fittingOpenRequest(deps, chat, files);
    committed = await commitUpload(deps, ctx, files, text, request?.id ?? null);
  } catch (err) {
    await Promise.allSettled(files.map((f) => deps.storage.delete(f.storageKey)));
    throw err;
  }
  const { messageRow, rows } = committed;
  const { forStaff, forVisitor } = await publishMessage(deps, messageRow);
  await deps.events.emit('deliveries.queued', { workspaceId: chat.workspace_id });
  deps.jobs.wake();
  await deps.events.emit('files.accepted', { chatId: chat.id, workspaceId: chat.workspace_id, messageId: messageRow.id, fileIds: rows.map((r) => r.id) });
  if (ctx.staff) await takeOverIfUnassigned(deps, ctx.staff, chat);
  if (request) await deps.events.emit('upload-request.answered', { chatId: chat.id, requestId: request.id });
  if (ctx.uploaderRole === 'visitor') return { files: rows.map((r) => fileView(r, visitorAudience(deps))), message: forVisitor };
  return { files: rows.map((r) => fileView(r, { kind: 'staff' })), message: forStaff };
}

/** The first file whose extension the request does not ask for ("" asks for any type), if any. */
function misfit(files: ReceivedFile[], request: { allowed_types: string }): ReceivedFile | undefined {
  const allowed = typeList(request.allowed_types);
  return files.find((f) => allowed.length > 0 && !allowed.includes(f.extension));
}

/** A plain attachment sent while the bot waits for a file answers that request, when the files fit it. */
async function fittingOpenRequest(deps: Deps, chat: ChatsTable, files: ReceivedFile[]) {
  const open = await deps.db.selectFrom('upload_requests').selectAll().where('chat_id', '=', chat.id).where('status', '=', 'open')
    .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  if (!open || files.length > open.max_files || misfit(files, open)) return undefined;
  return open;
}

async function commitUpload(deps: Deps, ctx: UploadContext, files: ReceivedFile[], text: string | null, requestId: string | null) {
  const { chat } = ctx;
  return deps.db.transaction().execute(async (trx) => {
    if (requestId) {
      const r = await trx.updateTable('upload_requests').set({ status: 'answered' }).where('id', '=', requestId).where('status', '=', 'open').executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new AppError('REQUEST_CLOSED', 'This upload request was already answered, skipped or expired');
    }
    const current = await trx.selectFrom('chats').select('status').where('id', '=', chat.id).executeTakeFirst();
    if (!current || current.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');
    const messageRow = await chatsRepo.insertMessage(trx, {
      chat_id: chat.id, workspace_id: chat.workspace_id, author_role: ctx.uploaderRole, author_id: ctx.uploaderId, text,
      kind: 'file', file_ids: JSON.stringify(files.map((f) => f.id)), request_id: requestId, meta: null,
    });
    const createdAt = nowIso();
    const rows: FilesTable[] = files.map((f) => ({
      id: f.id, workspace_id: chat.workspace_id, chat_id: chat.id, message_id: messageRow.id, name: f.name, size: f.size,
      mime_type: f.mimeType, extension: f.extension, sha256: f.sha256, storage_key: f.storageKey,
      thumbnail_key: null, uploader_role: ctx.uploaderRole, uploader_id: ctx.uploaderId,
      request_id: requestId, remote_uid: null, remote_url: null, created_at: createdAt,
    }));
    await trx.insertInto('files').values(rows).execute();
    await planDeliveries(trx, rows);
    // Thumbnails are a durable job of this same transaction: a crash right after the commit cannot lose them.
    const images = rows.filter((r) => wantsThumbnail(r.mime_type, Number(r.size))).map((r) => r.id);
    if (images.length > 0) await jobsRepo.enqueue(trx, { kind: 'files.thumbnails', payload: { messageId: messageRow.id, fileIds: images } });
    return { messageRow, rows };
  });
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
  const rows = await filesRepo.listForWorkspace(deps.db, workspaceId, { ...filter, limit: filter.limit + 1 }).execute();
  const page = rows.slice(0, filter.limit);
  return { rows: page, nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null };
}

/** Removes the row and the bytes; the message keeps the file's id and shows it as deleted. */
export async function deleteFile(deps: Deps, workspaceId: string, fileId: string) {
  const f = await filesRepo.byId(deps.db, fileId);
  if (!f || f.workspace_id !== workspaceId) throw notFound('No such file');
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('deliveries').where('file_id', '=', f.id).where('status', 'in', ['pending', 'failed']).execute();
    await trx.deleteFrom('files').where('id', '=', f.id).execute();
  });
  await deps.storage.delete(f.storage_key);
  if (f.thumbnail_key) await deps.storage.delete(f.thumbnail_key);
  if (f.message_id) {
    const m = await chatsRepo.messageById(deps.db, f.message_id);
    if (m) {
      // Open chat views replace the message (now showing "File deleted") without a reload.
      await publishMessage(deps, m, 'message.updated');
      const payload = { messageId: m.id, chatId: m.chat_id, fileId: f.id };
      deps.realtime.toChatVisitor(m.chat_id, 'file.deleted', payload);
      deps.realtime.toWorkspaceAgents(m.workspace_id, 'file.deleted', payload);
    }
  }
}
