// Run as a child process by test/preflight.test.ts: preflight first (as the entry points do), then survivors allocated
// "during start-up" and again after startedUp(); prints the young generation's size at each point.
import { startedUp } from '../../src/preflight.js';
import v8 from 'node:v8';

const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
const survivors: unknown[] = [];
const allocate = () => {
  for (let i = 0; i < 400_000; i++) survivors.push({ i, name: `survivor ${i}` });
};
const before = young();
allocate();
const starting = young();
startedUp();
allocate();
const started = young();
process.stdout.write(JSON.stringify({ before, starting, started, kept: survivors.length }));
