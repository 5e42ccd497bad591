// Visitor sessions, the chat lifecycle (bot → waiting → open → closed) and text messages, for visitors and staff.
// Every committed change is announced through the realtime port; modules hear of it through domain events.
import type { Deps } from '../../deps.js';
import type { Db } from '../../db/index.js';
import type { ChatsTable, MessageRow, MessagesTable } from '../../db/types.js';
import { AppError, notFound, validationFailed } from '../../errors.js';
import { randomToken, sha256Hex } from '../../ids.js';
import type { Actor } from '../auth/actor.js';
import type { StaffContext } from '../workspaces/access.js';
import { workspacesRepo } from '../workspaces/repo.js';
import { getFileSettings, visitorRules } from '../settings/file-upload.js';
import { chatsRepo, type NewMessage } from './repo.js';
import { chatView, messageViews, type MessageView } from './view.js';

export const MAX_TEXT = 10_000;

export function visitorAudience(deps: Deps) {
  return { kind: 'visitor' as const, keyring: deps.keyring, ttlSeconds: deps.config.signedUrlTtlSeconds };
}
const staffAudience = { kind: 'staff' as const };

export async function startWidgetSession(deps: Deps, widgetKey: string, visitorToken?: string) {
  const ws = await workspacesRepo.byWidgetKey(deps.db, widgetKey);
  if (!ws) throw notFound('No such widget');
  let token = visitorToken;
  let visitor = token
    ? await deps.db.selectFrom('visitors').selectAll().where('token_hash', '=', sha256Hex(token)).where('workspace_id', '=', ws.id).executeTakeFirst()
    : undefined;
  if (!visitor) {
    token = randomToken('vt_');
    visitor = await chatsRepo.insertVisitor(deps.db, ws.id, sha256Hex(token));
  }
  let chat = await chatsRepo.latestChatOfVisitor(deps.db, visitor.id);
  let created = false;
  if (!chat || chat.status === 'closed') {
    chat = await chatsRepo.insertChat(deps.db, ws.id, visitor.id, 'bot');
    created = true;
  }
  if (created) {
    deps.realtime.toWorkspaceAgents(ws.id, 'chat.updated', { chat: chatView(chat) });
    await deps.events.emit('chat.created', { chatId: chat.id, workspaceId: ws.id });
    chat = (await chatsRepo.chatById(deps.db, chat.id))!;
  }
  const settings = await getFileSettings(deps.db, ws.id, deps.config.maxUploadMb);
  return { visitorToken: token!, chat: { id: chat.id, status: chat.status }, uploads: visitorRules(settings), workspaceId: ws.id };
}

/** The visitor's current chat (their newest one). */
export async function visitorChat(db: Db, actor: Actor | undefined): Promise<ChatsTable> {
  if (!actor || actor.kind !== 'visitor') throw new AppError('UNAUTHENTICATED', 'Send your visitor token as a Bearer token');
  const chat = await chatsRepo.latestChatOfVisitor(db, actor.visitorId);
  if (!chat) throw notFound('No chat');
  return chat;
}

export async function staffChat(db: Db, ctx: StaffContext, chatId: string): Promise<ChatsTable> {
  const chat = await chatsRepo.chatInWorkspace(db, ctx.workspaceId, chatId);
  if (!chat) throw notFound('No such chat');
  return chat;
}

export async function listMessages(deps: Deps, chat: ChatsTable, audience: 'visitor' | 'staff', after: string | undefined, limit: number) {
  const rows = after ? await chatsRepo.messagesAfter(deps.db, chat.id, after, limit) : await chatsRepo.lastMessages(deps.db, chat.id, limit);
  return messageViews(deps.db, rows, audience === 'visitor' ? visitorAudience(deps) : staffAudience);
}

/**
 * Announces a committed message to the chat's visitor and to the workspace's agents, each with its own file URLs,
 * and returns both views so that callers answering HTTP need not build them again.
 */
export async function publishMessage(deps: Deps, row: MessageRow, event: 'message.created' | 'message.updated' = 'message.created'): Promise<{ forStaff: MessageView; forVisitor: MessageView }> {
  const [forStaff] = await messageViews(deps.db, [row], staffAudience);
  const [forVisitor] = await messageViews(deps.db, [row], visitorAudience(deps));
  deps.realtime.toChatVisitor(row.chat_id, event, { message: forVisitor });
  deps.realtime.toWorkspaceAgents(row.workspace_id, event, { message: forStaff });
  return { forStaff: forStaff!, forVisitor: forVisitor! };
}

