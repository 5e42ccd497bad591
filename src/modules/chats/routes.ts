// HTTP for the widget session, visitor messages, and the agents' chat queue, assignment and messages.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import { localRate } from '../limits/local-rate.js';
import { recentMap } from '../limits/recent-map.js';
import { gatherVisitorPosts } from './gather.js';
import type { App } from '../../http/types.js';
import { resolveActorOf, resolveStaffOf, staffOf } from '../../http/auth.js';
import { AfterQuery, Cursor, WsChatParams, WsParams } from '../../http/types.js';
import { decodeCursor, encodeCursor } from '../../db/keyset.js';
import {
  assignChat,
  closeChat,
  reopenChat,
  listChats,
  listMessages,
  postStaffMessageBySession,
  postStaffMessageTo,
  postVisitorMessage,
  postVisitorMessageByToken,
  staffChat,
  startedChat,
  startWidgetSession,
  updateVisitorInfo,
  visitorChat,
} from './service.js';
import { cleanVisitorInput, type VisitorInput } from './visitor-details.js';
import { chatView } from './view.js';
import { requestOrigin } from '../settings/embed-routes.js';
import {
  ChatPageSchema,
  ChatSchema,
  MessageListSchema,
  MessageSchema,
  VisitorDetailsSchema,
  WidgetSessionSchema,
} from './schemas.js';

const ChatAnswer = Type.Object({ chat: Type.Ref(ChatSchema) });
const MessagesAnswer = Type.Ref(MessageListSchema);
const MessageAnswer = Type.Object({ message: Type.Ref(MessageSchema) });

const Status = Type.Union([Type.Literal('bot'), Type.Literal('waiting'), Type.Literal('open'), Type.Literal('closed')]);
const TextBody = Type.Object({ text: Type.String({ maxLength: 10_000 }) });
const TOO_MANY = 'Too many messages at once; wait a moment';

