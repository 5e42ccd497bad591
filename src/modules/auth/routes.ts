// HTTP for sign-in, sign-out, "me" and API tokens.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { WsParams } from '../../http/types.js';
import { requireActor, SESSION_COOKIE, setSessionCookie, staffOf } from '../../http/auth.js';
import { listWorkspaces } from '../workspaces/service.js';
import { authRepo } from './repo.js';
import { createApiToken, login, logout, publicUser } from './service.js';

export async function authRoutes(app: App, deps: Deps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  app.post('/api/auth/login', {
    schema: { tags: ['auth'], body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }) },
  }, async (request, reply) => {
    const { user, token } = await login(deps.db, { ...request.body, ip: request.ip, maxAttempts: deps.config.loginAttemptsPerWindow });
    setSessionCookie(reply, token, secure);
    return { user: publicUser(user) };
  });

  app.post('/api/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await logout(deps.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { schema: { tags: ['auth'] } }, async (request) => {
    const actor = requireActor(request);
    if (actor.kind === 'visitor') return { user: null, visitor: { id: actor.visitorId }, workspaces: [] };
    const workspaces = (await listWorkspaces(deps.db, actor)).map((w) => ({ id: w.id, name: w.name, role: w.role }));
    if (actor.kind === 'token') return { user: null, token: { id: actor.tokenId }, workspaces };
    const user = await authRepo.findUserById(deps.db, actor.userId);
    return { user: user ? publicUser(user) : null, workspaces };
  });

  app.post('/api/workspaces/:ws/tokens', { config: { access: 'admin' },
    schema: { tags: ['auth'], params: WsParams, body: Type.Optional(Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })) })) },
  }, async (request, reply) => {
    const ctx = staffOf(request);
    const created = await createApiToken(deps.db, ctx.workspaceId, request.body?.name?.trim() || 'API token', ctx.userId ?? null);
    return reply.status(201).send(created);
  });
}
