// HTTP for a visitor's data (admins): find a visitor, export their data as a zip, erase them.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import { decodeCursor, encodeCursor } from '../../db/keyset.js';
import { type App, notJson } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { auditActor } from '../../http/audit.js';
import { acceptFormJson } from '../../http/form-json.js';
import { recordAudit } from '../audit/record.js';
import { contentDisposition } from '../files/content-disposition.js';
import { zipStream } from '../files/zip.js';
import { requestErasure } from './erasure.js';
import { findVisitors, visitorExport } from './visitor-export.js';

const VisitorParams = Type.Object({
  ws: Type.String({ minLength: 1, maxLength: 64 }),
  visitorId: Type.String({ minLength: 1, maxLength: 64 }),
});
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const Visitor = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  chats: Type.Array(
    Type.Object({
      id: Type.String(),
      ref: Type.String(),
      status: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

export async function visitorRoutes(app: App, deps: Deps) {
  app.get(
    '/api/workspaces/:ws/visitors',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['lifecycle'],
        description: 'Finds visitors by a chat (id or reference) or by what the bot collected; 50 a page (nextCursor)',
        params: Type.Object({ ws: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: Type.Object({
          chat: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Type.Object({ visitors: Type.Array(Visitor), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => {
      const { chat, q, cursor } = request.query;
      const after = decodeCursor('visitors', cursor);
      const found = await findVisitors(deps, staffOf(request).workspaceId, { chat, q, after });
      return { visitors: found.visitors, nextCursor: encodeCursor('visitors', found.nextAfter) };
    },
  );

  // The admin's browser posts a form here, so that the zip streams to disk (http/form-json.ts).
  await app.register(async (scope: App) => {
    acceptFormJson(scope);
    scope.post(
      '/api/workspaces/:ws/visitors/:visitorId/export',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['lifecycle'],
          description: "Streams a zip of the visitor's transcript (JSON and HTML) and files",
          params: VisitorParams,
          response: { 200: notJson('application/zip', "The visitor's transcript and files as one zip") },
        },
      },
      async (request, reply) => {
        const ctx = staffOf(request);
        const { visitorId } = request.params;
        const out = await visitorExport(deps, ctx.workspaceId, visitorId);
        await recordAudit(deps.db, auditActor(request), {
          workspaceId: ctx.workspaceId,
          action: 'visitor.exported',
          target: `visitor:${visitorId}`,
          details: { chats: out.chats, files: out.files },
        });
        return reply
          .type('application/zip')
          .header('content-disposition', contentDisposition(`visitor-${visitorId}.zip`))
          .header('cache-control', 'no-store')
          .send(zipStream(deps.storage, toAsync(out.entries)));
      },
    );
  });

  app.delete(
    '/api/workspaces/:ws/visitors/:visitorId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['lifecycle'],
        description: 'Erases the visitor: chats, messages, files, unfinished uploads and forwarded copies (if set)',
        params: VisitorParams,
        response: { 202: Type.Object({ chats: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const out = await requestErasure(deps, ctx.workspaceId, request.params.visitorId, auditActor(request));
      return reply.status(202).send(out);
    },
  );
}

async function* toAsync<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}
