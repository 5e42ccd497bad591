// SQLite's write-ahead log is copied into the database file (a checkpoint) off the event loop.
//
// By default SQLite checkpoints inside the commit that takes the log past 1,000 pages: that commit — a visitor's
// message, say — copies the log into the database file and fsyncs it on the event loop, and every request waits
// (the realtime bench's p99 at 800 msg/s fell from 101–260 ms to 31–135 ms without those checkpoints, issue 18). Here
// a worker thread with its own connection runs PASSIVE checkpoints: it copies what the log holds without ever blocking
// a writer, and once a checkpoint has caught up the next commit starts the log from the top. The main connection's own
// automatic checkpoint stays only as a safety valve (SAFETY_PAGES, ~40 MiB: the worker gone or starved), and
// `journal_size_limit` gives the disk back after a burst.
//
// When: every `everyMs` the worker reads how many frames of the log are not yet copied (SQLite's WAL-index header in
// the `-shm` file) and checkpoints once they reach `pressureFrames`, or, while any wait, once `maxWaitMs` has passed
// since its last checkpoint. Not at every tick: the commit that starts the log from the top fsyncs the log's header,
// inside better-sqlite3's synchronous call on the event loop (`synchronous = NORMAL` does that on each restart), and
// on ext4 that fsync waits for whatever else is being written to the disk — the bytes of an upload in flight:
// 40–100 ms stalls of the loop during 100 MiB uploads with a checkpoint every 200 ms (the main thread in D state in
// `submit_bio_wait`), none over 7 ms with one per 2 s (issue 18 item 1). Under a high write rate the pressure mark
// keeps the log as short as before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

const SAFETY_PAGES = 10_000;
/** SQLite's own automatic checkpoint mark (pages of 4 KiB: ~4 MiB of log). */
const PRESSURE_FRAMES = 1_000;
const MAX_WAIT_MS = 2_000;
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
const fs = require('node:fs');
const os = require('node:os');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
let timer;
let stopped = false;
let last = '';
let lastCheckpoint = Date.now();
let shm;
const header = Buffer.alloc(136);
const u32 = os.endianness() === 'LE' ? (at) => header.readUInt32LE(at) : (at) => header.readUInt32BE(at);
// Frames of the log not yet copied into the database: mxFrame (byte 16 of the WAL-index header) less nBackfill (byte
// 96), in the machine's byte order (https://www.sqlite.org/walformat.html). -1 when unknown: then checkpoint.
function pending() {
  try {
    if (shm === undefined) shm = fs.openSync(workerData.file + '-shm', 'r');
    if (fs.readSync(shm, header, 0, header.length, 0) < header.length || u32(0) !== 3007000) return -1;
    const mxFrame = u32(16);
    const nBackfill = u32(96);
    return nBackfill <= mxFrame ? mxFrame - nBackfill : -1;
  } catch {
    return -1;
  }
}
function tick() {
  if (stopped) return;
  const waiting = pending();
  const due =
    waiting < 0 ||
    waiting >= workerData.pressureFrames ||
    (waiting > 0 && Date.now() - lastCheckpoint >= workerData.maxWaitMs);
  if (due) {
    lastCheckpoint = Date.now();
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      // Only a checkpoint that copied something new (without the header's figures, an idle log answers the same
      // figures every time).
      const seen = r ? r.log + ':' + r.checkpointed : '';
      if (r && r.checkpointed > 0 && (waiting > 0 || seen !== last)) parentPort.postMessage({ pages: r.checkpointed });
      last = seen;
    } catch (err) {
      parentPort.postMessage({ error: String(err && err.message || err) });
    }
  }
  timer = setTimeout(tick, workerData.everyMs);
}
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopped = true;
  clearTimeout(timer);
  if (shm !== undefined) fs.closeSync(shm);
  db.close();
  parentPort.close();
});
tick();
`;

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  opts: { everyMs?: number; pressureFrames?: number; maxWaitMs?: number; onError?: (message: string) => void } = {},
): Checkpointer {
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = {
    driver,
    file,
    everyMs: opts.everyMs ?? 200,
    pressureFrames: opts.pressureFrames ?? PRESSURE_FRAMES,
    maxWaitMs: opts.maxWaitMs ?? MAX_WAIT_MS,
  };
  const worker = new Worker(WORKER, { eval: true, workerData });
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
