// HTTP for the bot: the admin's flow editor (read, save draft, publish, preview) and the visitor's skip.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { WsParams } from '../../http/types.js';
import { visitorChat } from '../chats/service.js';
import { getBot, publish, saveDraft } from './flows.js';
import { previewFlow } from './preview.js';
import { skipRequest } from './skip.js';
import { PreviewQuery, PutFlowBody, RequestParams } from './schema.js';

export async function botRoutes(app: App, deps: Deps) {
  app.get('/api/workspaces/:ws/bot', { config: { access: 'admin' },
    schema: { tags: ['bot'], params: WsParams, description: 'The draft flow and the published one with its version' },
  }, async (request) => {
    const ctx = staffOf(request);
    return getBot(deps, ctx.workspaceId);
  });

  app.put('/api/workspaces/:ws/bot', { config: { access: 'admin' },
    schema: { tags: ['bot'], params: WsParams, body: PutFlowBody, description: 'Saves the draft; an invalid flow → 422 with fields such as "steps[2].next"' },
  }, async (request) => {
    const ctx = staffOf(request);
    return saveDraft(deps, ctx.workspaceId, request.body.flow);
  });

  app.post('/api/workspaces/:ws/bot/publish', { config: { access: 'admin' },
    schema: { tags: ['bot'], params: WsParams, body: Type.Optional(Type.Object({})), description: 'Publishes the draft as the next version; running chats keep theirs' },
  }, async (request) => {
    const ctx = staffOf(request);
    return publish(deps, ctx.workspaceId);
  });

  app.get('/api/workspaces/:ws/bot/preview', { config: { access: 'admin' },
    schema: { tags: ['bot'], params: WsParams, querystring: PreviewQuery, description: 'What a new visitor would see until the bot first waits (no chat is written)' },
  }, async (request) => {
    const ctx = staffOf(request);
    return previewFlow(deps, ctx.workspaceId, request.query.source ?? 'draft');
  });

  app.post('/api/widget/chat/requests/:requestId/skip', {
    schema: { tags: ['widget', 'bot'], params: RequestParams, body: Type.Optional(Type.Object({})), description: 'Skips an optional upload request of the bot' },
  }, async (request) => {
    const chat = await visitorChat(deps.db, request.actor);
    return { message: await skipRequest(deps, chat, request.params.requestId) };
  });
}
