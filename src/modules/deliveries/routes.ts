// HTTP for the delivery log: list, one delivery with its attempts, re-send, and back-filling files that arrived
// while an integration was off.
import { Type } from '@sinclair/typebox';
import { callbackJsonSchema } from './callback-schema.js';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { Cursor, WsParams } from '../../http/types.js';
import { notFound } from '../../errors.js';
import { chatsRepo } from '../chats/repo.js';
import { auditActor } from '../../http/audit.js';
import { recordAudit, withAudit } from '../audit/record.js';
import { deliveriesRepo } from './repo.js';
import { deliveryLogViews, deliveryView } from './view.js';
import { planDeliveries } from './plan.js';
import { DeliveryDetailSchema, DeliveryPageSchema, DeliverySchema } from './schemas.js';
import { decodeCursor, encodeCursor, keysetPage, pageQueryLimit } from '../../db/keyset.js';

const DeliveryAnswer = Type.Object({ delivery: Type.Ref(DeliverySchema) });

const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('dead'),
]);

export async function deliveriesRoutes(app: App, deps: Deps) {
  // Public: what a callback receiver gets and must answer, as JSON Schema (docs/integrations.md).
  app.get(
    '/api/schemas/callback.json',
    {
      schema: {
        tags: ['deliveries'],
        summary: 'The JSON Schema of the callback fields and answer',
        response: {
          200: Type.Object(
            {},
            { additionalProperties: true, description: 'A JSON Schema (2020-12) of the callback fields and answer' },
          ),
        },
      },
    },
    async () => callbackJsonSchema,
  );

  app.get(
    '/api/workspaces/:ws/deliveries',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['deliveries'],
        summary: 'The delivery log, newest first',
        params: WsParams,
        querystring: Type.Object({
          status: Type.Optional(Status),
          fileId: Type.Optional(Type.String({ maxLength: 64 })),
          chatId: Type.Optional(Type.String({ maxLength: 64, description: 'A chat id or its short reference' })),
          kind: Type.Optional(
            Type.Union([
              Type.Literal('s3'),
              Type.Literal('callback'),
              Type.Literal('s3-delete'),
              Type.Literal('callback-event'),
            ]),
          ),
          cursor: Cursor,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: { 200: Type.Ref(DeliveryPageSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const { status, fileId, kind, chatId } = request.query;
      const cursor = decodeCursor('deliveries', request.query.cursor);
      const limit = request.query.limit ?? 100;
      const chat = chatId ? await chatsRepo.chatInWorkspace(deps.db, ctx.workspaceId, chatId) : undefined;
      if (chatId && !chat) return { deliveries: [], nextCursor: null };
      const rows = await deliveriesRepo
        .log(deps.db, ctx.workspaceId, { status, fileId, kind, chatId: chat?.id, cursor, limit: pageQueryLimit(limit) })
        .execute();
      const { page, nextCursor } = keysetPage(rows, limit);
      return { deliveries: await deliveryLogViews(deps.db, page), nextCursor: encodeCursor('deliveries', nextCursor) };
    },
  );

  app.get(
    '/api/workspaces/:ws/deliveries/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['deliveries'],
        summary: 'One delivery with its attempts',
        params: Type.Object({ ws: Type.String(), id: Type.String() }),
        response: { 200: Type.Ref(DeliveryDetailSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const d = await deliveriesRepo.byId(deps.db, request.params.id, ctx.workspaceId);
      if (!d) throw notFound('No such delivery');
      const attempts = await deliveriesRepo.attempts(deps.db, d.id);
      return {
        delivery: (await deliveryLogViews(deps.db, [d]))[0]!,
        attempts: attempts.map((a) => ({
          id: a.id,
          at: a.started_at,
          ...(a.http_status !== null ? { status: a.http_status } : {}),
          startedAt: a.started_at,
          finishedAt: a.finished_at,
          outcome: a.outcome,
          httpStatus: a.http_status,
          error: a.error,
        })),
      };
    },
  );

  app.post(
    '/api/workspaces/:ws/deliveries/:id/retry',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['deliveries'],
        summary: 'Re-sends a delivery now',
        params: Type.Object({ ws: Type.String(), id: Type.String() }),
        response: { 202: DeliveryAnswer },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const entry = {
        workspaceId: ctx.workspaceId,
        action: 'delivery.resent' as const,
        target: `delivery:${request.params.id}`,
      };
      // Read in the re-send's transaction: the answer is the state the re-send set, not what a worker's attempt made
      // of it (the poll loop may claim the delivery as soon as the transaction commits, before any wake-up).
      const d = await withAudit(deps.db, auditActor(request), entry, async (trx) => {
        if (!(await deliveriesRepo.retryNow(trx, ctx.workspaceId, request.params.id)))
          throw notFound('No such delivery');
        return (await deliveriesRepo.byId(trx, request.params.id))!;
      });
      await deps.events.emit('deliveries.queued', { workspaceId: ctx.workspaceId });
      return reply.status(202).send({ delivery: deliveryView(d) });
    },
  );

  // Files that arrived while S3 or the callback was off (or before it existed) get their deliveries now.
  app.post(
    '/api/workspaces/:ws/deliveries/backfill',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['deliveries'],
        summary: 'Forwards the files that arrived while an integration was off',
        params: WsParams,
        body: Type.Object({
          kind: Type.Union([Type.Literal('s3'), Type.Literal('callback')]),
          from: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 202: Type.Object({ queued: Type.Integer({ minimum: 0, description: 'Deliveries planned' }) }) },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const { kind, from } = request.body;
      const created = await deps.db.transaction().execute(async (trx) => {
        const since = from ? new Date(from).toISOString() : undefined;
        await deliveriesRepo.holdBackfill(trx, deps.dialect, ctx.workspaceId, kind);
        const files = await deliveriesRepo.filesWithoutDelivery(trx, ctx.workspaceId, kind, since);
        const n = await planDeliveries(trx, files, kind);
        await recordAudit(trx, auditActor(request), {
          workspaceId: ctx.workspaceId,
          action: 'deliveries.backfilled',
          target: `integration:${kind}`,
          details: { queued: n },
        });
        return n;
      });
      await deps.events.emit('deliveries.queued', { workspaceId: ctx.workspaceId });
      return reply.status(202).send({ queued: created });
    },
  );
}
