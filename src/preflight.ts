// Imported first by the entry points (main.ts, cli.ts), before any other module is loaded: V8 settings that must be in
// place before the app allocates. PARLEY_OPTIMIZE_FOR=size (the default) keeps the idle memory low without slowing
// uploads: V8's young generation may not grow while the server starts (what start-up allocates is mostly kept for
// good, and a young generation grown for it stayed at 32 MiB for the life of the process: ~135 MiB idle instead of
// ~100), and startedUp() lets it grow again once the server listens, so request garbage dies young.
// Not `--optimize-for-size` (used until issue 18): under uploads it started a full mark-compact after nearly every
// scavenge (50–75 per 600 MiB uploaded, 2–6 s of the event loop; bench/profiles/README.md).
// startedUp() also starts the idle collector (memory.ts): memory a burst left behind is given back once the server
// is idle. PARLEY_OPTIMIZE_FOR=speed keeps V8's defaults throughout and starts no collector. The value is validated
// again, with the other settings, in config.ts. PARLEY_HEAP_HEADROOM_MB: src/heap-headroom.ts (both modes).
import v8 from 'node:v8';
import { type Collected, startIdleCollector } from './memory.js';
import { headroomBytesOf, keepHeapHeadroom } from './heap-headroom.js';

/** Before the app allocates: start-up itself is a burst whose garbage the idle collector may give back. */
const startRss = process.memoryUsage.rss();
const keepYoungGenerationSmall = (process.env.PARLEY_OPTIMIZE_FOR?.trim().toLowerCase() || 'size') === 'size';
if (keepYoungGenerationSmall) v8.setFlagsFromString('--semi-space-growth-factor=1');
// In both modes: V8's old-generation limit stays PARLEY_HEAP_HEADROOM_MB above a small heap (heap-headroom.ts), or a
// large upload after any full collection costs twice the CPU per MiB.
keepHeapHeadroom(headroomBytesOf(process.env));

/**
 * Called once the server is listening: from here on V8 sizes its young generation to the load (its default), and a
 * burst's memory is given back when the server goes idle (`onCollect` is told of each time).
 */
export function startedUp(onCollect?: (c: Collected) => void): void {
  if (!keepYoungGenerationSmall) return;
  v8.setFlagsFromString('--semi-space-growth-factor=2');
  startIdleCollector({ onCollect, baseRss: startRss });
}
