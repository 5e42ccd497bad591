// Visitor sessions, the chat lifecycle (bot → waiting → open → closed) and text messages, for visitors and staff.
// Every committed change is announced through the realtime port; modules hear of it through domain events.
import type { Deps } from '../../deps.js';
import type { Db } from '../../db/index.js';
import type { ChatsTable, FilesTable, MessageRow } from '../../db/types.js';
import { AppError, notFound, validationFailed } from '../../errors.js';
import { newId, randomToken, sha256Hex } from '../../ids.js';
import type { Actor } from '../auth/actor.js';
import type { StaffContext } from '../workspaces/access.js';
import { workspacesRepo } from '../workspaces/repo.js';
import { authRepo } from '../auth/repo.js';
import { getFileSettings, visitorRules } from '../settings/file-upload.js';
import { appearanceOf, checkEmbedOrigin, type RequestOrigin, widgetByKey } from '../settings/embed.js';
import { chatsRepo, type NewMessage } from './repo.js';
import type { InsertVisitorPost } from './gather.js';
import { take } from '../limits/counters.js';
import { chatView, messageViews, type MessageView } from './view.js';
import { keysetPage, pageQueryLimit } from '../../db/keyset.js';
import { mergeVisitorInfo, type VisitorInfo } from './visitor-details.js';

export const MAX_TEXT = 10_000;

export function visitorAudience(deps: Deps) {
  return { kind: 'visitor' as const, keyring: deps.keyring, ttlSeconds: deps.config.signedUrlTtlSeconds };
}
const staffAudience = { kind: 'staff' as const };

/**
 * Starts or resumes a visitor's chat. A closed newest chat is replaced by a new one, unless `keepClosed` asks for it
 * (the widget keeps showing a closed chat's history until the visitor starts a new conversation).
 */
export async function startWidgetSession(
  deps: Deps,
  widgetKey: string,
  visitorToken?: string,
  ip = 'unknown',
  keepClosed = false,
  from?: RequestOrigin,
  details: Partial<VisitorInfo> = {},
) {
  const widget = await widgetByKey(deps.db, widgetKey);
  if (!widget) throw notFound('No such widget');
  // The websites the admin allowed to embed the widget (none listed: any).
  if (from) checkEmbedOrigin(widget.embed, from);
  const ws = { id: widget.workspaceId };
  // Each new visitor or new chat lands in the agents' queue: counted per IP and per widget before it is made.
  const newSessionLimits = [
    {
      key: `session:ip:${ip}`,
      max: deps.config.visitorSessionsPerIpHour,
      windowMs: 3_600_000,
      message: 'Too many new chats from this address; try again later',
    },
    {
      key: `session:widget:${ws.id}`,
      max: deps.config.visitorSessionsPerWidgetHour,
      windowMs: 3_600_000,
      message: 'This chat is very busy right now; try again later',
    },
  ];
  let token = visitorToken;
  let visitor = token ? await chatsRepo.visitorByTokenHash(deps.db, sha256Hex(token), ws.id) : undefined;
  let counted = false;
  if (!visitor) {
    await take(deps.db, newSessionLimits);
    counted = true;
    token = randomToken('vt_');
    visitor = await chatsRepo.insertVisitor(deps.db, ws.id, sha256Hex(token));
  }
  // A visitor made just now has no chat yet: no need to look.
  let chat = counted ? undefined : await chatsRepo.latestChatOfVisitor(deps.db, visitor.id);
  let created = false;
  if (!chat || (chat.status === 'closed' && !keepClosed)) {
    if (!counted) await take(deps.db, newSessionLimits);
    const info = mergeVisitorInfo(null, details);
    const seen = chat?.id;
    const v = visitor;
    // A returning visitor's sessions arriving at once (tabs opened together) start one chat: each waits for the one
    // before and takes the chat it started (PostgreSQL runs them side by side; SQLite one after the other).
    const made = counted
      ? { chat: await chatsRepo.insertChat(deps.db, ws.id, v.id, 'bot', info), created: true }
      : await deps.db.transaction().execute(async (trx) => {
          await chatsRepo.holdVisitor(trx, deps.dialect, v.id);
          const latest = await chatsRepo.latestChatOfVisitor(trx, v.id);
          if (latest && latest.id !== seen) return { chat: latest, created: false };
          return { chat: await chatsRepo.insertChat(trx, ws.id, v.id, 'bot', info), created: true };
        });
    chat = made.chat;
    created = made.created;
    if (created) {
      // An open socket of a returning visitor joins the new chat's room.
      if (!counted) deps.realtime.accessChanged({ visitorId: visitor.id });
      deps.realtime.toWorkspaceAgents(ws.id, 'chat.updated', { chat: chatView(chat) });
    } else await updateVisitorInfo(deps, chat, details);
  } else await updateVisitorInfo(deps, chat, details);
  const settings = await getFileSettings(deps.db, ws.id, deps.config.maxUploadMb);
  // The bot greets after the answer (issue 18: the session answers in 5 statements), so this is the last thing
  // done here; a visitor who reads or writes before the greeting waits for it in startedChat().
  if (created) deps.events.emitLater('chat.created', { chatId: chat.id, workspaceId: ws.id });
  return {
    visitorToken: token!,
    chat: { id: chat.id, ref: chat.ref, status: chat.status },
    uploads: visitorRules(settings),
    appearance: appearanceOf(widget.embed),
    workspaceId: ws.id,
  };
}

