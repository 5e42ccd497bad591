// SQL for visitors, chats and messages.
import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import type { Dialect, Db } from '../../db/index.js';
import type { ChatsTable, Database, MessageRow, MessagesTable } from '../../db/types.js';
import { newId, nowIso } from '../../ids.js';
import { newChatRef, parseChatRef } from './ref.js';
import { holdUntilCommit } from '../../db/lock-repo.js';
import { runCompiled } from '../../db/compiled.js';

export type NewMessage = Omit<MessagesTable, 'seq' | 'id' | 'created_at' | 'held'> & { id?: string; held?: number };

/** The columns an INSERT … SELECT of a message names (the rest take their defaults). */
const MESSAGE_COLUMNS = [
  'id',
  'chat_id',
  'workspace_id',
  'author_role',
  'author_id',
  'text',
  'kind',
  'file_ids',
  'request_id',
  'meta',
  'created_at',
] as const;

/** A value as a text column of an INSERT … SELECT (PostgreSQL cannot infer a bare parameter's type there). */
const text = (v: string | null) => sql<string | null>`cast(${v} as text)`;

/** The id of the visitor's latest chat (a visitors row in scope). */
const latestChatId = (eb: ExpressionBuilder<Database, 'visitors'>) =>
  eb
    .selectFrom('chats as latest')
    .select('latest.id')
    .whereRef('latest.visitor_id', '=', 'visitors.id')
    .orderBy('latest.id', 'desc')
    .limit(1);

/** A visitor's text message as the rows insertVisitorTexts takes (n: its order among those given). */
interface VisitorText {
  id: string;
  token_hash: string;
  body: string;
  created_at: string;
  n: number;
}

/**
 * Visitors' text messages, each by the hash of its visitor's token, into the visitor's latest chat when that chat
 * takes a visitor's text as is (waiting, open, or with a bot that has started), in one INSERT … SELECT from `source`
 * (one row per message). Rows go in chat id order, then in the order given. Returns what was inserted, with the
 * chat's status, by message id; a message it did not take is missing.
 */
async function insertVisitorTexts<A extends unknown[]>(
  db: Db,
  key: string,
  args: A,
  source: (...args: A) => RawBuilder<VisitorText>,
) {
  const rows = await runCompiled(db, `visitor-texts:${key}`, args, (...a) =>
    db
      .insertInto('messages')
      .columns(MESSAGE_COLUMNS)
      .expression(
        db
          .selectFrom(source(...a).as('v'))
          .innerJoin('visitors', 'visitors.token_hash', 'v.token_hash')
          .innerJoin('chats', (join) => join.on((eb) => eb('chats.id', '=', latestChatId(eb))))
          .select([
            'v.id',
            'chats.id as chat_id',
            'chats.workspace_id',
            text('visitor').as('author_role'),
            'visitors.id as author_id',
            'v.body as text',
            text('text').as('kind'),
            text(null).as('file_ids'),
            text(null).as('request_id'),
            text(null).as('meta'),
            'v.created_at',
          ])
          .where((eb) =>
            eb.or([
              eb('chats.status', 'in', ['waiting', 'open']),
              eb.and([eb('chats.status', '=', 'bot'), eb('chats.bot_state', 'is not', null)]),
            ]),
          )
          .orderBy('chats.id')
          .orderBy('v.n'),
      )
      .returningAll()
      .returning((eb) =>
        eb.selectFrom('chats').select('chats.status').whereRef('chats.id', '=', 'messages.chat_id').as('chat_status'),
      ),
  );
  return new Map(
    rows.map(({ chat_status, ...row }) => [
      row.id,
      { row: row as MessageRow, chatStatus: chat_status as ChatsTable['status'] },
    ]),
  );
}

