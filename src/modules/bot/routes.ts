// HTTP for the bot: the admin's flow editor (read, save draft, publish, preview) and the visitor's skip.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { auditActor } from '../../http/audit.js';
import { staffOf } from '../../http/auth.js';
import { WsParams } from '../../http/types.js';
import { visitorChat } from '../chats/service.js';
import { getBot, publish, saveDraft } from './flows.js';
import { previewFlow } from './preview.js';
import { skipRequest } from './skip.js';
import { BotFlowsSchema, BotPreviewSchema, PreviewQuery, PutFlowBody, RequestParams } from './schema.js';
import { MessageSchema } from '../chats/schemas.js';

export async function botRoutes(app: App, deps: Deps) {
  app.get(
    '/api/workspaces/:ws/bot',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bot'],
        params: WsParams,
        description: 'The draft flow and the published one with its version',
        response: { 200: Type.Ref(BotFlowsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      return getBot(deps, ctx.workspaceId);
    },
  );

  app.put(
    '/api/workspaces/:ws/bot',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bot'],
        params: WsParams,
        body: PutFlowBody,
        description: 'Saves the draft; an invalid flow → 422 with fields such as "steps[2].next"',
        response: { 200: Type.Ref(BotFlowsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      return saveDraft(deps, ctx.workspaceId, request.body.flow);
    },
  );

  app.post(
    '/api/workspaces/:ws/bot/publish',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bot'],
        params: WsParams,
        body: Type.Optional(Type.Object({})),
        description: 'Publishes the draft as the next version; running chats keep theirs',
        response: { 200: Type.Object({ version: Type.Integer({ minimum: 1 }) }) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      return publish(deps, ctx.workspaceId, auditActor(request));
    },
  );

  app.get(
    '/api/workspaces/:ws/bot/preview',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bot'],
        params: WsParams,
        querystring: PreviewQuery,
        description: 'What a new visitor would see until the bot first waits, or from step `from` on (writes no chat)',
        response: { 200: Type.Ref(BotPreviewSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      return previewFlow(deps, ctx.workspaceId, request.query.source ?? 'draft', request.query.from);
    },
  );

  app.post(
    '/api/widget/chat/requests/:requestId/skip',
    {
      schema: {
        tags: ['widget', 'bot'],
        params: RequestParams,
        body: Type.Optional(Type.Object({})),
        description: 'Skips an optional upload request of the bot',
        response: { 200: Type.Object({ message: Type.Ref(MessageSchema) }) },
      },
    },
    async (request) => {
      const chat = await visitorChat(deps.db, request.actor);
      return { message: await skipRequest(deps, chat, request.params.requestId) };
    },
  );
}
