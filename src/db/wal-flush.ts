// Power-loss durability for SQLite's write-ahead log without blocking the event loop.
//
// SQLite runs with `synchronous = NORMAL` in WAL mode: a commit is safe against a crash of the process at once, but
// the log is fsynced only at checkpoints, so a power cut or a kernel panic can take the last commits with it. With
// `synchronous = FULL` every commit would fsync inside better-sqlite3's synchronous call, on the event loop
// (~0.2–0.3 ms each on this project's machines, for every message and every job claim). Instead, a request that
// changed data waits, before it is answered, for an fsync of the log file run on libuv's thread pool: a 2xx still
// means "on disk", the loop never waits for the disk, and requests that arrive while an fsync runs share the next one
// (group commit). fsync flushes the file's pages whoever wrote them, so our own descriptor covers SQLite's writes.
import fs from 'node:fs';
import { groupedSync } from '../group-sync.js';

export interface WalFlusher {
  /** Resolves once every commit made before the call is on disk. */
  flush(): Promise<void>;
  /** fsyncs run so far (several waiting requests share one). */
  readonly flushes: number;
  close(): Promise<void>;
}

export function createWalFlusher(walPath: string): WalFlusher {
  let handle: fs.promises.FileHandle | undefined;
  let flushes = 0;
  let last: Promise<void> = Promise.resolve();
  // A caller waits for an fsync that began after its call, shared with everyone waiting at once (group-sync.ts).
  const grouped = groupedSync(async () => {
    flushes++;
    try {
      handle ??= await fs.promises.open(walPath, 'r');
      await handle.sync();
    } catch (err) {
      // No log file: nothing was written since the last checkpoint, which SQLite itself syncs.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  });

  return {
    flush: () => (last = grouped(walPath)),
    get flushes() {
      return flushes;
    },
    async close() {
      await last.catch(() => {});
      await handle?.close();
      handle = undefined;
    },
  };
}
