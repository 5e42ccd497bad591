// The delivery worker that runs in every server process: claims due deliveries, records each attempt before
// sending, sends (callback or S3), and records the outcome with retries on a backoff schedule, then `dead`.
import crypto from 'node:crypto';
import type { Deps } from '../../deps.js';
import type { DeliveriesTable, FilesTable } from '../../db/types.js';
import { newId, nowIso } from '../../ids.js';
import { createCallbackTarget } from './targets/callback.js';
import { createS3Target } from './targets/s3.js';
import type { DeliveryOutcome, DeliveryTarget } from './targets/index.js';
import { claimLeased, extendLease, type LeasedQueue } from '../../jobs/repo.js';
import { createPollLoop } from '../../jobs/loop.js';
import { deliveryView } from './view.js';
import { deliveriesRepo } from './repo.js';
import { filesRepo } from '../files/repo.js';
import { isServable } from '../files/view.js';
import { getCallbackSettings } from '../integrations/callback-settings.js';
import { s3Target } from '../integrations/s3-settings.js';

const CONCURRENCY = 4;

/** Deliveries keep their own table and attempt log, and are claimed through the shared lease query. */
const DELIVERY_QUEUE: LeasedQueue<'deliveries'> = {
  table: 'deliveries',
  dueColumn: 'next_attempt_at',
  claimable: ['pending', 'failed'],
  onClaim: (now) => ({ updated_at: now }),
};

type Outcome = DeliveryOutcome;

export interface DeliveryWorker {
  start(): void;
  stop(): Promise<void>;
  wake(): void;
  runOnce(): Promise<number>;
}

