// HTTP for the audit log (admins): the list with filters and a cursor, and the same as a streamed CSV file.
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { auditActor } from '../../http/audit.js';
import { Cursor, notJson, queryTime, WsParams } from '../../http/types.js';
import type { AuditLogTable } from '../../db/types.js';
import { csvLine } from '../../csv.js';
import { auditRepo, type AuditFilter } from './repo.js';
import { recordAudit } from './record.js';
import { AuditPageSchema } from './schemas.js';
import { decodeCursor, encodeCursor, keysetPage, pageQueryLimit } from '../../db/keyset.js';

const auditFilter = {
  action: Type.Optional(Type.String({ maxLength: 64, description: 'An action, or a prefix such as "file.*"' })),
  actorId: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
};
const AuditQuery = Type.Object({
  ...auditFilter,
  cursor: Cursor,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
// The CSV is every entry the filters match, as files.csv is List File's: a page's cursor or limit would be ignored,
// so it is an unknown parameter (400 naming it) rather than an export that silently is not what was asked.
const AuditCsvQuery = Type.Object(auditFilter);

export function auditView(r: AuditLogTable) {
  return {
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    action: r.action,
    target: r.target,
    ip: r.ip,
    userAgent: r.user_agent,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

export async function auditRoutes(app: App, deps: Deps) {
  app.get(
    '/api/workspaces/:ws/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, filtered, newest first',
        params: WsParams,
        querystring: AuditQuery,
        response: { 200: Type.Ref(AuditPageSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await auditRepo
        .list(deps.db, ctx.workspaceId, {
          ...q,
          cursor: decodeCursor('audit', q.cursor),
          from: queryTime(q.from, 'from'),
          to: queryTime(q.to, 'to'),
          limit: pageQueryLimit(limit),
        })
        .execute();
      const { page, nextCursor } = keysetPage(rows, limit);
      return { entries: page.map(auditView), nextCursor: encodeCursor('audit', nextCursor) };
    },
  );

  app.get(
    '/api/workspaces/:ws/audit.csv',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'The filtered audit log as CSV',
        params: WsParams,
        querystring: AuditCsvQuery,
        response: { 200: notJson('text/csv', 'The filtered entries as CSV (attachment audit.csv)') },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const q = request.query;
      const filter: AuditFilter = {
        ...q,
        from: queryTime(q.from, 'from'),
        to: queryTime(q.to, 'to'),
        limit: 500,
      };
      await recordAudit(deps.db, auditActor(request), {
        workspaceId: ctx.workspaceId,
        action: 'audit.exported',
        details: { filter: { action: q.action, actorId: q.actorId, from: q.from, to: q.to } },
      });
      async function* lines() {
        yield csvLine(['id', 'at', 'actorId', 'actorRole', 'action', 'target', 'ip', 'userAgent', 'details']);
        let cursor: string | undefined;
        for (;;) {
          const rows = await auditRepo.list(deps.db, ctx.workspaceId, { ...filter, cursor }).execute();
          for (const r of rows)
            yield csvLine([r.id, r.at, r.actor_id, r.actor_role, r.action, r.target, r.ip, r.user_agent, r.details]);
          if (rows.length < filter.limit) return;
          cursor = rows[rows.length - 1]!.id;
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit.csv"')
        .send(Readable.from(lines()));
    },
  );
}
