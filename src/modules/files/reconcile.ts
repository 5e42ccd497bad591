// Crash leftovers in storage, reconciled: writes a crash interrupted (local temp files, S3 unfinished multipart
// uploads) untouched for longer than the upload idle timeout — a live upload keeps writing, a stalled one is cut by
// then — and bytes no file row holds (written, then the crash came before the commit) older than PARLEY_ORPHAN_AGE_S.
// A durable job at every start and then hourly; deleting what another node already deleted is harmless.
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../jobs/index.js';
import { enqueueAtStart, enqueueNextHour } from '../../jobs/periodic.js';
import { filesRepo } from './repo.js';

const BATCH = 500;
// Where file bytes live: ws/<workspace>/<file id>, quarantine/ws/…, and derived objects beside them (<key>.thumb).
const PREFIXES = ['ws/', 'quarantine/'];
const SLACK_MS = 5000;

/** The file's own key for a derived object (`…/<id>.thumb` → `…/<id>`): file ids never contain a dot. */
const baseKeyOf = (key: string) => key.replace(/\.[a-z]+$/, '');

export async function reconcileStorage(deps: Deps): Promise<{ partials: number; orphans: number }> {
  const now = Date.now();
  const partials = await deps.storage.sweepPartial(now - deps.config.uploadIdleTimeoutMs - SLACK_MS).catch((err) => {
    deps.log.warn({ err }, 'partial writes could not be swept; uncommitted bytes are still reconciled');
    return 0;
  });
  let orphans = 0;
  for (const prefix of PREFIXES) {
    const candidates = await deps.storage.listOlderThan(prefix, now - deps.config.orphanAgeMs);
    for (let i = 0; i < candidates.length; i += BATCH) {
      const batch = candidates.slice(i, i + BATCH);
      const held = await filesRepo.heldStorageKeys(deps.db, [...new Set(batch.map(baseKeyOf))]);
      for (const key of batch) {
        if (held.has(baseKeyOf(key))) continue;
        await deps.storage.delete(key);
        orphans += 1;
      }
    }
  }
  if (partials + orphans > 0) deps.log.warn({ partials, orphans }, 'storage reconciled: crash leftovers removed');
  return { partials, orphans };
}

/** One pass at this process's start (each node), then one per hour (one job per hour whatever the node count). */
export const scheduleReconcile = (deps: Deps) => enqueueAtStart(deps.db, 'files.reconcile');

export const reconcileJob = (deps: Deps): JobHandler<'files.reconcile'> => ({
  async run() {
    // The next hour first: a run that fails for good does not end the sweeps.
    await enqueueNextHour(deps.db, 'files.reconcile');
    await reconcileStorage(deps);
  },
});
