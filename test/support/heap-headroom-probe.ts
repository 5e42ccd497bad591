// Run as a child process by test/preflight.test.ts: a server-sized live heap (~40 MiB), one full collection of it (as
// an idle server gets from V8's memory reducer or the idle collector), then Buffers kept one MiB at a time (their
// memory is external to V8's heap, as an upload's chunks are). Prints after how many MiB the next full collection
// started: without headroom V8's limit after the collection is a little above the live heap, and Node's Buffers count
// against it (a streamed upload's promoted chunks crossed it every few MiB: issue 18, a mark-compact per ~7 MiB).
// A full collection starts as incremental marking (or, past V8's hard limit, as an atomic mark-compact); its start is
// what the limit decides. When it finishes depends on the concurrent marking threads getting a core: on a loaded
// machine 2–55 MiB later, which made a probe that waited for the finish flaky (CI, 2026-11-29). Each 'gc' entry's
// startTime is mapped to the MiB kept by then, as entries reach the observer a little after they happen.
import '../../src/preflight.js';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { collectNow } from '../../src/memory.js';

const MiB = 1024 * 1024;
const live: Array<{ n: number; s: string; a: number[] }> = [];
for (let i = 0; i < 250_000; i++) live.push({ n: i, s: `entry ${i}`, a: [i, i + 1] });
(globalThis as { probeLive?: unknown }).probeLive = live;
await collectNow();
await new Promise((r) => setTimeout(r, 300));

const fullKinds: number[] = [constants.NODE_PERFORMANCE_GC_INCREMENTAL, constants.NODE_PERFORMANCE_GC_MAJOR];
let fullStartedAt = Number.NaN;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { detail } = entry as typeof entry & { detail?: { kind?: number } };
    if (!fullKinds.includes(detail?.kind ?? -1)) continue;
    if (Number.isNaN(fullStartedAt) || entry.startTime < fullStartedAt) fullStartedAt = entry.startTime;
  }
});
observer.observe({ entryTypes: ['gc'] });

const kept: Buffer[] = [];
const keptAt: number[] = []; // when each MiB was kept
for (let i = 1; i <= 160 && Number.isNaN(fullStartedAt); i++) {
  keptAt.push(performance.now());
  kept.push(Buffer.allocUnsafe(MiB).fill(i));
  await new Promise((r) => setImmediate(r)); // V8's tasks (incremental marking) and the observer run between
}
observer.disconnect();
const firstFullAfterMiB = keptAt.filter((t) => t <= fullStartedAt).length;
process.stdout.write(
  JSON.stringify({
    firstFullAfterMiB: firstFullAfterMiB || 'none',
    liveMiB: Math.round(process.memoryUsage().heapUsed / MiB),
  }),
);
process.exit(0);