export function createDeliveryWorker(deps: Deps): DeliveryWorker {
  const owner = `node_${crypto.randomBytes(6).toString('hex')}`;
  const leaseMs = deps.config.deliveryLeaseSeconds * 1000;
  const loop = createPollLoop<DeliveriesTable>({
    pollMs: deps.config.deliveryPollMs,
    concurrency: CONCURRENCY,
    claim: (limit) => claimLeased(deps.db, deps.dialect, DELIVERY_QUEUE, owner, leaseMs, limit),
    run: attempt,
    onError: (err, d) =>
      deps.log.error({ err, deliveryId: d?.id }, d ? 'delivery attempt crashed' : 'delivery poll failed'),
  });

  async function attempt(d: DeliveriesTable) {
    const attemptId = newId();
    const startedAt = nowIso();
    // Recorded before the send: a crash mid-send leaves a visible attempt without an outcome.
    await deps.db.transaction().execute((trx) => deliveriesRepo.startAttempt(trx, d, attemptId, startedAt));
    const heartbeat = setInterval(
      () => void extendLease(deps.db, 'deliveries', d.id, owner, leaseMs).catch(() => {}),
      Math.max(200, leaseMs / 3),
    );
    let outcome: Outcome;
    const sendStarted = performance.now();
    try {
      outcome = await send(d);
    } catch (err) {
      outcome = { ok: false, error: (err as Error).message || 'unexpected error' };
    } finally {
      clearInterval(heartbeat);
    }
    const status = await record(d, attemptId, d.attempts + 1, outcome);
    await deps.events.emit('delivery.attempted', {
      workspaceId: d.workspace_id,
      deliveryId: d.id,
      kind: d.kind,
      outcome: outcome.ok ? 'succeeded' : 'failed',
      status,
      seconds: (performance.now() - sendStarted) / 1000,
    });
  }

  /** The delivery's target as the workspace configures it now, or why there is none (final: retrying cannot help). */
  async function targetFor(d: DeliveriesTable): Promise<DeliveryTarget | Outcome> {
    const allowPrivate = deps.config.allowPrivateCallbacks;
    if (d.kind === 'callback' || d.kind === 'callback-event') {
      const settings = await getCallbackSettings(deps, d.workspace_id);
      if (!settings.configured || !settings.signingSecret)
        return { ok: false, error: 'the callback is not configured', final: true };
      if (settings.disabled) return { ok: false, error: 'the callback is disabled', final: true };
      const timeoutMs = (size: number) => deps.config.callbackTimeoutMs + Math.ceil(size / 1_000_000) * 1000;
      return createCallbackTarget({
        url: settings.url,
        signingSecret: settings.signingSecret,
        allowPrivate,
        timeoutMs,
      });
    }
    const s3 = await s3Target(deps, d.workspace_id);
    if (!s3) return { ok: false, error: 'AWS S3 is not configured', final: true };
    if (s3.disabled) return { ok: false, error: 'AWS S3 File Store is disabled', final: true };
    return createS3Target(s3, { allowPrivate });
  }

  async function send(d: DeliveriesTable): Promise<Outcome> {
    if (d.kind === 's3-delete' || d.kind === 'callback-event') {
      const target = await targetFor(d);
      if (!('deleteCopy' in target)) return target;
      return target.deleteCopy({
        deliveryId: d.id,
        key: d.s3_key ?? undefined,
        // The uid only when the receiver gave one (the published schema has no null uid).
        event: {
          type: 'file.deleted',
          fileId: d.file_id,
          chatID: d.chat_id,
          ...(d.remote_uid ? { uid: d.remote_uid } : {}),
        },
      });
    }
    const file = await filesRepo.byId(deps.db, d.file_id);
    if (!file) return { ok: false, error: 'the file was deleted', final: true };
    // Never forward a file held for its malware scan or quarantined (its release plans new deliveries).
    if (!isServable(file))
      return {
        ok: false,
        error: `the file is ${file.scan === 'pending' ? 'held for its malware scan' : 'quarantined as malware'}`,
        final: true,
      };
    const target = await targetFor(d);
    if (!('send' in target)) return target;
    return target.send({
      deliveryId: d.id,
      key: d.s3_key ?? undefined,
      fields: callbackFields(file),
      file: {
        name: file.name,
        contentType: file.mime_type,
        size: Number(file.size),
        open: () => deps.storage.get(file.storage_key),
      },
    });
  }

  async function record(
    d: DeliveriesTable,
    attemptId: string,
    attempts: number,
    outcome: Outcome,
  ): Promise<DeliveriesTable['status']> {
    const finishedAt = nowIso();
    const schedule = deps.config.deliveryScheduleSeconds;
    const retryIn =
      !outcome.ok && !outcome.final && attempts <= schedule.length
        ? schedule[attempts - 1]! * (0.8 + Math.random() * 0.4)
        : undefined;
    const status: DeliveriesTable['status'] = outcome.ok ? 'succeeded' : retryIn !== undefined ? 'failed' : 'dead';
    const deletion = d.kind === 's3-delete' || d.kind === 'callback-event';
    const updated = await deps.db.transaction().execute(async (trx) => {
      // The chat's lock first (see deliveriesRepo.chatLocked): a done deletion of an erased chat's copies is forgotten.
      const chatGone = outcome.ok && deletion && !(await deliveriesRepo.chatLocked(trx, d.chat_id));
      await deliveriesRepo.finishAttempt(trx, attemptId, {
        finished_at: finishedAt,
        outcome: outcome.ok ? 'succeeded' : 'failed',
        http_status: outcome.httpStatus ?? null,
        error: outcome.ok ? (outcome.note ?? null) : outcome.error,
      });
      // Only the lease holder records; an admin's re-send in the meantime wins.
      const recorded = await deliveriesRepo.recordIfLeased(trx, d.id, owner, {
        status,
        lease_owner: null,
        lease_until: null,
        last_error: outcome.ok ? null : outcome.error,
        remote_uid: outcome.ok ? (outcome.uid ?? null) : d.remote_uid,
        remote_url: outcome.ok ? (outcome.url ?? null) : d.remote_url,
        next_attempt_at:
          retryIn !== undefined ? new Date(Date.now() + retryIn * 1000).toISOString() : d.next_attempt_at,
        updated_at: finishedAt,
      });
      if (!recorded) return false;
      if (chatGone) await deliveriesRepo.forget(trx, d.id);
      if (outcome.ok && d.kind === 'callback')
        await filesRepo.setRemote(trx, d.file_id, outcome.uid ?? null, outcome.url ?? null);
      return true;
    });
    if (!updated) return status;
    const row = await deliveriesRepo.byId(deps.db, d.id);
    if (row)
      deps.realtime.toWorkspaceAgents(row.workspace_id, 'file.delivery', {
        fileId: row.file_id,
        delivery: deliveryView(row),
      });
    if (!outcome.ok)
      deps.log.info({ deliveryId: d.id, kind: d.kind, status, error: outcome.error }, 'delivery attempt failed');
    return status;
  }

  return { start: loop.start, stop: loop.stop, wake: loop.wake, runOnce: loop.runOnce };
}

function callbackFields(f: FilesTable): Record<string, string> {
  return {
    chatID: f.chat_id,
    fileId: f.id,
    fileName: f.name,
    mimeType: f.mime_type,
    size: String(f.size),
    sha256: f.sha256,
    uploaderRole: f.uploader_role,
    workspaceId: f.workspace_id,
    createdAt: f.created_at,
  };
}