/** Changes of a visitor's details (POST /api/widget/chat/visitor) per visitor and minute. */
export const VISITOR_DETAILS_PER_MINUTE = 60;

/**
 * Sets what the widget reported about the visitor (page, browser, language, time zone, identify's name and e-mail)
 * on their chat and tells the agents; nothing is written when nothing changed (a resumed session on the same page).
 * A closed chat keeps the details it closed with: `refuseClosed` (POST /api/widget/chat/visitor) answers 409
 * CHAT_CLOSED, otherwise (a resumed session showing the closed chat) nothing is written.
 */
export async function updateVisitorInfo(
  deps: Deps,
  chat: ChatsTable,
  patch: Partial<VisitorInfo>,
  opts: { limited?: boolean; refuseClosed?: boolean } = {},
) {
  const closed = () => {
    if (opts.refuseClosed)
      throw new AppError('CHAT_CLOSED', 'This chat is closed; its visitor details no longer change');
    return chat;
  };
  if (chat.status === 'closed') return closed();
  const next = mergeVisitorInfo(chat.visitor_info, patch);
  if (next === chat.visitor_info) return chat;
  // Each change is a write and a chat.updated to every agent of the workspace: a visitor changes them at most
  // VISITOR_DETAILS_PER_MINUTE times a minute (identify and page changes, the loader looks every 2 s).
  if (opts.limited)
    await take(deps.db, [
      {
        key: `visitor-details:${chat.visitor_id}`,
        max: VISITOR_DETAILS_PER_MINUTE,
        windowMs: 60_000,
        message: 'The visitor details changed too often; try again in a minute',
      },
    ]);
  // Closed between the read and this write: the same as closed before.
  if (!(await chatsRepo.setVisitorInfo(deps.db, chat.id, next))) return closed();
  chat.visitor_info = next;
  const view = chatView(chat);
  deps.realtime.toChatVisitor(chat.id, 'chat.updated', { chat: view });
  deps.realtime.toWorkspaceAgents(chat.workspace_id, 'chat.updated', { chat: view });
  return chat;
}

/** The visitor's current chat (their newest one). */
export async function visitorChat(db: Db, actor: Actor | undefined): Promise<ChatsTable> {
  if (actor?.kind !== 'visitor') throw new AppError('UNAUTHENTICATED', 'Send your visitor token as a Bearer token');
  // Read with the token by the auth hook (one statement for both) unless the actor came another way.
  const chat =
    actor.latestChat !== undefined ? actor.latestChat : await chatsRepo.latestChatOfVisitor(db, actor.visitorId);
  if (!chat) throw notFound('No chat');
  return chat;
}

/**
 * The chat once the bot has started it: the greeting runs just after the session's answer, so a visitor who reads or
 * writes sooner starts it here first (the bot's start is idempotent: a second start finds the state set).
 */
export async function startedChat(deps: Deps, chat: ChatsTable): Promise<ChatsTable> {
  if (chat.status !== 'bot' || chat.bot_state !== null) return chat;
  await deps.events.emit('chat.created', { chatId: chat.id, workspaceId: chat.workspace_id });
  return (await chatsRepo.chatById(deps.db, chat.id)) ?? chat;
}

export async function staffChat(db: Db, ctx: StaffContext, chatId: string): Promise<ChatsTable> {
  const chat = await chatsRepo.chatInWorkspace(db, ctx.workspaceId, chatId);
  if (!chat) throw notFound('No such chat');
  return chat;
}

const notAMessageOfThisChat = () =>
  new AppError('BAD_REQUEST', 'after is not a message of this chat', {
    fields: { after: 'Not a message of this chat' },
  });

