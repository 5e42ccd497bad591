// The worker in every server process that runs due bot timeouts from the jobs table. It polls (the table is the
// truth, so a restart or another node loses nothing), claims with a lease, runs, then deletes the job.
import crypto from 'node:crypto';
import type { Deps } from '../../deps.js';
import type { Worker } from '../index.js';
import { claimDueJobs, finishJob, type UploadTimeoutPayload } from './jobs.js';
import { onUploadTimeout } from './upload-timeout.js';

const LEASE_MS = 60_000;
const BATCH = 20;

export function createTimeoutWorker(deps: Deps): Worker & { runOnce(): Promise<number> } {
  const owner = `bot_${crypto.randomBytes(6).toString('hex')}`;
  const pollMs = Math.min(1000, deps.config.deliveryPollMs);
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  let stopped = true;

  async function runOnce(): Promise<number> {
    const jobs = await claimDueJobs(deps.db, deps.dialect, owner, LEASE_MS, BATCH);
    for (const job of jobs) {
      try {
        await onUploadTimeout(deps, JSON.parse(job.payload) as UploadTimeoutPayload);
        await finishJob(deps.db, job.id, owner);
      } catch (err) {
        // Left leased: it runs again once the lease lapses.
        deps.log.error({ err, jobId: job.id }, 'bot timeout job failed');
      }
    }
    return jobs.length;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      current = runOnce().catch((err) => deps.log.warn({ err }, 'bot timeout poll failed')).finally(schedule);
    }, pollMs);
  }

  return {
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
    runOnce,
  };
}
