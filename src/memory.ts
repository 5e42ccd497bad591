// Memory given back after a burst (issue 18 item 2). Two holders keep a burst's memory once it is over. V8 frees the
// burst's garbage (dead request objects, and the Buffers whose backing stores live outside its heap) only when it
// next collects, and a server that has gone quiet allocates too little to make it soon. And glibc's allocator keeps
// what is freed inside its arenas: it returns memory to the system only from the top of an arena, and one live
// allocation above the freed space pins all of it. Measured after 5 rounds of 500 concurrent uploads: 302 MiB of
// anonymous memory; malloc_trim(3) alone → 228 MiB, a full collection → 144, malloc_trim again → 84. So once the
// event loop has been idle for ~10 s after the resident memory grew, the server does both itself: a full collection
// through the inspector protocol (what V8 does on a low-memory notification: it also shrinks the heap), then
// malloc_trim(0) through koffi (glibc only; elsewhere the collection alone). PARLEY_OPTIMIZE_FOR=speed (not the
// default) leaves both to V8.
// Start-up counts as a burst (preflight passes the RSS from before the app loaded): creating or checking a password
// (scrypt) and loading the app leave ~35 MiB that would otherwise stay (idle RSS ~139 → ~100 MiB).
// Why ~10 s and not sooner: after any collection of an idle heap (V8's own memory reducer makes one about then too)
// V8 grows its limits back slowly, and a large upload streamed right after it costs about twice the CPU per MiB
// (issue-18.md, eighteenth session). Collecting at V8's own pace adds the allocator's pages to what V8 does anyway
// instead of bringing that state on after every short pause.
import { createRequire } from 'node:module';
import inspector from 'node:inspector';
import { performance } from 'node:perf_hooks';

export interface IdleCollectorOptions {
  /** How often the event loop's idleness and the memory are read. */
  intervalMs?: number;
  /** The share of an interval the event loop may have been busy and still count as idle. */
  idleBelow?: number;
  /** How many idle intervals in a row make the server idle (5 × 2 s: about when V8's own memory reducer acts). */
  idleIntervals?: number;
  /** How far the resident memory must have grown since the last collection (or its low since) to collect again. */
  growthBytes?: number;
  /** The resident memory growth counts from (default: the RSS when the collector starts). */
  baseRss?: number;
  /** Told of each collection: resident bytes before and after, and how long it took. */
  onCollect?: (c: Collected) => void;
}

export interface Collected {
  rssBefore: number;
  rssAfter: number;
  ms: number;
  /** Whether the allocator was asked to give back its free pages (false: not glibc, or koffi unavailable). */
  trimmed: boolean;
}

/** Whether to collect now: idle for enough intervals in a row, and grown by enough since the last collection. */
export function shouldCollect(
  idleInARow: number,
  grownBytes: number,
  o: Pick<Required<IdleCollectorOptions>, 'idleIntervals' | 'growthBytes'>,
): boolean {
  return idleInARow >= o.idleIntervals && grownBytes >= o.growthBytes;
}

/**
 * A full collection that also shrinks the heap, through an in-process inspector session. The session is closed on
 * the next turn: closing it inside the answer's callback deadlocks (V8 answers while holding the agent's lock).
 */
export function collectNow(): Promise<void> {
  const session = new inspector.Session();
  session.connect();
  return new Promise<void>((resolve, reject) => {
    session.post('HeapProfiler.collectGarbage', (err) => {
      setImmediate(() => {
        session.disconnect();
        if (err) reject(err);
        else resolve();
      });
    });
  });
}

let trim: ((pad: number) => number) | null | undefined;

/** glibc's malloc_trim(0): every free page of every arena back to the system. False where there is none. */
export function trimNative(): boolean {
  if (trim === undefined) trim = loadTrim();
  if (!trim) return false;
  trim(0);
  return true;
}

function loadTrim(): ((pad: number) => number) | null {
  if (process.platform !== 'linux') return null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    return null; // not glibc (musl has no libc.so.6 nor malloc_trim), or no prebuilt koffi: the collection alone
  }
}

/** Starts reading idleness and memory every `intervalMs`; returns a function that stops it. */
export function startIdleCollector(options: IdleCollectorOptions = {}): () => void {
  const o: Required<Omit<IdleCollectorOptions, 'baseRss'>> = {
    intervalMs: 2000,
    idleBelow: 0.05,
    idleIntervals: 5,
    growthBytes: 32 * 1024 * 1024,
    onCollect: () => {},
    ...options,
  };
  let base = options.baseRss ?? process.memoryUsage.rss();
  let last = performance.eventLoopUtilization();
  let collecting = false;
  let idleInARow = 0;
  const timer = setInterval(async () => {
    if (collecting) return;
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    idleInARow = busy < o.idleBelow ? idleInARow + 1 : 0;
    const rssBefore = process.memoryUsage.rss();
    if (rssBefore < base) base = rssBefore; // given back by itself: growth counts from there
    if (!shouldCollect(idleInARow, rssBefore - base, o)) return;
    collecting = true;
    const started = performance.now();
    try {
      await collectNow();
    } catch {
      // no inspector in this build of Node: the allocator's pages may still be given back
    }
    const trimmed = trimNative();
    const ms = performance.now() - started;
    base = process.memoryUsage.rss();
    last = performance.eventLoopUtilization();
    idleInARow = 0;
    collecting = false;
    o.onCollect({ rssBefore, rssAfter: base, ms, trimmed });
  }, o.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