export async function listMessages(
  deps: Deps,
  chat: ChatsTable,
  audience: 'visitor' | 'staff',
  after: string | undefined,
  limit: number,
) {
  const rows = after
    ? await chatsRepo.messagesAfter(deps.db, chat.id, after, limit)
    : await chatsRepo.lastMessages(deps.db, chat.id, limit);
  // An id that is no message of this chat is the caller's mistake, never "from the start" (like a foreign cursor).
  if (!rows) throw notAMessageOfThisChat();
  return messageViews(deps.db, rows, audience === 'visitor' ? visitorAudience(deps) : staffAudience);
}

/**
 * Announces a committed message to the chat's visitor and to the workspace's agents, each with its own file URLs,
 * and returns both views so that callers answering HTTP need not build them again.
 */
export async function publishMessage(
  deps: Deps,
  row: MessageRow,
  event: 'message.created' | 'message.updated' = 'message.created',
  /** Its file rows when the caller holds them (just committed): not read again. */
  files: FilesTable[] = [],
): Promise<{ forStaff: MessageView; forVisitor: MessageView }> {
  const [forStaff] = await messageViews(deps.db, [row], staffAudience, files);
  const [forVisitor] = await messageViews(deps.db, [row], visitorAudience(deps), files);
  // A held message (files waiting for their malware scan) has a view for its author's side only.
  if (forVisitor) deps.realtime.toChatVisitor(row.chat_id, event, { message: forVisitor });
  if (forStaff) deps.realtime.toWorkspaceAgents(row.workspace_id, event, { message: forStaff });
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
  // The same rule as a message sent with files (files/commit.ts messageText): PostgreSQL cannot hold a NUL.
  if (text.includes('\u0000')) throw validationFailed({ text: 'Contains a NUL character' });
  return text;
}

/** The text cleanText() takes, or undefined. */
function acceptedText(text: unknown): string | undefined {
  try {
    return cleanText(text);
  } catch {
    return undefined;
  }
}

/** A person's text message (visitor or agent): its row, without chat or workspace. */
const textMessage = (authorRole: 'visitor' | 'agent', authorId: string | null, text: string) => ({
  author_role: authorRole,
  author_id: authorId,
  text,
  kind: 'text' as const,
  file_ids: null,
  request_id: null,
  meta: null,
});

/** Tells the modules (the bot) that a person's message was committed into a chat of the given status. */
const messageCreated = (
  deps: Deps,
  row: MessageRow,
  authorRole: 'visitor' | 'agent',
  chatStatus: ChatsTable['status'],
) =>
  deps.events.emit('message.created', {
    chatId: row.chat_id,
    workspaceId: row.workspace_id,
    messageId: row.id,
    authorRole,
    chatStatus,
  });

export async function postVisitorMessage(deps: Deps, chat: ChatsTable, visitorId: string, text: unknown) {
  const body = cleanText(text);
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed; start a new one');
  const { row, forVisitor } = await insertAndPublish(deps, {
    chat_id: chat.id,
    workspace_id: chat.workspace_id,
    ...textMessage('visitor', visitorId, body),
  });
  await messageCreated(deps, row, 'visitor', chat.status);
  return forVisitor;
}

/**
 * A visitor's message by their token's hash in one statement (the hot path); undefined when that statement did not
 * take it (token revoked, no chat, chat closed or its bot not started): the caller takes postVisitorMessage's path.
 */
export async function postVisitorMessageByToken(
  deps: Deps,
  insert: InsertVisitorPost,
  tokenHash: string,
  text: unknown,
) {
  // A text refused goes the other way too: who is asking is answered first.
  const body = acceptedText(text);
  if (body === undefined) return undefined;
  const inserted = await insert({ tokenHash, id: newId(), text: body });
  if (!inserted) return undefined;
  const { row, chatStatus } = inserted;
  const { forVisitor } = await publishMessage(deps, row);
  await messageCreated(deps, row, 'visitor', chatStatus);
  return forVisitor;
}

export async function postStaffMessage(deps: Deps, ctx: StaffContext, chat: ChatsTable, text: unknown) {
  const body = cleanText(text);
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');
  await takeOverIfUnassigned(deps, ctx, chat);
  const { row, forStaff } = await insertAndPublish(deps, {
    chat_id: chat.id,
    workspace_id: chat.workspace_id,
    ...textMessage('agent', ctx.userId ?? null, body),
  });
  await messageCreated(deps, row, 'agent', chat.status);
  return forStaff;
}

/**
 * An agent's message by chat id or reference: into an open chat in one statement (the hot path); a chat with the
 * bot or in the queue is taken over first, a closed or missing one refused, by postStaffMessage.
 */
