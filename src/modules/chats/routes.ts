// HTTP for the widget session, visitor messages, and the agents' chat queue, assignment and messages.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { AfterQuery, Cursor, WsChatParams, WsParams } from '../../http/types.js';
import {
  assignChat, closeChat, listChats, listMessages, postStaffMessage, postVisitorMessage, staffChat, startWidgetSession, visitorChat,
} from './service.js';
import { chatView } from './view.js';

const Status = Type.Union([Type.Literal('bot'), Type.Literal('waiting'), Type.Literal('open'), Type.Literal('closed')]);
const TextBody = Type.Object({ text: Type.String({ maxLength: 10_000 }) });

export async function chatsRoutes(app: App, deps: Deps) {
  app.post('/api/widget/:widgetKey/session', {
    schema: { tags: ['widget'], params: Type.Object({ widgetKey: Type.String({ maxLength: 128 }) }), body: Type.Optional(Type.Object({ visitorToken: Type.Optional(Type.String({ maxLength: 256 })) })) },
  }, async (request) => {
    const { workspaceId: _ws, ...session } = await startWidgetSession(deps, request.params.widgetKey, request.body?.visitorToken);
    return session;
  });

  app.get('/api/widget/chat', { schema: { tags: ['widget'] } }, async (request) => {
    return { chat: chatView(await visitorChat(deps.db, request.actor)) };
  });

  app.get('/api/widget/chat/messages', { schema: { tags: ['widget'], querystring: AfterQuery } }, async (request) => {
    const chat = await visitorChat(deps.db, request.actor);
    return { messages: await listMessages(deps, chat, 'visitor', request.query.after, request.query.limit ?? 100) };
  });

  app.post('/api/widget/chat/messages', { schema: { tags: ['widget'], body: TextBody } }, async (request, reply) => {
    const chat = await visitorChat(deps.db, request.actor);
    const message = await postVisitorMessage(deps, chat, chat.visitor_id, request.body.text);
    return reply.status(201).send({ message });
  });

  app.get('/api/workspaces/:ws/chats', { config: { access: 'agent' },
    schema: { tags: ['chats'], params: WsParams, querystring: Type.Object({ status: Type.Optional(Status), cursor: Cursor, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }) },
  }, async (request) => {
    const ctx = staffOf(request);
    return listChats(deps, ctx, request.query.status, request.query.cursor, request.query.limit ?? 50);
  });

  app.get('/api/workspaces/:ws/chats/:chatId', { config: { access: 'agent' }, schema: { tags: ['chats'], params: WsChatParams } }, async (request) => {
    const ctx = staffOf(request);
    return { chat: chatView(await staffChat(deps.db, ctx, request.params.chatId)) };
  });

  app.post('/api/workspaces/:ws/chats/:chatId/assign', { config: { access: 'agent' },
    schema: { tags: ['chats'], params: WsChatParams, body: Type.Optional(Type.Object({ userId: Type.Optional(Type.String({ maxLength: 64 })) })) },
  }, async (request) => {
    const ctx = staffOf(request);
    const chat = await staffChat(deps.db, ctx, request.params.chatId);
    return { chat: await assignChat(deps, ctx, chat, request.body?.userId) };
  });

  app.post('/api/workspaces/:ws/chats/:chatId/close', { config: { access: 'agent' }, schema: { tags: ['chats'], params: WsChatParams } }, async (request) => {
    const ctx = staffOf(request);
    return { chat: await closeChat(deps, await staffChat(deps.db, ctx, request.params.chatId)) };
  });

  app.get('/api/workspaces/:ws/chats/:chatId/messages', { config: { access: 'agent' }, schema: { tags: ['chats'], params: WsChatParams, querystring: AfterQuery } }, async (request) => {
    const ctx = staffOf(request);
    const chat = await staffChat(deps.db, ctx, request.params.chatId);
    return { messages: await listMessages(deps, chat, 'staff', request.query.after, request.query.limit ?? 100) };
  });

  app.post('/api/workspaces/:ws/chats/:chatId/messages', { config: { access: 'agent' }, schema: { tags: ['chats'], params: WsChatParams, body: TextBody } }, async (request, reply) => {
    const ctx = staffOf(request);
    const chat = await staffChat(deps.db, ctx, request.params.chatId);
    return reply.status(201).send({ message: await postStaffMessage(deps, ctx, chat, request.body.text) });
  });
}
