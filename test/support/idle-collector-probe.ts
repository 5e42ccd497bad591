// Run as a child process by test/preflight.test.ts: a burst's worth of Buffers is allocated and dropped during
// "start-up" (before startedUp, as main.ts calls it), then the process idles; prints how many idle collections ran
// and the memory held outside V8's heap (the dropped Buffers' backing stores) before and after the idle spell.
import { startedUp } from '../../src/preflight.js';

// Start-up's own burst: allocated and dropped before startedUp(), as the app's start-up garbage is.
let burst: Buffer[] = [];
for (let i = 0; i < 1024; i++) burst.push(Buffer.allocUnsafe(64 * 1024).fill(i));
const held = burst.length;
burst = [];
let collections = 0;
startedUp(() => {
  collections++;
});
const before = process.memoryUsage().external;
setTimeout(
  () => {
    const after = process.memoryUsage().external;
    process.stdout.write(JSON.stringify({ held, collections, before, after }));
    process.exit(0);
  },
  // 10 s of idle readings are needed; the rest is margin for a loaded machine (CI's pass missed 12.5 s once).
  Number(process.env.PROBE_IDLE_MS ?? 17_000),
);