export async function chatsRoutes(app: App, deps: Deps) {
  // A visitor token is free to mint, and each message reaches every agent socket of the workspace.
  const visitorMessages = localRate(deps.config.visitorMessagesPerMinute);
  // Token hash → visitor id for the rate limit's key only: the token itself is checked by every message's statement,
  // so a revoked token is refused at once whatever this holds (a token never changes hands).
  const knownVisitors = recentMap<string, string>(100_000);
  // Visitors' messages by token; on PostgreSQL those that arrive together share a statement (gather.ts).
  const insertVisitorPost = gatherVisitorPosts(deps.db, deps.dialect, (size) =>
    deps.events.emit('messages.gathered', { size }),
  );
  app.post(
    '/api/widget/:widgetKey/session',
    {
      schema: {
        tags: ['widget'],
        summary: "Starts or resumes a visitor's chat",
        params: Type.Object({ widgetKey: Type.String({ maxLength: 128 }) }),
        body: Type.Optional(
          Type.Object({
            visitorToken: Type.Optional(Type.String({ maxLength: 256 })),
            keepClosed: Type.Optional(
              Type.Boolean({
                description: 'Answer the newest chat even when closed (history stays readable) instead of a new one',
              }),
            ),
            embedOrigin: Type.Optional(
              Type.String({
                maxLength: 300,
                description: "The origin of the page embedding the widget's iframe, checked against allowed origins",
              }),
            ),
            visitor: Type.Optional(Type.Ref(VisitorDetailsSchema)),
          }),
        ),
        response: { 200: Type.Ref(WidgetSessionSchema) },
      },
    },
    async (request) => {
      const { workspaceId: _ws, ...session } = await startWidgetSession(
        deps,
        request.params.widgetKey,
        request.body?.visitorToken,
        request.ip,
        request.body?.keepClosed === true,
        requestOrigin(request, deps.config.publicUrl, request.body?.embedOrigin),
        cleanVisitorInput(request.body?.visitor as VisitorInput | undefined, request.headers['user-agent']),
      );
      return session;
    },
  );

  app.post(
    '/api/widget/chat/visitor',
    {
      schema: {
        tags: ['widget'],
        summary: "Tells who the visitor is (Parley('identify')) and which page they are on",
        description: 'Sets the fields given, keeps the others; 60 changes a minute (429). Closed chat: 409 CHAT_CLOSED',
        body: Type.Ref(VisitorDetailsSchema),
        response: { 200: ChatAnswer },
      },
    },
    async (request) => {
      const details = cleanVisitorInput(request.body as VisitorInput, request.headers['user-agent']);
      const chat = await updateVisitorInfo(deps, await visitorChat(deps.db, request.actor), details, {
        limited: true,
        refuseClosed: true,
      });
      return { chat: chatView(chat) };
    },
  );

  app.get(
    '/api/widget/chat',
    { schema: { tags: ['widget'], summary: "The visitor's current chat", response: { 200: ChatAnswer } } },
    async (request) => {
      return { chat: chatView(await startedChat(deps, await visitorChat(deps.db, request.actor))) };
    },
  );

  app.get(
    '/api/widget/chat/messages',
    {
      schema: {
        tags: ['widget'],
        summary: "The visitor's chat messages, oldest first",
        querystring: AfterQuery,
        response: { 200: MessagesAnswer },
      },
    },
    async (request) => {
      const chat = await startedChat(deps, await visitorChat(deps.db, request.actor));
      return { messages: await listMessages(deps, chat, 'visitor', request.query.after, request.query.limit ?? 100) };
    },
  );

  app.post(
    '/api/widget/chat/messages',
    {
      config: { credentialsInHandler: true },
      schema: {
        tags: ['widget'],
        summary: 'Sends a text message as the visitor',
        description: 'Per visitor and node: PARLEY_VISITOR_MESSAGES_PER_MINUTE (60), bursts of half; then 429',
        body: TextBody,
        response: { 201: MessageAnswer },
      },
    },
    async (request, reply) => {
      // A token this node has seen: one statement checks it and inserts (the rate limit keys on its visitor).
      const hash = request.deferredCredential?.kind === 'visitor' ? request.deferredCredential.hash : undefined;
      const known = hash === undefined ? undefined : knownVisitors.get(hash);
      if (known) {
        visitorMessages.take(known, TOO_MANY);
        const message = await postVisitorMessageByToken(deps, insertVisitorPost, hash!, request.body.text);
        if (message) return reply.status(201).send({ message });
      }
      // First message here, or one the statement did not take: the token, the chat and its state one by one.
      const actor = await resolveActorOf(request, deps.db);
      if (actor?.kind === 'visitor') {
        if (hash !== undefined) knownVisitors.set(hash, actor.visitorId);
        if (!known) visitorMessages.take(actor.visitorId, TOO_MANY);
      }
      const chat = await startedChat(deps, await visitorChat(deps.db, actor));
      const message = await postVisitorMessage(deps, chat, chat.visitor_id, request.body.text);
      return reply.status(201).send({ message });
    },
  );

  app.get(
    '/api/workspaces/:ws/chats',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['chats'],
        summary: 'The chat queue, by status, newest first',
        params: WsParams,
        querystring: Type.Object({
          status: Type.Optional(Status),
          cursor: Cursor,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Ref(ChatPageSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const cursor = decodeCursor('chats', request.query.cursor);
      const { chats, nextCursor } = await listChats(deps, ctx, request.query.status, cursor, request.query.limit ?? 50);
      return { chats, nextCursor: encodeCursor('chats', nextCursor) };
    },
  );

  app.get(
    '/api/workspaces/:ws/chats/:chatId',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['chats'],
        summary: 'One chat (by id or short reference)',
        params: WsChatParams,
        response: { 200: ChatAnswer },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      return { chat: chatView(await staffChat(deps.db, ctx, request.params.chatId)) };
    },
  );

  app.post(
    '/api/workspaces/:ws/chats/:chatId/assign',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['chats'],
        summary: 'Assigns a chat (to oneself by default)',
        params: WsChatParams,
        body: Type.Optional(Type.Object({ userId: Type.Optional(Type.String({ maxLength: 64 })) })),
        response: { 200: ChatAnswer },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const chat = await staffChat(deps.db, ctx, request.params.chatId);
      return { chat: await assignChat(deps, ctx, chat, request.body?.userId) };
    },
  );

  app.post(
    '/api/workspaces/:ws/chats/:chatId/close',
    {
      config: { access: 'agent' },
      schema: { tags: ['chats'], summary: 'Closes a chat', params: WsChatParams, response: { 200: ChatAnswer } },
    },
    async (request) => {
      const ctx = staffOf(request);
      return { chat: await closeChat(deps, await staffChat(deps.db, ctx, request.params.chatId)) };
    },
  );

  app.post(
    '/api/workspaces/:ws/chats/:chatId/reopen',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['chats'],
        summary: 'Reopens a closed chat for the calling agent',
        description: 'Refused with 409 CHAT_CLOSED when the visitor has started a newer chat since.',
        params: WsChatParams,
        response: { 200: ChatAnswer },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      return { chat: await reopenChat(deps, ctx, await staffChat(deps.db, ctx, request.params.chatId)) };
    },
  );

  app.get(
    '/api/workspaces/:ws/chats/:chatId/messages',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['chats'],
        summary: "A chat's messages, oldest first",
        params: WsChatParams,
        querystring: AfterQuery,
        response: { 200: MessagesAnswer },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const chat = await staffChat(deps.db, ctx, request.params.chatId);
      return { messages: await listMessages(deps, chat, 'staff', request.query.after, request.query.limit ?? 100) };
    },
  );

  app.post(
    '/api/workspaces/:ws/chats/:chatId/messages',
    {
      config: { access: 'agent', credentialsInHandler: true },
      attachValidation: true,
      schema: {
        tags: ['chats'],
        summary: 'Sends a text message as an agent',
        params: WsChatParams,
        body: TextBody,
        response: { 201: MessageAnswer },
      },
    },
    async (request, reply) => {
      const { ws, chatId } = request.params;
      // Signed in by cookie, into an open chat: one statement checks the session and the membership and inserts.
      const session = request.deferredCredential?.kind === 'session' ? request.deferredCredential.hash : undefined;
      if (session !== undefined && !request.validationError) {
        const message = await postStaffMessageBySession(deps, session, ws, chatId, request.body.text);
        if (message) return reply.status(201).send({ message });
      }
      // Who may call comes before what was sent (401, 404, 403, then the body's errors), as on every route.
      const ctx = await resolveStaffOf(request, deps.db);
      if (request.validationError) throw request.validationError;
      const message = await postStaffMessageTo(deps, ctx, chatId, request.body.text);
      return reply.status(201).send({ message });
    },
  );
}
