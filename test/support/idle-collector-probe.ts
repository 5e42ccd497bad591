// Run as a child process by test/preflight.test.ts: a burst's worth of Buffers is allocated and dropped during
// "start-up" (before startedUp, as main.ts calls it), then the process idles; prints how many idle collections ran
// and the memory held outside V8's heap (the dropped Buffers' backing stores) before and after the idle spell.
// Run with --no-memory-reducer: V8's own memory reducer collects a quiet heap ~8 s after its last collection, before
// the collector's 10 s of idle readings; under load it sometimes came first, freed the Buffers and left the collector
// no growth to act on (CI, a040a57). Without it, only the collector can give the Buffers back.
import { startedUp } from '../../src/preflight.js';

// Start-up's own burst: allocated and dropped before startedUp(), as the app's start-up garbage is.
let burst: Buffer[] = [];
for (let i = 0; i < 1024; i++) burst.push(Buffer.allocUnsafe(64 * 1024).fill(i));
const held = burst.length;
burst = [];
let collections = 0;
const report = () => {
  const after = process.memoryUsage().external;
  process.stdout.write(JSON.stringify({ held, collections, before, after }));
  process.exit(0);
};
startedUp(() => {
  collections++;
  setImmediate(report); // what the collection gave back
});
const before = process.memoryUsage().external;
// Without a collector: what is still held after as long as the collector needs (10 s of idle readings) and a margin.
// With one, the report comes when it has collected; the limit is only there for a loaded machine.
setTimeout(report, Number(process.env.PROBE_IDLE_MS ?? 17_000));
