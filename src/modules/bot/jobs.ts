// Durable timers in the jobs table: a job is due at run_at and is claimed with a lease so exactly one node runs it
// at a time; a node that dies mid-job loses its lease and another picks the job up. PostgreSQL: FOR UPDATE SKIP
// LOCKED; SQLite: one UPDATE … WHERE id IN (SELECT …) RETURNING statement, which SQLite runs atomically.
import type { Db, Dialect } from '../../db/index.js';
import type { JobsTable } from '../../db/types.js';
import { newId, nowIso } from '../../ids.js';

export const UPLOAD_TIMEOUT_JOB = 'bot.upload_timeout';

export interface UploadTimeoutPayload {
  chatId: string;
  requestId: string;
  /** 0 for the first timeout, 1 after a reminder; a job whose round no longer matches the request is stale. */
  round: number;
}

export function uploadTimeoutJob(payload: UploadTimeoutPayload, runAt: string): JobsTable {
  return { id: newId(), kind: UPLOAD_TIMEOUT_JOB, payload: JSON.stringify(payload), run_at: runAt, lease_owner: null, lease_until: null, created_at: nowIso() };
}

export async function claimDueJobs(db: Db, dialect: Dialect, owner: string, leaseMs: number, limit: number): Promise<JobsTable[]> {
  const now = new Date();
  const at = now.toISOString();
  let due = db.selectFrom('jobs').select('id')
    .where('kind', '=', UPLOAD_TIMEOUT_JOB)
    .where('run_at', '<=', at)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
    .orderBy('run_at')
    .limit(limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  return db.updateTable('jobs')
    .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/** Removes a job this node still holds; a job whose lease passed to another node is left to that node. */
export async function finishJob(db: Db, id: string, owner: string) {
  await db.deleteFrom('jobs').where('id', '=', id).where('lease_owner', '=', owner).execute();
}
