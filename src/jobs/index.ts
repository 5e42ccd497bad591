// The job runner's port: what a module hands it (handlers by kind) and what the rest of the app may ask of it.
// Jobs are written with jobsRepo.enqueue inside the transaction that makes them necessary (see repo.ts).
import type { JobKind, JobPayloads } from './kinds.js';

export type { JobKind, JobPayloads } from './kinds.js';

export interface JobContext {
  jobId: string;
  /** 1 for the first run. */
  attempt: number;
  maxAttempts: number;
}

export interface JobHandler<K extends JobKind = JobKind> {
  /** Does the work; throwing records a failed attempt (retried with backoff, dead after the last attempt). */
  run(payload: JobPayloads[K], ctx: JobContext): Promise<void>;
  /** Seconds to wait before attempt `attempt + 1` (default: 5 s doubling, at most an hour, ±20 %). */
  backoffSeconds?(attempt: number): number;
}

export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export interface JobQueue {
  /** Looks for due jobs now instead of at the next poll (call after committing a job due now). */
  wake(): void;
}

export function defaultBackoffSeconds(attempt: number): number {
  return Math.min(3600, 5 * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
}
