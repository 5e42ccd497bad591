import { configDefaults, defineConfig } from 'vitest/config';

// Two projects in one run, sharing the two workers:
// - integration: two forks that each run file after file in one module graph (isolate: false). Each file starts its
//   own app on its own database, and tests set no module state (no vi.mock, no env changes), so they need no fresh
//   graph: the app's imports are paid once per fork, not once per file (~4 minutes of each CI pass).
// - unit (test/unit, pure logic: no server, no database): all files in one module graph on a thread, so they do not
//   pay a fork and the app's imports each.
export default defineConfig({
  test: {
    setupFiles: ['./test/support/contract-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.unit.test.ts'], pool: 'threads', isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/unit/**'],
          pool: 'forks',
          isolate: false,
        },
      },
    ],
  },
});
