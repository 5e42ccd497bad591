// Run as a child process by test/preflight.test.ts: a server-sized live heap (~40 MiB), one full collection of it (as
// an idle server gets from V8's memory reducer or the idle collector), then Buffers kept one MiB at a time (their
// memory is external to V8's heap, as an upload's chunks are). Prints after how many MiB the first full collection
// came: without headroom V8's limit after the collection is a little above the live heap, and Node's Buffers count
// against it (a streamed upload's promoted chunks crossed it every few MiB: issue 18, a mark-compact per ~7 MiB).
import '../../src/preflight.js';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { collectNow } from '../../src/memory.js';

const MiB = 1024 * 1024;
const live: Array<{ n: number; s: string; a: number[] }> = [];
for (let i = 0; i < 250_000; i++) live.push({ n: i, s: `entry ${i}`, a: [i, i + 1] });
(globalThis as { probeLive?: unknown }).probeLive = live;
await collectNow();
await new Promise((r) => setTimeout(r, 300));

let majors = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { detail } = entry as typeof entry & { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
  }
});
observer.observe({ entryTypes: ['gc'] });

const kept: Buffer[] = [];
let firstFullAfterMiB = 0;
for (let i = 1; i <= 160 && !firstFullAfterMiB; i++) {
  kept.push(Buffer.allocUnsafe(MiB).fill(i));
  await new Promise((r) => setImmediate(r)); // V8's tasks (incremental marking) and the observer run between
  if (majors > 0) firstFullAfterMiB = i;
}
observer.disconnect();
process.stdout.write(
  JSON.stringify({
    firstFullAfterMiB: firstFullAfterMiB || 'none',
    liveMiB: Math.round(process.memoryUsage().heapUsed / MiB),
  }),
);
process.exit(0);
