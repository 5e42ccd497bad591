// HTTP for the delivery log: list, one delivery with its attempts, re-send, and back-filling files that arrived
// while an integration was off.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { Cursor, WsParams } from '../../http/types.js';
import { notFound } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { deliveryView } from './view.js';
import { planDeliveries } from './plan.js';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('dead')]);

export async function deliveriesRoutes(app: App, deps: Deps) {
  app.get('/api/workspaces/:ws/deliveries', { config: { access: 'admin' },
    schema: { tags: ['deliveries'], params: WsParams, querystring: Type.Object({ status: Type.Optional(Status), fileId: Type.Optional(Type.String({ maxLength: 64 })), kind: Type.Optional(Type.Union([Type.Literal('s3'), Type.Literal('callback')])), cursor: Cursor, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }) },
  }, async (request) => {
    const ctx = staffOf(request);
    const { status, fileId, kind, cursor } = request.query;
    const limit = request.query.limit ?? 100;
    let q = deps.db.selectFrom('deliveries').selectAll().where('workspace_id', '=', ctx.workspaceId);
    if (status) q = q.where('status', '=', status);
    if (fileId) q = q.where('file_id', '=', fileId);
    if (kind) q = q.where('kind', '=', kind);
    if (cursor) q = q.where('id', '<', cursor);
    const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    return { deliveries: page.map(deliveryView), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  });

  app.get('/api/workspaces/:ws/deliveries/:id', { config: { access: 'admin' }, schema: { tags: ['deliveries'], params: Type.Object({ ws: Type.String(), id: Type.String() }) } }, async (request) => {
    const ctx = staffOf(request);
    const d = await deps.db.selectFrom('deliveries').selectAll().where('id', '=', request.params.id).where('workspace_id', '=', ctx.workspaceId).executeTakeFirst();
    if (!d) throw notFound('No such delivery');
    const attempts = await deps.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', d.id).orderBy('started_at').execute();
    return {
      delivery: deliveryView(d),
      attempts: attempts.map((a) => ({ id: a.id, startedAt: a.started_at, finishedAt: a.finished_at, outcome: a.outcome, httpStatus: a.http_status, error: a.error })),
    };
  });

  app.post('/api/workspaces/:ws/deliveries/:id/retry', { config: { access: 'admin' }, schema: { tags: ['deliveries'], params: Type.Object({ ws: Type.String(), id: Type.String() }) } }, async (request, reply) => {
    const ctx = staffOf(request);
    const r = await deps.db.updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: nowIso(), lease_owner: null, lease_until: null, updated_at: nowIso() })
      .where('id', '=', request.params.id).where('workspace_id', '=', ctx.workspaceId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound('No such delivery');
    await deps.events.emit('deliveries.queued', { workspaceId: ctx.workspaceId });
    const d = (await deps.db.selectFrom('deliveries').selectAll().where('id', '=', request.params.id).executeTakeFirstOrThrow());
    return reply.status(202).send({ delivery: deliveryView(d) });
  });

  // Files that arrived while S3 or the callback was off (or before it existed) get their deliveries now.
  app.post('/api/workspaces/:ws/deliveries/backfill', { config: { access: 'admin' },
    schema: { tags: ['deliveries'], params: WsParams, body: Type.Object({ kind: Type.Union([Type.Literal('s3'), Type.Literal('callback')]), from: Type.Optional(Type.String({ format: 'date-time' })) }) },
  }, async (request, reply) => {
    const ctx = staffOf(request);
    const { kind, from } = request.body;
    const created = await deps.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('files').select(['id', 'workspace_id', 'chat_id', 'name']).where('workspace_id', '=', ctx.workspaceId)
        .where('id', 'not in', trx.selectFrom('deliveries').select('file_id').where('workspace_id', '=', ctx.workspaceId).where('kind', '=', kind));
      if (from) q = q.where('created_at', '>=', new Date(from).toISOString());
      const files = await q.orderBy('id').execute();
      return planDeliveries(trx, files, kind);
    });
    await deps.events.emit('deliveries.queued', { workspaceId: ctx.workspaceId });
    return reply.status(202).send({ queued: created });
  });
}
