// The one poll loop behind every durable queue (the job runner and the delivery worker): claim what is due up to
// the free concurrency, run each claimed item, claim again at once while the queue is full, else wait pollMs.
// wake() skips the wait after new work is committed. The table is the truth; the loop only decides when to look.

export interface PollLoopOptions<T> {
  pollMs: number;
  concurrency: number;
  claim(limit: number): Promise<T[]>;
  run(item: T): Promise<void>;
  /** A claim or a run that threw (runs are expected to record their own failures; this is the last resort). */
  onError(err: unknown, item?: T): void;
}

export interface PollLoop {
  start(): void;
  /** Stops polling and waits for the runs under way. */
  stop(): Promise<void>;
  wake(): void;
  /** One claim round; resolves with how many items it claimed (their runs continue in the background). */
  runOnce(): Promise<number>;
  /** Waits for every run under way. */
  settled(): Promise<void>;
  readonly inFlight: number;
}

export function createPollLoop<T>(o: PollLoopOptions<T>): PollLoop {
  let timer: NodeJS.Timeout | undefined;
  /** The claim round under way, if any: runOnce() and settled() wait for it, so idle() never misses a claimed item. */
  let claiming: Promise<number> | undefined;
  let again = false;
  let stopped = true;
  const running = new Set<Promise<void>>();

  function tick(): Promise<number> {
    if (claiming) {
      again = true;
      return claiming.then(() => 0);
    }
    claiming = claimRound().finally(() => {
      claiming = undefined;
    });
    return claiming;
  }

  async function claimRound(): Promise<number> {
    let claimed = 0;
    try {
      do {
        again = false;
        const free = o.concurrency - running.size;
        if (free <= 0) break;
        const items = await o.claim(free);
        claimed += items.length;
        for (const item of items) {
          const p: Promise<void> = o
            .run(item)
            .catch((err) => o.onError(err, item))
            .finally(() => {
              running.delete(p);
              if (!stopped) schedule(0);
            });
          running.add(p);
        }
        if (items.length === free) again = true;
      } while (again && !stopped);
    } catch (err) {
      o.onError(err);
    }
    return claimed;
  }

  function schedule(ms: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void tick().finally(() => {
        if (!timer) schedule(o.pollMs);
      });
    }, ms);
  }

  return {
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...running]);
    },
    wake() {
      if (!stopped) schedule(0);
    },
    runOnce: tick,
    async settled() {
      while (claiming || running.size > 0) {
        await claiming?.catch(() => {});
        await Promise.allSettled([...running]);
      }
    },
    get inFlight() {
      return running.size;
    },
  };
}
