// Headroom above a small heap (issue 18 item 1: a large upload after an idle spell cost twice the CPU per MiB).
// Node reports every Buffer's backing store to V8 as external memory, and V8 counts the external memory allocated
// since its last full collection against the old generation's allocation limit. After a full collection V8 sets that
// limit ~1.1–1.3 × the live heap: ~10 MiB above Parley's ~30 MiB. A streamed upload keeps some of its Buffers across
// two scavenges (those queued behind a write in flight), which promotes them; every ~10 MiB of them then starts a
// full marking of the whole heap: a mark-compact per ~7 MiB uploaded (tus 1 GiB: 137–145 of them, 6.7–7.1 ms of CPU
// per MiB against 3.1 with the headroom and 2 mark-compacts; a bare Node pipe shows the same after a collection). A
// fresh process never showed it: until its first full collection V8's limit is its large initial one. The first
// full collection comes once the server has been idle (V8's memory reducer, or Parley's idle collector, memory.ts).
// So while the live heap is small, V8's growing factor is set so that its limit stays at least `headroomBytes` above
// the live heap; from `ownFactorFrom` live on V8's own factor applies (headroom there is already large).
// PARLEY_HEAP_HEADROOM_MB (default 64; 0: V8's own factor throughout). The cost: up to that much more garbage before
// a full collection in a small heap, which the idle collector gives back once the server is idle.
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';

const MiB = 1024 * 1024;

/**
 * V8's --heap-growing-percent for a live heap of `liveBytes`: the least multiple of 25 % that leaves `headroomBytes`
 * above it (at least 50 %, at most 400 %), or 0 (V8's own factor) without headroom or from `ownFactorFrom` on.
 */
export function growingPercentFor(liveBytes: number, headroomBytes: number, ownFactorFrom = 2 * headroomBytes): number {
  if (headroomBytes <= 0 || liveBytes >= ownFactorFrom) return 0;
  const percent = Math.ceil(((headroomBytes / Math.max(liveBytes, MiB)) * 100) / 25) * 25;
  return Math.min(400, Math.max(50, percent));
}

/** The headroom asked for by PARLEY_HEAP_HEADROOM_MB (validated again in config.ts). */
export function headroomBytesOf(env: NodeJS.ProcessEnv): number {
  const raw = env.PARLEY_HEAP_HEADROOM_MB?.trim();
  const mb = raw ? Number(raw) : 64;
  return Number.isInteger(mb) && mb >= 0 ? mb * MiB : 64 * MiB;
}

/**
 * Sets V8's growing factor for the heap as it is now, then again after each full collection (the heap's live size
 * is known then). Returns a function that stops it and gives V8 its own factor back.
 */
export function keepHeapHeadroom(headroomBytes: number): () => void {
  if (headroomBytes <= 0) return () => {};
  let current = -1;
  const apply = () => {
    const percent = growingPercentFor(v8.getHeapStatistics().used_heap_size, headroomBytes);
    if (percent === current) return;
    current = percent;
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  };
  apply();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as typeof entry & { detail?: { kind?: number } };
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) return apply();
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    v8.setFlagsFromString('--heap-growing-percent=0');
  };
}
