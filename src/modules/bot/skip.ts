// The visitor skips an optional upload request: the request closes as 'skipped', a visitor event records it, and
// the bot moves on. Without the bot waiting on it (an agent took over), the request still closes.
import type { Deps } from '../../deps.js';
import type { ChatsTable } from '../../db/types.js';
import { AppError, notFound } from '../../errors.js';
import { chatsRepo } from '../chats/repo.js';
import { publishMessage, visitorAudience } from '../chats/service.js';
import { messageViews, type MessageView } from '../chats/view.js';
import { botRepo } from './repo.js';
import { continuePastRequest } from './runtime.js';
import { announceCard, closeRequestCard, requestClosed, type LeadMessage } from './transition.js';

export async function skipRequest(deps: Deps, chat: ChatsTable, requestId: string): Promise<MessageView> {
  const request = await botRepo.request(deps.db, requestId);
  if (!request || request.chat_id !== chat.id) throw notFound('No such upload request in this chat');
  if (request.status !== 'open') throw requestClosed();
  if (request.optional !== 1) {
    throw new AppError('VALIDATION_FAILED', 'This file is required and cannot be skipped', {
      fields: { requestId: 'This upload request is not optional' },
    });
  }
  if (chat.status === 'closed') throw new AppError('CHAT_CLOSED', 'This chat is closed');
  const lead: LeadMessage = {
    author_role: 'visitor',
    author_id: chat.visitor_id,
    text: 'Skipped the file request',
    kind: 'event',
    request_id: requestId,
    meta: JSON.stringify({ event: 'request_skipped' }),
  };
  const applied = await continuePastRequest(deps, chat.id, requestId, { status: 'skipped', lead });
  const row = applied?.lead[0] ?? (await closeWithoutBot(deps, chat, requestId, 'skipped', lead));
  if (!row) throw requestClosed();
  return (await messageViews(deps.db, [row], visitorAudience(deps)))[0]!;
}

/** Closes a request the bot is not waiting for (an agent has the chat), with its event; undefined if not open. */
export async function closeWithoutBot(
  deps: Deps,
  chat: ChatsTable,
  requestId: string,
  status: 'skipped' | 'expired',
  lead: LeadMessage,
) {
  const done = await deps.db.transaction().execute(async (trx) => {
    const closed = await closeRequestCard(trx, chat.id, requestId, status);
    if (!closed) return undefined;
    const row = await chatsRepo.insertMessage(trx, {
      chat_id: chat.id,
      workspace_id: chat.workspace_id,
      file_ids: null,
      ...lead,
    });
    return { card: closed.card, row };
  });
  if (!done) return undefined;
  await announceCard(deps, done.card);
  await publishMessage(deps, done.row);
  return done.row;
}
