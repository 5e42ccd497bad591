import { defineConfig } from 'vitest/config';

// The unit tier (`npm run test:unit`): pure logic, no server, no database; one worker pool shared by all files.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.unit.test.ts'],
    pool: 'threads',
    isolate: false,
  },
});
