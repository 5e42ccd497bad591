// The one job runner, in every server process: claims due jobs of the kinds it has handlers for (with a lease the
// runner extends while a job runs), runs the kind's handler, deletes the job when it succeeds, and otherwise
// schedules the next attempt with backoff until the last one, after which the job stays in the table as dead. An
// outage of the database or the storage does not count as an attempt.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Db, Dialect } from '../db/index.js';
import type { JobsTable } from '../db/types.js';
import { isConnectionFault } from '../db/resilient.js';
import { AppError } from '../errors.js';
import { isStorageFault } from '../storage/faults.js';
import { defaultBackoffSeconds, type JobHandler, type JobHandlers, type JobKind, type JobQueue } from './index.js';
import { createPollLoop } from './loop.js';
import { extendLease, jobsRepo } from './repo.js';

export interface JobRunnerOptions {
  db: Db;
  dialect: Dialect;
  log: Logger;
  pollMs: number;
  leaseMs: number;
  /** Jobs run one at a time by default, oldest due first (thumbnails are made in upload order). */
  concurrency?: number;
}

export interface JobRunner extends JobQueue {
  /** Adds the handlers of a module; a kind has exactly one handler. */
  handle(handlers: JobHandlers): void;
  start(): void;
  stop(): Promise<void>;
  /** Resolves once no job is due and none is running (tests, and draining before a planned shutdown). */
  idle(): Promise<void>;
  runOnce(): Promise<number>;
  /** The lease owner this runner claims jobs as (in its logs, and in the jobs table while a job runs). */
  readonly owner: string;
}

/** The longest wait between two tries of a job that failed on an outage of the database or the storage. */
const OUTAGE_RETRY_SECONDS = 300;

/** The database unreachable, or the storage (disk, S3) failing: retry later, it is nobody's mistake. */
const isOutage = (err: unknown) =>
  isConnectionFault(err) || isStorageFault(err) || (err instanceof AppError && err.code === 'SCANNER_UNAVAILABLE');

export function createJobRunner(o: JobRunnerOptions): JobRunner {
  const owner = `jobs_${crypto.randomBytes(6).toString('hex')}`;
  const handlers = new Map<string, JobHandler>();
  const kinds = () => [...handlers.keys()];
  const loop = createPollLoop<JobsTable>({
    pollMs: o.pollMs,
    concurrency: o.concurrency ?? 1,
    claim: (limit) => jobsRepo.claim(o.db, o.dialect, kinds(), owner, o.leaseMs, limit),
    run,
    onError: (err, job) => o.log.error({ err, jobId: job?.id, kind: job?.kind }, 'job runner failed'),
  });

  async function run(job: JobsTable) {
    const handler = handlers.get(job.kind)!;
    if (job.attempts > job.max_attempts) {
      // Its earlier attempts never finished (the process died each time): stop trying.
      await jobsRepo.fail(o.db, job.id, owner, job.last_error ?? 'the job never finished', null);
      o.log.error({ jobId: job.id, kind: job.kind }, 'job is dead: its attempts never finished');
      return;
    }
    const heartbeat = setInterval(
      () => void extendLease(o.db, 'jobs', job.id, owner, o.leaseMs).catch(() => {}),
      Math.max(200, o.leaseMs / 3),
    );
    try {
      await handler.run(JSON.parse(job.payload), {
        jobId: job.id,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
      });
    } catch (err) {
      // The database or the storage failing is an outage, not the job's fault: it uses up none of the job's attempts
      // (an outage of a few minutes killed expiries and ended hourly sweeps for good), and the job is tried again at
      // most OUTAGE_RETRY_SECONDS apart, until the outage is over.
      const outage = isOutage(err);
      const last = !outage && job.attempts >= job.max_attempts;
      const backoff = (handler.backoffSeconds ?? defaultBackoffSeconds)(job.attempts);
      const wait = outage ? Math.min(backoff, OUTAGE_RETRY_SECONDS) : backoff;
      const retryAt = last ? null : new Date(Date.now() + wait * 1000).toISOString();
      const maxAttempts = outage ? Math.max(job.max_attempts, job.attempts + 1) : undefined;
      await jobsRepo.fail(o.db, job.id, owner, (err as Error)?.message || String(err), retryAt, maxAttempts);
      o.log[last ? 'error' : 'warn'](
        { err, jobId: job.id, kind: job.kind, attempt: job.attempts },
        last ? 'job is dead after its last attempt' : 'job failed; it will be retried',
      );
      return;
    } finally {
      clearInterval(heartbeat);
    }
    await jobsRepo.finish(o.db, job.id, owner);
  }

  return {
    handle(more) {
      for (const [kind, handler] of Object.entries(more) as [JobKind, JobHandler][]) {
        if (handlers.has(kind)) throw new Error(`two handlers for job kind ${kind}`);
        handlers.set(kind, handler);
      }
    },
    start: loop.start,
    stop: loop.stop,
    wake: loop.wake,
    runOnce: loop.runOnce,
    owner,
    async idle() {
      for (;;) {
        await loop.runOnce();
        await loop.settled();
        // Counted before the in-flight check: a claim round of the loop's own timer may lease a job meanwhile.
        const due = await jobsRepo.countDue(o.db, kinds(), owner);
        if (due === 0 && loop.inFlight === 0) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(o.pollMs, 50)));
      }
    },
  };
}
