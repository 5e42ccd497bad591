// HTTP for sign-in, sign-out, "me" and API tokens.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { NoContent, WsParams } from '../../http/types.js';
import { forbidden, notFound } from '../../errors.js';
import { requireActor, SESSION_COOKIE, setSessionCookie, staffOf } from '../../http/auth.js';
import { listWorkspaces } from '../workspaces/service.js';
import { authRepo } from './repo.js';
import { auditActor } from '../../http/audit.js';
import { withAudit } from '../audit/record.js';
import { ApiTokenSchema, MeSchema, NewApiTokenSchema, UserSchema } from './schemas.js';
import { changePassword, createApiToken, login, logout, publicUser } from './service.js';

export async function authRoutes(app: App, deps: Deps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Signs in with e-mail and password (sets the session cookie)',
        body: Type.Object({
          email: Type.String({ minLength: 1, maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        }),
        response: { 200: Type.Object({ user: Type.Ref(UserSchema) }) },
      },
    },
    async (request, reply) => {
      const { user, token } = await login(deps.db, {
        ...request.body,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        limits: {
          perIpAndEmail: deps.config.loginAttemptsPerWindow,
          perIp: deps.config.loginAttemptsPerIp,
          perEmail: deps.config.loginAttemptsPerEmail,
        },
      });
      setSessionCookie(reply, token, secure);
      return { user: publicUser(user) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'Signs out: ends the session and its sockets', response: { 204: NoContent } },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await logout(deps.db, token);
      // Sockets opened with this session are cut on every node.
      if (request.actor?.kind === 'user') deps.realtime.accessChanged({ userId: request.actor.userId });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: "Changes one's own password (other sessions end)",
        body: Type.Object({
          currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
          newPassword: Type.String({ maxLength: 1024 }),
        }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      if (actor.kind !== 'user') throw forbidden('Only a signed-in person has a password to change');
      await changePassword(deps.db, {
        userId: actor.userId,
        ...request.body,
        keepSession: request.cookies[SESSION_COOKIE],
        maxAttempts: deps.config.loginAttemptsPerWindow,
      });
      deps.realtime.accessChanged({ userId: actor.userId });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who the caller is, with their workspaces',
        response: { 200: Type.Ref(MeSchema) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      if (actor.kind === 'visitor') return { user: null, visitor: { id: actor.visitorId }, workspaces: [] };
      const workspaces = (await listWorkspaces(deps.db, actor)).map((w) => ({ id: w.id, name: w.name, role: w.role }));
      if (actor.kind === 'token') return { user: null, token: { id: actor.tokenId }, workspaces };
      const user = await authRepo.findUserById(deps.db, actor.userId);
      return { user: user ? publicUser(user) : null, workspaces };
    },
  );

  app.post(
    '/api/workspaces/:ws/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['auth'],
        summary: 'Creates an API token (the secret is shown once)',
        params: WsParams,
        body: Type.Optional(Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })) })),
        response: { 201: Type.Ref(NewApiTokenSchema) },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const created = await withAudit(
        deps.db,
        auditActor(request),
        (t: { id: string }) => ({ workspaceId: ctx.workspaceId, action: 'token.created', target: `token:${t.id}` }),
        (trx) => createApiToken(trx, ctx.workspaceId, request.body?.name?.trim() || 'API token', ctx.userId ?? null),
      );
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/workspaces/:ws/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['auth'],
        summary: "The workspace's API tokens (never their secrets)",
        params: WsParams,
        response: { 200: Type.Object({ tokens: Type.Array(Type.Ref(ApiTokenSchema)) }) },
      },
    },
    async (request) => {
      const rows = await authRepo.listApiTokens(deps.db, staffOf(request).workspaceId);
      return {
        tokens: rows.map((t) => ({
          id: t.id,
          name: t.name,
          createdBy: t.created_by,
          createdAt: t.created_at,
          lastUsedAt: t.last_used_at,
        })),
      };
    },
  );

  app.delete(
    '/api/workspaces/:ws/tokens/:tokenId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['auth'],
        summary: 'Revokes an API token',
        params: Type.Object({ ws: Type.String({ maxLength: 64 }), tokenId: Type.String({ maxLength: 64 }) }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const { tokenId } = request.params;
      await withAudit(
        deps.db,
        auditActor(request),
        { workspaceId: ctx.workspaceId, action: 'token.revoked', target: `token:${tokenId}` },
        async (trx) => {
          const r = await authRepo.deleteApiToken(trx, ctx.workspaceId, tokenId);
          if (Number(r.numDeletedRows) === 0) throw notFound('No such token');
        },
      );
      deps.realtime.accessChanged({ tokenId });
      return reply.status(204).send(null);
    },
  );
}
