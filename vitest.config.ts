import { configDefaults, defineConfig } from 'vitest/config';

// Two projects in one run, sharing the two workers:
// - integration: a file per fork; each starts its own app on its own database.
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
        },
      },
    ],
  },
});
