// SQLite's write-ahead log is copied into the database file (a checkpoint) off the event loop.
//
// By default SQLite checkpoints inside the commit that takes the log past 1,000 pages: that commit — a visitor's
// message, say — copies the log into the database file and fsyncs it on the event loop, and every request waits
// (the realtime bench's p99 at 800 msg/s fell from 101–260 ms to 31–135 ms without those checkpoints, issue 18). Here
// a worker thread with its own connection runs a PASSIVE checkpoint every `everyMs`: it copies what the log holds
// without ever blocking a writer, and once a checkpoint has caught up the next commit starts the log from the top. The
// main connection's own automatic checkpoint stays only as a safety valve (SAFETY_PAGES, ~40 MiB: the worker gone or
// starved), and `journal_size_limit` gives the disk back after a burst.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

const SAFETY_PAGES = 10_000;
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export interface Checkpointer {
  /** Checkpoints that copied pages so far; /metrics shows it. */
  readonly checkpoints: number;
  /** Stops the worker (its connection closes; the main connection's close checkpoints what is left). */
  close(): Promise<void>;
}

// The worker's code, run as a CommonJS script (eval): the driver's path comes from the main thread, so an installed
// release resolves it from its own node_modules whatever the working directory.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
let timer;
let stopped = false;
let last = '';
function tick() {
  if (stopped) return;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Only a checkpoint that copied something new: an idle log answers the same figures every time.
    const seen = r ? r.log + ':' + r.checkpointed : '';
    if (r && r.checkpointed > 0 && seen !== last) parentPort.postMessage({ pages: r.checkpointed });
    last = seen;
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
  timer = setTimeout(tick, workerData.everyMs);
}
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopped = true;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
`;

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  opts: { everyMs?: number; onError?: (message: string) => void } = {},
): Checkpointer {
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, file, everyMs: opts.everyMs ?? 200 } });
  worker.unref();
  let checkpoints = 0;
  worker.on('message', (m: { pages?: number; error?: string }) => {
    if (m.error) opts.onError?.(m.error);
    else checkpoints++;
  });
  worker.on('error', (err) => opts.onError?.(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    get checkpoints() {
      return checkpoints;
    },
    async close() {
      // Held while it stops: an unreferenced worker and timer would let the process end with close() unfinished.
      worker.ref();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
