// Run as a child process by test/preflight.test.ts: leaves glibc's arenas full of free chunks that one live Buffer
// in every 32 pins (so no arena can shrink from its top), collects, then asks for the pages back (trimNative);
// prints the resident memory after the collection and after the trim.
import { collectNow, trimNative } from '../../src/memory.js';

const kept: Buffer[] = [];
let all: Buffer[] = [];
for (let i = 0; i < 3072; i++) {
  const b = Buffer.allocUnsafe(64 * 1024).fill(i);
  all.push(b);
  if (i % 32 === 31) kept.push(b);
}
all = [];
await collectNow();
const collected = process.memoryUsage.rss();
const trimmed = trimNative();
const after = process.memoryUsage.rss();
process.stdout.write(JSON.stringify({ kept: kept.length, trimmed, collected, after }));