export async function publishChat(deps: Deps, chatId: string) {
  const chat = await chatsRepo.chatById(deps.db, chatId);
  if (!chat) return;
  const view = chatView(chat);
  deps.realtime.toChatVisitor(chat.id, 'chat.updated', { chat: view });
  deps.realtime.toWorkspaceAgents(chat.workspace_id, 'chat.updated', { chat: view });
  return view;
}

export async function insertAndPublish(deps: Deps, m: NewMessage) {
  const row = await chatsRepo.insertMessage(deps.db, m);
  return { row, ...(await publishMessage(deps, row)) };
}

function cleanText(text: unknown): string {
  if (typeof text !== 'string' || text.trim().length === 0) throw validationFailed({ text: 'Write a message' });
  if (text.length > MAX_TEXT) throw validationFailed({ text: `At most ${MAX_TEXT} characters` });
  return text;
}

export async function postVisitorMessage(deps: Deps, chat: ChatsTable, visitorId: string, text: unknown) {
  const body = cleanText(text);
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed; start a new one');
  const { row, forVisitor } = await insertAndPublish(deps, { chat_id: chat.id, workspace_id: chat.workspace_id, author_role: 'visitor', author_id: visitorId, text: body, kind: 'text', file_ids: null, request_id: null, meta: null });
  await deps.events.emit('message.created', { chatId: chat.id, workspaceId: chat.workspace_id, messageId: row.id, authorRole: 'visitor' });
  return forVisitor;
}

export async function postStaffMessage(deps: Deps, ctx: StaffContext, chat: ChatsTable, text: unknown) {
  const body = cleanText(text);
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');
  await takeOverIfUnassigned(deps, ctx, chat);
  const { row, forStaff } = await insertAndPublish(deps, { chat_id: chat.id, workspace_id: chat.workspace_id, author_role: 'agent', author_id: ctx.userId ?? null, text: body, kind: 'text', file_ids: null, request_id: null, meta: null });
  await deps.events.emit('message.created', { chatId: chat.id, workspaceId: chat.workspace_id, messageId: row.id, authorRole: 'agent' });
  return forStaff;
}

/** An agent who writes into a chat still with the bot or in the queue takes it. */
export async function takeOverIfUnassigned(deps: Deps, ctx: StaffContext, chat: ChatsTable) {
  if (chat.status === 'bot' || chat.status === 'waiting') {
    await chatsRepo.updateChat(deps.db, chat.id, { status: 'open', assignee_id: ctx.userId ?? chat.assignee_id });
    chat.status = 'open';
    await publishChat(deps, chat.id);
  }
}

export async function assignChat(deps: Deps, ctx: StaffContext, chat: ChatsTable, userId?: string) {
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');
  const assignee = userId ?? ctx.userId;
  if (!assignee) throw validationFailed({ userId: 'An API token must name the agent to assign' });
  if (userId && userId !== ctx.userId) {
    const member = await workspacesRepo.membership(deps.db, ctx.workspaceId, userId);
    const owner = await deps.db.selectFrom('users').select('is_owner').where('id', '=', userId).executeTakeFirst();
    if (!member && owner?.is_owner !== 1) throw validationFailed({ userId: 'Not a member of this workspace' });
  }
  await chatsRepo.updateChat(deps.db, chat.id, { status: 'open', assignee_id: assignee });
  await insertAndPublish(deps, { chat_id: chat.id, workspace_id: chat.workspace_id, author_role: 'system', author_id: null, text: 'An agent joined the chat', kind: 'event', file_ids: null, request_id: null, meta: JSON.stringify({ event: 'assigned' }) });
  return (await publishChat(deps, chat.id))!;
}

export async function setChatStatus(deps: Deps, chatId: string, status: ChatsTable['status'], note?: string) {
  const patch: Partial<ChatsTable> = { status };
  if (status === 'closed') patch.closed_at = new Date().toISOString();
  await chatsRepo.updateChat(deps.db, chatId, patch);
  const chat = (await chatsRepo.chatById(deps.db, chatId))!;
  if (note) await insertAndPublish(deps, { chat_id: chat.id, workspace_id: chat.workspace_id, author_role: 'system', author_id: null, text: note, kind: 'event', file_ids: null, request_id: null, meta: JSON.stringify({ event: status }) });
  return (await publishChat(deps, chatId))!;
}

export async function closeChat(deps: Deps, chat: ChatsTable) {
  if (chat.status === 'closed') return chatView(chat);
  return setChatStatus(deps, chat.id, 'closed', 'The chat was closed');
}

export async function listChats(deps: Deps, ctx: StaffContext, status: ChatsTable['status'] | undefined, cursor: string | undefined, limit: number) {
  const rows = await chatsRepo.listChats(deps.db, ctx.workspaceId, { status, cursor, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return { chats: page.map(chatView), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}
