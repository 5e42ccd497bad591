// Group commit of fsyncs, per key (a folder, a log file). A caller is durable once its key has been synced by a sync
// that STARTED after the call. Concurrent callers of one key share syncs: while one runs, everyone arriving meanwhile
// waits for the next one, which starts when the running one ends and covers them all — one fsync per key per round
// instead of one per caller, and never a caller answered by a sync that began before its call.
// Used by the local store (folder fsyncs after each put's rename) and the SQLite log flusher (db/wal-flush.ts).

/** fsyncs one thing named by its key (a directory: open, fsync, close). */
export type SyncDirectory = (dir: string) => Promise<void>;

export function groupedSync(syncOne: SyncDirectory): SyncDirectory {
  const folders = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();

  const start = (dir: string, s: { running?: Promise<void>; next?: Promise<void> }) => {
    const p: Promise<void> = syncOne(dir).finally(() => {
      if (s.running !== p) return;
      s.running = undefined;
      if (!s.next) folders.delete(dir);
    });
    s.running = p;
    return p;
  };

  return (dir) => {
    let s = folders.get(dir);
    if (!s) {
      s = {};
      folders.set(dir, s);
    }
    const state = s;
    // A sync that has not started yet begins after this caller's rename: it covers it.
    if (state.next) return state.next;
    if (!state.running) return start(dir, state);
    // The running sync may have begun before this caller's rename: wait for the next one.
    state.next = state.running
      .catch(() => {})
      .then(() => {
        state.next = undefined;
        return start(dir, state);
      });
    return state.next;
  };
}
