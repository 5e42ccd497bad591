// HTTP for the data lifecycle (admins): retention settings, storage usage, and the owner's quota per workspace.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { auditActor } from '../../http/audit.js';
import { WsParams } from '../../http/types.js';
import { forbidden } from '../../errors.js';
import { formSaved, withAudit } from '../audit/record.js';
import { getRetention, putRetention } from './retention.js';
import { workspaceUsage } from './usage.js';
import { lifecycleRepo } from './repo.js';
import { visitorRoutes } from './visitor-routes.js';
import { RetentionSettingsSchema, UsageSchema } from './schemas.js';

const Days = Type.Integer({ minimum: 0, maximum: 36_500 });
const RetentionBody = Type.Object(
  {
    filesDays: Type.Optional(Days),
    visitorFilesDays: Type.Optional(Type.Union([Days, Type.Null()])),
    agentFilesDays: Type.Optional(Type.Union([Days, Type.Null()])),
    closedChatsDays: Type.Optional(Type.Union([Days, Type.Null()])),
    auditDays: Type.Optional(Days),
  },
  { additionalProperties: false },
);

export async function lifecycleRoutes(app: App, deps: Deps) {
  await visitorRoutes(app, deps);
  app.get(
    '/api/workspaces/:ws/settings/retention',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['settings'],
        summary: 'How long files, chats and the audit log are kept',
        params: WsParams,
        response: { 200: Type.Ref(RetentionSettingsSchema) },
      },
    },
    async (request) => getRetention(deps.db, staffOf(request).workspaceId),
  );
  app.put(
    '/api/workspaces/:ws/settings/retention',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['settings'],
        summary: 'Changes the retention settings',
        params: WsParams,
        body: RetentionBody,
        response: { 200: Type.Ref(RetentionSettingsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const entry = formSaved('settings.changed', ctx.workspaceId, 'settings:retention', request.body);
      const saved = await withAudit(deps.db, auditActor(request), entry, (trx) =>
        putRetention(trx, ctx.workspaceId, request.body),
      );
      deps.jobs.wake();
      return saved;
    },
  );

  app.get(
    '/api/workspaces/:ws/usage',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['workspaces'],
        summary: 'Storage used, by side and by type, and the quota',
        params: WsParams,
        response: { 200: Type.Ref(UsageSchema) },
      },
    },
    async (request) => workspaceUsage(deps.db, staffOf(request).workspaceId),
  );

  // The instance owner sets a workspace's storage quota (null: none); admins of the workspace only read it.
  app.put(
    '/api/workspaces/:ws',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['workspaces'],
        summary: "Sets a workspace's storage quota (instance owner)",
        params: WsParams,
        body: Type.Object(
          // At most 2^53 - 1: exact in JSON numbers, and within PostgreSQL's bigint.
          { quotaBytes: Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()]) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            workspace: Type.Object({ id: Type.String(), quotaBytes: Type.Union([Type.Integer(), Type.Null()]) }),
            usage: Type.Ref(UsageSchema),
          }),
        },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const actor = ctx.actor;
      if (actor.kind !== 'user' || !actor.isOwner) throw forbidden('Only the instance owner sets quotas');
      const { quotaBytes } = request.body;
      const entry = {
        workspaceId: ctx.workspaceId,
        action: 'workspace.quota_set' as const,
        target: `workspace:${ctx.workspaceId}`,
        details: { quotaBytes },
      };
      await withAudit(deps.db, auditActor(request), entry, (trx) =>
        lifecycleRepo.setQuota(trx, ctx.workspaceId, quotaBytes),
      );
      return { workspace: { id: ctx.workspaceId, quotaBytes }, usage: await workspaceUsage(deps.db, ctx.workspaceId) };
    },
  );
}
