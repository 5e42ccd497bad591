// HTTP for workspaces, members and the embed snippet.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { NoContent, WsParams } from '../../http/types.js';
import { UserSchema } from '../auth/schemas.js';
import { InvitationPreviewSchema, InvitationSchema, MemberSchema, WorkspaceSchema } from './schemas.js';
import { requireActor, setSessionCookie, staffOf } from '../../http/auth.js';
import { publicUser, startSession } from '../auth/service.js';
import { notFound } from '../../errors.js';
import { workspacesRepo } from './repo.js';
import { auditActor } from '../../http/audit.js';
import { withAudit } from '../audit/record.js';
import { createWorkspace, embedSnippet, listWorkspaces, removeMember, setMemberRole } from './service.js';
import {
  acceptInvitation,
  describeInvitation,
  inviteMember,
  pendingInvitations,
  revokeInvitation,
} from './invitations.js';

export async function workspacesRoutes(app: App, deps: Deps) {
  app.get(
    '/api/workspaces',
    {
      schema: {
        tags: ['workspaces'],
        summary: 'The workspaces the caller belongs to',
        response: { 200: Type.Object({ workspaces: Type.Array(Type.Ref(WorkspaceSchema)) }) },
      },
    },
    async (request) => ({ workspaces: await listWorkspaces(deps.db, requireActor(request)) }),
  );

  app.post(
    '/api/workspaces',
    {
      schema: {
        tags: ['workspaces'],
        summary: 'Creates a workspace (instance owner)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 201: Type.Object({ workspace: Type.Ref(WorkspaceSchema) }) },
      },
    },
    async (request, reply) => {
      const workspace = await createWorkspace(deps.db, requireActor(request), request.body.name);
      deps.realtime.accessChanged({ owners: true });
      return reply.status(201).send({ workspace });
    },
  );

  app.get(
    '/api/workspaces/:ws/embed',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['workspaces'],
        summary: "The widget's script tag for the website",
        params: WsParams,
        response: {
          200: Type.Object({
            snippet: Type.String({ description: 'The script tag to paste into the website' }),
            widgetKey: Type.String(),
          }),
        },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const ws = await workspacesRepo.byId(deps.db, ctx.workspaceId);
      if (!ws) throw notFound();
      return { snippet: embedSnippet(deps.config.publicUrl, ws.widget_key), widgetKey: ws.widget_key };
    },
  );

  app.get(
    '/api/workspaces/:ws/members',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['workspaces'],
        summary: 'Members, and pending invitations for admins',
        params: WsParams,
        response: {
          200: Type.Object({
            members: Type.Array(Type.Ref(MemberSchema)),
            invitations: Type.Array(Type.Ref(InvitationSchema), { description: 'Pending ones; admins only' }),
          }),
        },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const rows = await workspacesRepo.members(deps.db, ctx.workspaceId);
      return {
        members: rows.map((m) => ({
          id: m.id,
          email: m.email,
          name: m.name,
          role: m.role,
          owner: m.is_owner === 1,
          createdAt: m.created_at,
        })),
        invitations: ctx.role === 'admin' ? await pendingInvitations(deps.db, ctx.workspaceId) : [],
      };
    },
  );

  app.post(
    '/api/workspaces/:ws/members',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['workspaces'],
        summary: 'Invites a member: a one-time sign-in link',
        params: WsParams,
        body: Type.Object({
          email: Type.String({ minLength: 3, maxLength: 320 }),
          name: Type.Optional(Type.String({ maxLength: 200 })),
          // Refused with a clear message: members choose their own password through the invitation link.
          password: Type.Optional(Type.String({ maxLength: 1024 })),
          role: Type.Union([Type.Literal('admin'), Type.Literal('agent')]),
        }),
        response: { 201: Type.Object({ invitation: Type.Ref(InvitationSchema) }) },
      },
    },
    // Always an invitation, whether or not the e-mail has an account: the answer reveals nobody.
    async (request, reply) => {
      const ctx = staffOf(request);
      const invitation = await withAudit(
        deps.db,
        auditActor(request),
        (i: { id: string; role: string }) => ({
          workspaceId: ctx.workspaceId,
          action: 'member.invited',
          target: `invitation:${i.id}`,
          details: { role: i.role },
        }),
        (trx) =>
          inviteMember(trx, deps.dialect, deps.config.publicUrl, ctx.workspaceId, request.body, ctx.userId ?? null),
      );
      return reply.status(201).send({ invitation });
    },
  );

  app.put(
    '/api/workspaces/:ws/members/:userId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['workspaces'],
        summary: "Changes a member's role",
        params: Type.Object({ ws: Type.String(), userId: Type.String() }),
        body: Type.Object({ role: Type.Union([Type.Literal('admin'), Type.Literal('agent')]) }),
        response: { 200: Type.Object({ member: Type.Ref(MemberSchema) }) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const { userId } = request.params;
      const { role } = request.body;
      // Recorded and announced only when the role changed: setting the role a member has is no change.
      const { member, changed } = await withAudit(
        deps.db,
        auditActor(request),
        (r: { changed: boolean }) =>
          r.changed
            ? {
                workspaceId: ctx.workspaceId,
                action: 'member.role_changed',
                target: `user:${userId}`,
                details: { role },
              }
            : undefined,
        (trx) => setMemberRole(trx, ctx.workspaceId, userId, role),
      );
      if (changed) deps.realtime.accessChanged({ userId });
      return { member };
    },
  );

  app.delete(
    '/api/workspaces/:ws/invitations/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['workspaces'],
        summary: 'Withdraws a pending invitation',
        params: Type.Object({ ws: Type.String(), id: Type.String() }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      await withAudit(
        deps.db,
        auditActor(request),
        {
          workspaceId: ctx.workspaceId,
          action: 'member.invitation_withdrawn',
          target: `invitation:${request.params.id}`,
        },
        (trx) => revokeInvitation(trx, ctx.workspaceId, request.params.id),
      );
      return reply.status(204).send(null);
    },
  );

  const InvitationParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
  app.get(
    '/api/invitations/:token',
    {
      schema: {
        tags: ['workspaces'],
        summary: 'What an invitation offers, before accepting it',
        params: InvitationParams,
        response: { 200: Type.Ref(InvitationPreviewSchema) },
      },
    },
    async (request) => describeInvitation(deps.db, request.params.token),
  );

  app.post(
    '/api/invitations/:token/accept',
    {
      schema: {
        tags: ['workspaces'],
        summary: 'Accepts an invitation (with a new or an existing account)',
        params: InvitationParams,
        body: Type.Optional(
          Type.Object({
            name: Type.Optional(Type.String({ maxLength: 200 })),
            password: Type.Optional(Type.String({ maxLength: 1024 })),
          }),
        ),
        response: { 200: Type.Object({ user: Type.Ref(UserSchema), workspaceId: Type.String() }) },
      },
    },
    async (request, reply) => {
      const actor = request.actor;
      const { user, workspaceId } = await acceptInvitation(deps.db, request.params.token, {
        ...request.body,
        sessionUserId: actor?.kind === 'user' ? actor.userId : undefined,
        ip: request.ip,
        userAgent: request.headers['user-agent']?.slice(0, 500),
      });
      deps.realtime.accessChanged({ userId: user.id });
      // The invitee is signed in as the account that accepted (a new one, or the one whose password they gave).
      if (actor?.kind !== 'user' || actor.userId !== user.id) {
        const { token } = await startSession(deps.db, user.id);
        setSessionCookie(reply, token, deps.config.publicUrl.startsWith('https:'));
      }
      return { user: publicUser(user), workspaceId };
    },
  );

  app.delete(
    '/api/workspaces/:ws/members/:userId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['workspaces'],
        summary: 'Removes a member',
        params: Type.Object({ ws: Type.String(), userId: Type.String() }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const { userId } = request.params;
      await withAudit(
        deps.db,
        auditActor(request),
        { workspaceId: ctx.workspaceId, action: 'member.removed', target: `user:${userId}` },
        (trx) => removeMember(trx, ctx.workspaceId, userId),
      );
      deps.realtime.accessChanged({ userId });
      return reply.status(204).send(null);
    },
  );

  // The demo page at / embeds the default workspace's widget; only the first workspace is exposed this way.
  app.get(
    '/api/demo',
    {
      schema: {
        tags: ['workspaces'],
        summary: "The demo page's widget key",
        response: { 200: Type.Object({ widgetKey: Type.String(), name: Type.String() }) },
      },
    },
    async () => {
      const ws = await workspacesRepo.first(deps.db);
      if (!ws) throw notFound();
      return { widgetKey: ws.widget_key, name: ws.name };
    },
  );
}
