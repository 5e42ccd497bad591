// Prints one plain closing line ("tests: N passed, N failed, N skipped") that any CI reader understands.
// Errors thrown outside any test (an uncaught exception in a server under test) count as failures too.
// Before it, the slowest test files with their durations ("slow: 41.2 s test/…"), so CI's time can be read.
import type { Reporter, TestModule } from 'vitest/node';

const SLOWEST = 15;

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []) {
    let passed = 0,
      failed = 0,
      skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    const timed = modules.map((m) => ({ id: m.relativeModuleId, ms: m.diagnostic().duration }));
    timed.sort((a, b) => b.ms - a.ms);
    const total = timed.reduce((sum, m) => sum + m.ms, 0);
    process.stdout.write(`\nslow: ${(total / 1000).toFixed(0)} s in ${timed.length} files, the slowest:\n`);
    for (const m of timed.slice(0, SLOWEST)) process.stdout.write(`slow: ${(m.ms / 1000).toFixed(1)} s ${m.id}\n`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
