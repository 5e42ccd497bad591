// Jobs that sweep on a clock: one run at every process start (each node its own), then one per hour, which every
// node enqueues under the same id so that it runs once whatever the node count.
import type { Db } from '../db/index.js';
import { newId } from '../ids.js';
import type { JobPayloads } from './kinds.js';
import { jobsRepo } from './repo.js';

type SweepKind = {
  [K in keyof JobPayloads]: JobPayloads[K] extends Record<string, never> ? K : never;
}[keyof JobPayloads];

const HOUR_MS = 3_600_000;

/** The run at this process's start. */
export const enqueueAtStart = (db: Db, kind: SweepKind) =>
  jobsRepo.enqueueOnce(db, `${kind}:start:${newId()}`, { kind, payload: {} });

/** The run at the top of the next hour (called by the run before it). */
export function enqueueNextHour(db: Db, kind: SweepKind) {
  const next = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS).toISOString();
  return jobsRepo.enqueueOnce(db, `${kind}:${next}`, { kind, payload: {}, runAt: next });
}
