// HTTP for workspaces, members and the embed snippet.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { WsParams } from '../../http/types.js';
import { requireActor, staffOf } from '../../http/auth.js';
import { notFound } from '../../errors.js';
import { workspacesRepo } from './repo.js';
import { addMember, createWorkspace, embedSnippet, listWorkspaces, removeMember } from './service.js';

export async function workspacesRoutes(app: App, deps: Deps) {
  app.get('/api/workspaces', { schema: { tags: ['workspaces'] } }, async (request) => {
    const workspaces = (await listWorkspaces(deps.db, requireActor(request))).map(({ id, name, widgetKey, role }) => ({ id, name, widgetKey, role }));
    return { workspaces };
  });

  app.post('/api/workspaces', { schema: { tags: ['workspaces'], body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }) } }, async (request, reply) => {
    const workspace = await createWorkspace(deps.db, requireActor(request), request.body.name);
    return reply.status(201).send({ workspace });
  });

  app.get('/api/workspaces/:ws/embed', { config: { access: 'agent' }, schema: { tags: ['workspaces'], params: WsParams } }, async (request) => {
    const ctx = staffOf(request);
    const ws = await workspacesRepo.byId(deps.db, ctx.workspaceId);
    if (!ws) throw notFound();
    return { snippet: embedSnippet(deps.config.publicUrl, ws.widget_key), widgetKey: ws.widget_key };
  });

  app.get('/api/workspaces/:ws/members', { config: { access: 'agent' }, schema: { tags: ['workspaces'], params: WsParams } }, async (request) => {
    const ctx = staffOf(request);
    const rows = await workspacesRepo.members(deps.db, ctx.workspaceId);
    return { members: rows.map((m) => ({ id: m.id, email: m.email, name: m.name, role: m.role, createdAt: m.created_at })) };
  });

  app.post('/api/workspaces/:ws/members', { config: { access: 'admin' },
    schema: {
      tags: ['workspaces'],
      params: WsParams,
      body: Type.Object({
        email: Type.String({ minLength: 3, maxLength: 320 }),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        password: Type.Optional(Type.String({ maxLength: 1024 })),
        role: Type.Union([Type.Literal('admin'), Type.Literal('agent')]),
      }),
    },
  }, async (request, reply) => {
    const ctx = staffOf(request);
    const member = await addMember(deps.db, ctx.workspaceId, request.body);
    return reply.status(201).send({ member });
  });

  app.delete('/api/workspaces/:ws/members/:userId', { config: { access: 'admin' },
    schema: { tags: ['workspaces'], params: Type.Object({ ws: Type.String(), userId: Type.String() }) },
  }, async (request, reply) => {
    const ctx = staffOf(request);
    await removeMember(deps.db, ctx.workspaceId, request.params.userId);
    return reply.status(204).send();
  });

  // The demo page at / embeds the default workspace's widget; only the first workspace is exposed this way.
  app.get('/api/demo', { schema: { tags: ['workspaces'] } }, async () => {
    const ws = await workspacesRepo.first(deps.db);
    if (!ws) throw notFound();
    return { widgetKey: ws.widget_key, name: ws.name };
  });
}
