// V8 settings of the entry points (src/preflight.ts): by default the young generation does not grow while the server
// starts (idle memory) and grows with the load once it listens (no full GC storm under uploads, issue 18).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function probe(optimizeFor: string) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'test/support/young-generation-probe.ts'],
    { cwd: root, env: { PATH: process.env.PATH ?? '', PARLEY_OPTIMIZE_FOR: optimizeFor } },
  );
  return JSON.parse(stdout) as { before: number; starting: number; started: number };
}

describe('V8 young generation (preflight)', () => {
  it('stays at its size during start-up and grows with the load once started (the default)', async () => {
    const sizes = await probe('size');
    expect(sizes.starting).toBe(sizes.before);
    expect(sizes.started).toBeGreaterThan(sizes.starting);
  });

  it("keeps V8's defaults with PARLEY_OPTIMIZE_FOR=speed: the same survivors grow it during start-up", async () => {
    const sizes = await probe('speed');
    expect(sizes.starting).toBeGreaterThan(sizes.before);
  });
});
