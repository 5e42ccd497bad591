// The explicit dependencies every service receives; app.ts builds them from Config in one place.
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db, Dialect } from './db/index.js';
import type { BlobStore } from './storage/index.js';
import type { Realtime } from './realtime/index.js';
import type { Keyring } from './keyring.js';
import type { EventBus } from './events.js';
import type { JobQueue } from './jobs/index.js';
import type { Scanner } from './scanner/index.js';

export interface Deps {
  config: Config;
  db: Db;
  dialect: Dialect;
  /** Makes every commit so far power-loss durable (DbHandle.flush); awaited before a write is acknowledged. */
  flushWrites(): Promise<void>;
  storage: BlobStore;
  realtime: Realtime;
  keyring: Keyring;
  log: Logger;
  /** Domain events (src/events.ts): services emit after commit; modules listen (modules/index.ts). */
  events: EventBus;
  /** The durable job runner (src/jobs/); jobs themselves are written with jobsRepo.enqueue in a transaction. */
  jobs: JobQueue;
  /** The malware scanner (clamd) when PARLEY_CLAMAV is set; undefined means files are not scanned ("skipped"). */
  scanner?: Scanner;
}