export async function postStaffMessageTo(deps: Deps, ctx: StaffContext, chatIdOrRef: string, text: unknown) {
  const body = cleanText(text);
  const row = await chatsRepo.insertIntoOpenChat(
    deps.db,
    ctx.workspaceId,
    chatIdOrRef,
    textMessage('agent', ctx.userId ?? null, body),
  );
  if (!row) return postStaffMessage(deps, ctx, await staffChat(deps.db, ctx, chatIdOrRef), body);
  const { forStaff } = await publishMessage(deps, row);
  await messageCreated(deps, row, 'agent', 'open');
  return forStaff;
}

/**
 * An agent's message signed in by cookie, into an open chat, in one statement that also checks the session and the
 * membership (the hot path); undefined when it did not take it: the caller resolves the caller and the chat.
 */
export async function postStaffMessageBySession(
  deps: Deps,
  sessionHash: string,
  workspaceId: string,
  chatIdOrRef: string,
  text: unknown,
) {
  const body = acceptedText(text);
  if (body === undefined) return undefined;
  const m = textMessage('agent', null, body);
  const row = await chatsRepo.insertIntoOpenChat(deps.db, workspaceId, chatIdOrRef, m, sessionHash);
  if (!row) return undefined;
  const { forStaff } = await publishMessage(deps, row);
  await messageCreated(deps, row, 'agent', 'open');
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
    const owner = await authRepo.findUserById(deps.db, userId);
    if (!member && owner?.is_owner !== 1) throw validationFailed({ userId: 'Not a member of this workspace' });
  }
  // Only a change is announced: the same agent taking the chat again (or the same click arriving several times at
  // once) writes no second "joined" note.
  if (!(await chatsRepo.assignIfChanged(deps.db, chat.id, assignee))) {
    const now = (await chatsRepo.chatById(deps.db, chat.id))!;
    if (now.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');
    return chatView(now);
  }
  await insertAndPublish(deps, {
    chat_id: chat.id,
    workspace_id: chat.workspace_id,
    author_role: 'system',
    author_id: null,
    text: 'An agent joined the chat',
    kind: 'event',
    file_ids: null,
    request_id: null,
    meta: JSON.stringify({ event: 'assigned' }),
  });
  return (await publishChat(deps, chat.id))!;
}

/**
 * Closes a chat not closed, or reopens a closed one. Only the request that changes the status writes the note: the
 * same click arriving several times at once is one change (PostgreSQL runs them side by side).
 */
export async function setChatStatus(
  deps: Deps,
  chatId: string,
  status: 'closed' | 'open',
  note: string,
  extra: Partial<ChatsTable> = {},
) {
  const patch: Partial<ChatsTable> = { ...extra, status };
  if (status === 'closed') Object.assign(patch, { closed_at: new Date().toISOString(), waiting_since: null });
  const changed = await chatsRepo.changeIfStatus(deps.db, chatId, status === 'closed' ? '!closed' : 'closed', patch);
  const chat = (await chatsRepo.chatById(deps.db, chatId))!;
  if (!changed) return chatView(chat);
  await insertAndPublish(deps, {
    chat_id: chat.id,
    workspace_id: chat.workspace_id,
    author_role: 'system',
    author_id: null,
    text: note,
    kind: 'event',
    file_ids: null,
    request_id: null,
    meta: JSON.stringify({ event: status }),
  });
  return (await publishChat(deps, chatId))!;
}

export async function closeChat(deps: Deps, chat: ChatsTable) {
  if (chat.status === 'closed') return chatView(chat);
  return setChatStatus(deps, chat.id, 'closed', 'The chat was closed');
}

/** Reopens a closed chat for the agent (it becomes theirs), unless its visitor has started a newer chat since. */
export async function reopenChat(deps: Deps, ctx: StaffContext, chat: ChatsTable) {
  if (chat.status !== 'closed') return chatView(chat);
  const latest = await chatsRepo.latestChatOfVisitor(deps.db, chat.visitor_id);
  if (latest && latest.id !== chat.id)
    throw new AppError('CHAT_CLOSED', 'The visitor has started a new conversation since; this one stays closed');
  return setChatStatus(deps, chat.id, 'open', 'The chat was reopened', {
    assignee_id: ctx.userId ?? chat.assignee_id,
    closed_at: null,
  });
}

export async function listChats(
  deps: Deps,
  ctx: StaffContext,
  status: ChatsTable['status'] | undefined,
  cursor: string | undefined,
  limit: number,
) {
  const rows = await chatsRepo.listChats(deps.db, ctx.workspaceId, { status, cursor, limit: pageQueryLimit(limit) });
  const { page, nextCursor } = keysetPage(rows, limit);
  return { chats: page.map(chatView), nextCursor };
}
