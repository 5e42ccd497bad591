// `npx tsx bench/gc-summary.ts <log[.gz]>`: totals of a `node --trace-gc` log (the server's stdout kept with
// BENCH_SERVER_LOG while BENCH_SERVER_NODE_ARGS=--trace-gc): scavenges, mark-compacts and the main thread's time in
// them, incremental marking steps included. JSON log lines in between are skipped.
import fs from 'node:fs';
import zlib from 'node:zlib';

const file = process.argv[2];
if (!file) throw new Error('usage: gc-summary.ts <trace-gc log[.gz]>');
const raw = fs.readFileSync(file);
const lines = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString().split('\n');
const s = { scavenges: 0, scavengeMs: 0, markCompacts: 0, markCompactMs: 0, stepsMs: 0 };
for (const line of lines) {
  if (!/^\[\d+:/.test(line)) continue;
  const ms = Number(line.match(/MB, ([\d.]+) \/ [\d.]+ ms/)?.[1] ?? 0);
  if (line.includes('Scavenge')) {
    s.scavenges++;
    s.scavengeMs += ms;
  } else if (line.includes('Mark-Compact')) {
    s.markCompacts++;
    s.markCompactMs += ms;
    s.stepsMs += Number(line.match(/\+ ([\d.]+) ms in/)?.[1] ?? 0);
  }
}
const total = s.scavengeMs + s.markCompactMs + s.stepsMs;
const ms = (n: number) => `${n.toFixed(0)} ms`;
console.log(
  `scavenges ${s.scavenges} (${ms(s.scavengeMs)}), mark-compacts ${s.markCompacts} ` +
    `(${ms(s.markCompactMs)} + ${ms(s.stepsMs)} incremental steps); main-thread GC ${ms(total)}`,
);
