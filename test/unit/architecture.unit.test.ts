// The house rules that a reviewer would otherwise have to remember (docs/architecture.md, shared style.md): the
// import graph of src/ has no cycles, domain code never imports the HTTP layer, only repositories build queries,
// and no line is longer than 120 characters. Known debts are listed by file; a list entry that is no longer needed
// fails too, so the lists only ever shrink.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');

function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const full = path.join(root, dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', 'dist'].includes(entry.name) && !entry.name.startsWith('.'))
        out.push(...filesUnder(rel(full), exts));
    } else if (exts.some((e) => entry.name.endsWith(e))) out.push(rel(full));
  }
  return out;
}

const srcFiles = filesUnder('src', ['.ts']);
const source = new Map(srcFiles.map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]));

/** Relative imports of a file, resolved to src/ paths (runtime imports only: `import type` leaves no edge). */
function importsOf(file: string): string[] {
  const text = source.get(file)!;
  const specs = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]!);
  specs.push(...[...text.matchAll(/import\('(\.[^']+)'\)/g)].map((m) => m[1]!));
  return specs.map((spec) => rel(path.resolve(root, path.dirname(file), spec.replace(/\.js$/, '.ts'))));
}

describe('the import graph of src/', () => {
  it('has no cycles', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done' || !source.has(file)) return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of importsOf(file)) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of srcFiles) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the domain out of HTTP: in src/modules only route files (routes.ts, *-routes.ts) import src/http/', () => {
    const offenders = srcFiles.filter(
      (f) =>
        f.startsWith('src/modules/') &&
        !/(\/|-)routes\.ts$/.test(f) &&
        importsOf(f).some((target) => target.startsWith('src/http/')),
    );
    expect(offenders).toEqual([]);
  });
});

/** Files that build queries outside a repository: none since issue 10 step 5; keep it empty (move SQL to a repo). */
const SQL_OUTSIDE_REPOS = new Set<string>([]);

describe('one owner per table', () => {
  const buildsQueries = (text: string) =>
    /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql`|\bsql</.test(text);
  const isRepository = (f: string) => /(^|\/|-)repo\.ts$/.test(f) || f.startsWith('src/db/migrations/');

  it('builds queries only in repositories (repo.ts) and migrations', () => {
    const outside = srcFiles.filter((f) => !isRepository(f) && buildsQueries(source.get(f)!));
    expect(outside.filter((f) => !SQL_OUTSIDE_REPOS.has(f))).toEqual([]);
    expect([...SQL_OUTSIDE_REPOS].filter((f) => !outside.includes(f))).toEqual([]);
  });
});

/** Files with lines over 120 characters (long strings and test titles Biome's formatter cannot wrap). */
const LONG_LINES = new Set([
  'bench/run.ts',
  'src/app.ts',
  'src/backup.ts',
  'src/config.ts',
  'src/keyring.ts',
  'src/modules/bot/index.ts',
  'src/modules/files/scan-tee.ts',
  'src/modules/index.ts',
  'src/modules/uploads/redis-locker.ts',
  'src/modules/uploads/stores.ts',
  'src/storage/index.ts',
  'test/core/operations.test.ts',
  'test/browser/bot-upload-request.test.ts',
  'test/browser/hostile-names.test.ts',
  'test/browser/resumable-upload.test.ts',
  'test/browser/visitor-agent-files.test.ts',
  'test/db/database-faults.test.ts',
  'test/modules/lifecycle/retention.test.ts',
  'test/modules/auth/auth.test.ts',
  'test/modules/bot/conversation.test.ts',
  'test/modules/bot/flows.test.ts',
  'test/modules/bot/timeouts.test.ts',
  'test/modules/chats/chats.test.ts',
  'test/modules/deliveries/durability.test.ts',
  'test/modules/deliveries/targets/callback-sender.test.ts',
  'test/modules/files/download.test.ts',
  'test/modules/files/list.test.ts',
  'test/modules/files/metadata.test.ts',
  'test/modules/files/scanning.test.ts',
  'test/modules/files/upload.test.ts',
  'test/modules/integrations/callback.test.ts',
  'test/modules/limits/limits.test.ts',
  'test/modules/uploads/tus.test.ts',
  'test/realtime/multinode.test.ts',
  'test/realtime/redis-outage.test.ts',
  'test/startup.test.ts',
  'test/storage/faults.test.ts',
  'test/support/browser.ts',
  'test/support/contract.ts',
  'test/weak-spots.test.ts',
  'web/admin/Sidebar.tsx',
  'web/ui/FilePicker.tsx',
  'web/widget/useWidgetFiles.ts',
]);

describe('line length', () => {
  it('keeps every line of code at 120 characters or fewer', () => {
    const files = ['src', 'test', 'web', 'bench', 'chaos', 'scripts'].flatMap((d) =>
      filesUnder(d, ['.ts', '.tsx', '.mjs']),
    );
    const long = files.filter((f) =>
      fs
        .readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .some((line) => line.length > 120),
    );
    expect(long.filter((f) => !LONG_LINES.has(f))).toEqual([]);
    expect([...LONG_LINES].filter((f) => !long.includes(f))).toEqual([]);
  });
});

describe('integration tests share a module graph per worker (vitest.config.ts: isolate false)', () => {
  it('never replace modules or write process.env (a test that needs either runs its server as a child process)', () => {
    const tests = filesUnder('test', ['.ts']).filter((f) => f.endsWith('.test.ts') && !f.startsWith('test/unit/'));
    const offenders = tests.filter((f) =>
      /\bvi\.(?:mock|doMock|stubEnv|stubGlobal|resetModules)\(|process\.env(?:\.\w+|\[[^\]]+\])\s*=[^=]/.test(
        fs.readFileSync(path.join(root, f), 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the production build (tsconfig.build.json)', () => {
  it('keeps its incremental state inside dist/, so removing dist/ rebuilds everything', () => {
    // Kept beside the type check's state (.tmp/), it said "up to date" after `rm -rf dist`: the build wrote nothing
    // and `npm start` failed with "Cannot find module dist/main.js".
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
    const { outDir, tsBuildInfoFile } = build.compilerOptions;
    expect(outDir).toBe('dist');
    expect(tsBuildInfoFile?.startsWith(`${outDir}/`)).toBe(true);
    // …and out of the package.
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.files).toContain(`!${tsBuildInfoFile}`);
  });
});
