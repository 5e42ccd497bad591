// Commits one step of a chat's bot conversation atomically: the new state, the bot's messages, upload requests and
// timeout jobs in one transaction, guarded by the exact previous state (optimistic locking). When two nodes or two
// requests race, one update finds the state changed, re-reads and decides again. Messages are announced after commit.
import type { Db } from '../../db/index.js';
import type { Deps } from '../../deps.js';
import type { ChatsTable, MessageRow } from '../../db/types.js';
import { jobsRepo, type NewJob } from '../../jobs/repo.js';
import { AppError } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { chatsRepo, type NewMessage } from '../chats/repo.js';
import { publishChat, publishMessage } from '../chats/service.js';
import { uploadTimeoutJob } from './jobs.js';
import { botRepo } from './repo.js';
import { parseState, serialiseState, type BotState } from './state.js';
import type { BotPost } from './walk.js';

export type PlannedPost = BotPost & { requestId?: string };
export type LeadMessage = Pick<NewMessage, 'author_role' | 'author_id' | 'text' | 'kind' | 'request_id' | 'meta'>;

export interface Change {
  state: Omit<BotState, 'rev'>;
  /** Leaving the bot: 'waiting' hands over to the agents' queue, 'closed' ends the chat. */
  status?: 'waiting' | 'closed';
  flowVersion?: number;
  /** Messages that come before the bot's answer (the visitor's skip, an expiry notice). */
  lead?: LeadMessage[];
  posts: PlannedPost[];
  /** mustBeOpen: the change only makes sense if the request is still open (else REQUEST_CLOSED, nothing written). */
  closeRequest?: { id: string; status: 'skipped' | 'expired'; mustBeOpen: boolean };
  remindRequest?: { id: string; expiresAt: string };
  jobs?: NewJob[];
}

export type Decide = (chat: ChatsTable, state: BotState | undefined) => Promise<Change | null>;

export interface Applied {
  lead: MessageRow[];
  posts: MessageRow[];
  /** The request message of the request this change closed: announced again (message.updated) with its status. */
  closed?: MessageRow;
}

/**
 * Closes an open upload request (skipped or expired) and reads its card, the bot's message that carries it, for
 * announceCard after commit; null when the request was no longer open (nothing written).
 */
export async function closeRequestCard(trx: Db, chatId: string, requestId: string, status: 'skipped' | 'expired') {
  if (!(await botRepo.closeRequest(trx, requestId, status))) return null;
  return { card: await chatsRepo.requestMessage(trx, chatId, requestId) };
}

/** Announces a closed request's card again (message.updated): an open widget disables its buttons at once. */
export async function announceCard(deps: Deps, card: MessageRow | undefined) {
  if (card) await publishMessage(deps, card, 'message.updated');
}

class StateMoved extends Error {}
const MAX_ATTEMPTS = 5;

/** Decides on a fresh read and commits; null when the chat is not with the bot or the decision was "nothing". */
export async function transition(deps: Deps, chatId: string, decide: Decide): Promise<Applied | null> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const chat = await chatsRepo.chatById(deps.db, chatId);
    // The bot stops the moment an agent has the chat (open) or it is closed.
    if (chat?.status !== 'bot') return null;
    const previous = parseState(chat.bot_state);
    const change = await decide(chat, previous);
    if (!change) return null;
    try {
      const applied = await commit(deps, chat, previous, change);
      await announceCard(deps, applied.closed);
      for (const row of [...applied.lead, ...applied.posts]) await publishMessage(deps, row);
      if (change.status) await publishChat(deps, chat.id);
      return applied;
    } catch (err) {
      if (!(err instanceof StateMoved)) throw err;
    }
  }
  deps.log.warn({ chatId }, 'bot state kept changing; gave up this transition');
  return null;
}

async function commit(deps: Deps, chat: ChatsTable, previous: BotState | undefined, change: Change): Promise<Applied> {
  const now = nowIso();
  return deps.db.transaction().execute(async (trx) => {
    let closed: MessageRow | undefined;
    if (change.closeRequest) {
      const done = await closeRequestCard(trx, chat.id, change.closeRequest.id, change.closeRequest.status);
      if (!done && change.closeRequest.mustBeOpen) throw requestClosed();
      closed = done?.card;
    }
    if (change.remindRequest) {
      if (!(await botRepo.remindRequest(trx, change.remindRequest.id, change.remindRequest.expiresAt)))
        throw requestClosed();
    }

    const base = { chat_id: chat.id, workspace_id: chat.workspace_id, file_ids: null };
    const lead: MessageRow[] = [];
    for (const m of change.lead ?? []) lead.push(await chatsRepo.insertMessage(trx, { ...base, ...m }));
    const posts: MessageRow[] = [];
    for (const p of change.posts) {
      if (p.kind === 'upload_request') {
        const requestId = p.requestId!;
        const expiresAt = p.timeoutSeconds ? new Date(Date.now() + p.timeoutSeconds * 1000).toISOString() : null;
        await botRepo.insertRequest(trx, {
          id: requestId,
          workspace_id: chat.workspace_id,
          chat_id: chat.id,
          step_id: p.stepId,
          prompt: p.prompt,
          allowed_types: p.allowedTypes,
          max_files: p.maxFiles,
          optional: p.optional ? 1 : 0,
          status: 'open',
          reminded: 0,
          expires_at: expiresAt,
          created_at: now,
        });
        if (expiresAt)
          await jobsRepo.enqueue(trx, uploadTimeoutJob({ chatId: chat.id, requestId, round: 0 }, expiresAt));
        posts.push(
          await chatsRepo.insertMessage(trx, {
            ...base,
            author_role: 'bot',
            author_id: null,
            text: p.text,
            kind: 'upload_request',
            request_id: requestId,
            meta: null,
          }),
        );
      } else {
        const meta = p.buttons?.length ? JSON.stringify({ buttons: p.buttons }) : null;
        posts.push(
          await chatsRepo.insertMessage(trx, {
            ...base,
            author_role: 'bot',
            author_id: null,
            text: p.text,
            kind: 'text',
            request_id: null,
            meta,
          }),
        );
      }
    }
    for (const job of change.jobs ?? []) await jobsRepo.enqueue(trx, job);

    // The guard comes last so the new state can name the seq of what was just written; if another transition
    // committed first, nothing above survives the rollback.
    const written = [...lead, ...posts].map((r) => Number(r.seq));
    const afterSeq = written.length ? Math.max(...written) : previous?.afterSeq;
    const next = serialiseState({ ...change.state, rev: (previous?.rev ?? 0) + 1, afterSeq });
    const guarded = await chatsRepo.updateBotChat(trx, chat, {
      bot_state: next,
      updated_at: now,
      ...(change.status ? { status: change.status } : {}),
      ...(change.status === 'waiting' ? { waiting_since: now } : {}),
      ...(change.status === 'closed' ? { closed_at: now } : {}),
      ...(change.flowVersion !== undefined ? { bot_flow_version: change.flowVersion } : {}),
    });
    if (!guarded) throw new StateMoved();
    return { lead, posts, closed };
  });
}

export const requestClosed = () =>
  new AppError('REQUEST_CLOSED', 'This upload request was already answered, skipped or expired');
