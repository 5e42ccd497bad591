// `npm start`'s prestart (scripts/ensure-build.mjs) builds only when dist/ is missing or older than src/, and a build
// that wrote nothing new (tsc is incremental: a source saved unchanged emits nothing) still counts as done — else
// every later start would build again. Run on a scratch copy whose "build" only records that it ran.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-ensure-build-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (file: string, text: string, mtime?: Date) => {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
  if (mtime) fs.utimesSync(full, mtime, mtime);
};
const builds = () => (fs.existsSync(path.join(dir, 'builds')) ? fs.readFileSync(path.join(dir, 'builds'), 'utf8') : '');
const prestart = () =>
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: dir, stdio: 'pipe', encoding: 'utf8' });

describe('ensure-build (npm start)', () => {
  it('builds when src/ is newer, and not again after a build that emitted nothing', () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.resolve('scripts/ensure-build.mjs'), path.join(dir, 'scripts/ensure-build.mjs'));
    write(
      'package.json',
      JSON.stringify({
        name: 'scratch',
        scripts: { build: "node -e \"require('fs').appendFileSync('builds', 'b')\"" },
      }),
    );
    write('node_modules/.bin/tsc', '');
    write('dist/main.js', '', hourAgo);
    write('web/dist/index.html', '');
    write('web/app.tsx', '', hourAgo);
    // A source saved (unchanged) after the last build: stale, and the build emits nothing, like tsc would.
    write('src/main.ts', '');
    prestart();
    expect(builds()).toBe('b');
    prestart();
    expect(builds()).toBe('b');
    fs.rmSync(path.join(dir, 'dist'), { recursive: true });
    write('dist/.keep', '');
    prestart();
    expect(builds()).toBe('bb');
  });
});