export const chatsRepo = {
  chatById: (db: Db, id: string) => db.selectFrom('chats').selectAll().where('id', '=', id).executeTakeFirst(),
  /**
   * Row-locks chats until the transaction ends (a no-op UPDATE: PostgreSQL locks the rows, SQLite serialises writers
   * anyway); returns how many exist. Transactions that delete chats and ones that record something about a chat that
   * may be gone take this lock first, so one of them always sees the other's outcome.
   */
  async lockChats(db: Db, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await db
      .updateTable('chats')
      .set((eb) => ({ id: eb.ref('id') }))
      .where('id', 'in', ids)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
  /** Chats with this short reference in these workspaces (at most two: enough to tell one from several). */
  chatsByRef: async (db: Db, workspaceIds: string[], ref: string) =>
    workspaceIds.length === 0
      ? []
      : db
          .selectFrom('chats')
          .selectAll()
          .where('workspace_id', 'in', workspaceIds)
          .where('ref', '=', ref)
          .limit(2)
          .execute(),
  /** A chat of the workspace by its id or by its short reference. */
  chatInWorkspace(db: Db, workspaceId: string, idOrRef: string) {
    const ref = parseChatRef(idOrRef);
    return db
      .selectFrom('chats')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => (ref ? eb.or([eb('id', '=', idOrRef), eb('ref', '=', ref)]) : eb('id', '=', idOrRef)))
      .executeTakeFirst();
  },
  /** Staff members' display names by id (agents' names on their messages). */
  userNames: async (db: Db, ids: string[]): Promise<Map<string, string>> => {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  },
  refsOf: async (db: Db, chatIds: string[]): Promise<Map<string, string>> => {
    if (chatIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('chats')
      .select(['id', 'ref'])
      .where('id', 'in', [...new Set(chatIds)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.ref]));
  },
  /** The visitor a widget token belongs to (its hash is stored), optionally only within one workspace. */
  visitorByTokenHash: (db: Db, tokenHash: string, workspaceId?: string) =>
    db
      .selectFrom('visitors')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .$if(workspaceId !== undefined, (q) => q.where('workspace_id', '=', workspaceId!))
      .executeTakeFirst(),
  /** The visitor a token hash names and its latest chat, in one statement (a request's credential and its chat). */
  async visitorWithLatestChat(db: Db, tokenHash: string) {
    const [row] = await runCompiled(db, 'visitor-with-latest-chat', [tokenHash], (hash) =>
      db
        .selectFrom('visitors')
        .leftJoin('chats', (join) => join.on((eb) => eb('chats.id', '=', latestChatId(eb))))
        .where('visitors.token_hash', '=', hash)
        .select(['visitors.id as visitorId', 'visitors.workspace_id as visitorWorkspaceId'])
        .selectAll('chats'),
    );
    if (!row) return undefined;
    const { visitorId, visitorWorkspaceId, ...chat } = row;
    return {
      id: visitorId,
      workspace_id: visitorWorkspaceId,
      latestChat: chat.id === null ? null : (chat as unknown as ChatsTable),
    };
  },
  chatIdsOfVisitor: async (db: Db, visitorId: string) =>
    (await db.selectFrom('chats').select('id').where('visitor_id', '=', visitorId).execute()).map((c) => c.id),
  /** In a transaction on PostgreSQL: waits for another request starting a chat for this visitor (advisory lock). */
  holdVisitor: async (db: Db, dialect: Dialect, visitorId: string) => {
    await holdUntilCommit(db, dialect, `visitor:${visitorId}`);
  },
  latestChatOfVisitor: (db: Db, visitorId: string) =>
    db
      .selectFrom('chats')
      .selectAll()
      .where('visitor_id', '=', visitorId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  async insertVisitor(db: Db, workspaceId: string, tokenHash: string) {
    const row = { id: newId(), workspace_id: workspaceId, token_hash: tokenHash, created_at: nowIso() };
    await db.insertInto('visitors').values(row).execute();
    return row;
  },
  /** `drawRef` draws the references tried in turn (newChatRef; a test hands it one that is taken). */
  async insertChat(
    db: Db,
    workspaceId: string,
    visitorId: string,
    status: ChatsTable['status'],
    visitorInfo: string | null = null,
    drawRef: () => string = newChatRef,
  ) {
    const now = nowIso();
    const row: ChatsTable = {
      id: newId(),
      workspace_id: workspaceId,
      ref: drawRef(),
      visitor_id: visitorId,
      status,
      assignee_id: null,
      bot_flow_version: null,
      bot_state: null,
      created_at: now,
      updated_at: now,
      closed_at: null,
      last_message_at: null,
      visitor_info: visitorInfo,
      waiting_since: status === 'waiting' ? now : null,
    };
    // Six characters from 31 make a clash within one workspace rare; then we draw again. The clash is skipped, not
    // raised: inside a transaction (the visitor session's) a failed statement would abort it on PostgreSQL.
    for (let attempt = 0; attempt < 8; attempt++) {
      const r = await db
        .insertInto('chats')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'ref']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) return row;
      row.ref = drawRef();
    }
    throw new Error(`No free chat reference in workspace ${workspaceId} after 8 draws`);
  },
  updateChat: (db: Db, id: string, patch: Partial<ChatsTable>) =>
    db
      .updateTable('chats')
      .set({ ...patch, updated_at: nowIso() })
      .where('id', '=', id)
      .execute(),
  /** Changes a closed chat (`closed`) or a chat not closed (`!closed`); false when another request changed it first. */
  async changeIfStatus(db: Db, id: string, was: 'closed' | '!closed', patch: Partial<ChatsTable>): Promise<boolean> {
    const r = await db
      .updateTable('chats')
      .set({ ...patch, updated_at: nowIso() })
      .where('id', '=', id)
      .where('status', was === 'closed' ? '=' : '<>', 'closed')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** Opens a chat for `assignee`; false when it is closed or already open with them (nothing changed). */
  async assignIfChanged(db: Db, id: string, assignee: string): Promise<boolean> {
    const r = await db
      .updateTable('chats')
      .set({ status: 'open', assignee_id: assignee, updated_at: nowIso() })
      .where('id', '=', id)
      .where('status', '<>', 'closed')
      .where((eb) =>
        eb.or([eb('status', '<>', 'open'), eb('assignee_id', 'is', null), eb('assignee_id', '<>', assignee)]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** The visitor's details (not a change of the chat itself: updated_at stays, so the queue's order does not move). */
  /** Sets a chat's visitor details unless it is closed (what they were when it closed stays); false when closed. */
  async setVisitorInfo(db: Db, id: string, visitorInfo: string | null): Promise<boolean> {
    const r = await db
      .updateTable('chats')
      .set({ visitor_info: visitorInfo })
      .where('id', '=', id)
      .where('status', '!=', 'closed')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** Updates a chat the bot still holds, only if its bot state is still `chat.bot_state`; false when it moved. */
  async updateBotChat(db: Db, chat: Pick<ChatsTable, 'id' | 'bot_state'>, patch: Partial<ChatsTable>) {
    const r = await db
      .updateTable('chats')
      .set(patch)
      .where('id', '=', chat.id)
      .where('status', '=', 'bot')
      .where((eb) => (chat.bot_state === null ? eb('bot_state', 'is', null) : eb('bot_state', '=', chat.bot_state)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  listChats: (db: Db, workspaceId: string, opts: { status?: ChatsTable['status']; cursor?: string; limit: number }) => {
    let q = db.selectFrom('chats').selectAll().where('workspace_id', '=', workspaceId);
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.cursor) q = q.where('id', '<', opts.cursor);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  },
  /**
   * One statement: the trigger of migration 1801 touches the chat (and on PostgreSQL takes the chat row's lock before
   * the message's seq is drawn, so one chat's messages commit in seq order).
   */
  insertMessage(db: Db, m: NewMessage): Promise<MessageRow> {
    const row = { ...m, id: m.id ?? newId(), created_at: nowIso() };
    return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
  },
  /**
   * A message into the workspace's chat (by id or short reference) only if that chat is open, in one statement (the
   * chat's check, the insert and, by trigger, its touch); undefined when the chat is missing or not open. With
   * `session` (the hash of a sign-in cookie) the statement also checks that session — live, of the owner or of a
   * member of the workspace — and the author is its user; undefined when it is not.
   */
  async insertIntoOpenChat(
    db: Db,
    workspaceId: string,
    idOrRef: string,
    m: Omit<NewMessage, 'chat_id' | 'workspace_id'>,
    session?: string,
  ): Promise<MessageRow | undefined> {
    const ref = parseChatRef(idOrRef);
    const bySession = session !== undefined;
    // The statement's shape: by id or by reference, author given or the session's user (compiled once each).
    const args: (string | null)[] = [m.id ?? newId(), m.author_role, m.text, m.kind, m.file_ids, m.request_id];
    args.push(m.meta, nowIso(), workspaceId, idOrRef, bySession ? session : m.author_id);
    if (ref) args.push(ref);
    const [row] = await runCompiled(db, `open-chat:${ref ? 'ref' : 'id'}:${bySession}`, args, (...a) => {
      const [id, role, body, kind, fileIds, requestId, meta, createdAt, ws, chat, authorOrSession, chatRef] = a;
      return db
        .insertInto('messages')
        .columns(MESSAGE_COLUMNS)
        .expression(
          db
            .selectFrom('chats')
            .select((eb) => [
              text(id!).as('id'),
              'chats.id as chat_id',
              'chats.workspace_id',
              text(role!).as('author_role'),
              bySession
                ? eb
                    .selectFrom('sessions')
                    .select('sessions.user_id')
                    .where('sessions.id', '=', authorOrSession!)
                    .as('author_id')
                : text(authorOrSession!).as('author_id'),
              text(body!).as('text'),
              text(kind!).as('kind'),
              text(fileIds!).as('file_ids'),
              text(requestId!).as('request_id'),
              text(meta!).as('meta'),
              text(createdAt!).as('created_at'),
            ])
            .where('chats.workspace_id', '=', ws!)
            .where((eb) => (ref ? eb.or([eb('id', '=', chat!), eb('ref', '=', chatRef!)]) : eb('id', '=', chat!)))
            .where('chats.status', '=', 'open')
            .$if(bySession, (q) =>
              q.where(({ exists, selectFrom }) =>
                exists(
                  selectFrom('sessions')
                    .innerJoin('users', 'users.id', 'sessions.user_id')
                    .select('sessions.id')
                    .where('sessions.id', '=', authorOrSession!)
                    // The session is live at the message's own time.
                    .where('sessions.expires_at', '>', createdAt!)
                    .where((eb) =>
                      eb.or([
                        eb('users.is_owner', '=', 1),
                        eb.exists(
                          eb
                            .selectFrom('memberships')
                            .select('memberships.user_id')
                            .where('memberships.workspace_id', '=', ws!)
                            .whereRef('memberships.user_id', '=', 'users.id'),
                        ),
                      ]),
                    ),
                ),
              ),
            ),
        )
        .returningAll();
    });
    return row as MessageRow | undefined;
  },
  /**
   * A visitor's text message by the hash of their token, in one statement: the token's check, the visitor's latest
   * chat, the insert and (by trigger) the chat's touch. Only into a chat that takes it as is (waiting, open, or with
   * a bot that has started); undefined otherwise — revoked or unknown token, no chat, a closed chat or one whose bot
   * has not started — and the caller takes the path that tells which. Returns the chat's status beside the row.
   */
  async insertFromVisitorToken(db: Db, tokenHash: string, m: { id: string; text: string }) {
    const rows = await insertVisitorTexts(
      db,
      'one',
      [m.id, tokenHash, m.text, nowIso()],
      (id, hash, body, createdAt) => sql<VisitorText>`(select ${text(id)} as id, ${text(hash)} as token_hash,
        ${text(body)} as body, ${text(createdAt)} as created_at, 1 as n)`,
    );
    return rows.get(m.id);
  },
  /**
   * PostgreSQL only: insertFromVisitorToken for several visitors' messages in one statement (one round trip, one
   * commit). The rows are inserted in chat id order, so two such statements take their chats' row locks (the touch
   * trigger) in the same order and never deadlock each other; one chat's messages keep the order given. Returns the
   * rows inserted with their chat's status, by message id; a message missing from it was not taken (see above).
   */
  insertFromVisitorTokens(db: Db, items: { tokenHash: string; id: string; text: string; createdAt: string }[]) {
    const column = (f: (i: (typeof items)[number]) => string) => items.map(f);
    return insertVisitorTexts(
      db,
      'unnest',
      [column((i) => i.id), column((i) => i.tokenHash), column((i) => i.text), column((i) => i.createdAt)],
      (ids, hashes, bodies, times) => sql<VisitorText>`(select * from unnest(${ids}::text[], ${hashes}::text[],
        ${bodies}::text[], ${times}::text[]) with ordinality as u(id, token_hash, body, created_at, n))`,
    );
  },
  /** Ends a message's hold (its files were scanned); false when it was not held (already released). */
  async unholdMessage(db: Db, id: string): Promise<boolean> {
    const r = await db
      .updateTable('messages')
      .set({ held: 0 })
      .where('id', '=', id)
      .where('held', '=', 1)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  messageById: (db: Db, id: string) => db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst(),
  /** The bot's message that carries an upload request (its card). */
  requestMessage: (db: Db, chatId: string, requestId: string) =>
    db
      .selectFrom('messages')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('request_id', '=', requestId)
      .where('kind', '=', 'upload_request')
      .executeTakeFirst(),
  /** The messages after `afterId` (all from the first without it); undefined when it is no message of this chat. */
  async messagesAfter(db: Db, chatId: string, afterId: string | undefined, limit: number) {
    let q = db.selectFrom('messages').selectAll().where('chat_id', '=', chatId);
    if (afterId) {
      const after = await db
        .selectFrom('messages')
        .select('seq')
        .where('id', '=', afterId)
        .where('chat_id', '=', chatId)
        .executeTakeFirst();
      if (!after) return undefined;
      q = q.where('seq', '>', after.seq);
    }
    return q.orderBy('seq', 'asc').limit(limit).execute();
  },
  /** The newest `limit` messages, oldest first (what a client shows when it opens a chat). */
  async lastMessages(db: Db, chatId: string, limit: number) {
    const rows = await db
      .selectFrom('messages')
      .selectAll()
      .where('chat_id', '=', chatId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  },
};
