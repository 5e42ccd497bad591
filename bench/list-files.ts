// `npm run bench:list`: List File, the delivery log, the chat's file panel and a file's details on one workspace
// seeded with BENCH_FILES files (default 1,000,000) and one delivery each, on SQLite and PostgreSQL (BENCH_DB=
// sqlite,postgres; PostgreSQL at BENCH_PG_URL or the test server). A page is what the route reads: the service's
// listFiles plus the page's deliveries (deliveriesByFile). Prints the median and max of BENCH_RUNS runs per filter
// beside the goal (< 20 ms median). Runs in-process against the database, not over HTTP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type DbHandle } from '../src/db/index.js';
import type { Deps } from '../src/deps.js';
import { deliveriesRepo } from '../src/modules/deliveries/repo.js';
import { deliveriesByFile, deliveryLogViews } from '../src/modules/deliveries/view.js';
import { filesRepo } from '../src/modules/files/repo.js';
import { listFiles } from '../src/modules/files/service.js';
import { createPgDatabase } from '../test/support/databases.js';
import { deliveryFilters, listFileFilters, seedFiles, seedWorkspace } from '../test/support/seed-files.js';

const COUNT = Number(process.env.BENCH_FILES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const DBS = (process.env.BENCH_DB ?? 'sqlite,postgres').split(',');
const GOAL_MS = 20;
const WS = 'bench';

async function timed(fn: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  for (let i = 0; i < 2; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]! };
}

async function measure(h: DbHandle): Promise<Map<string, { median: number; max: number }>> {
  const deps = { db: h.db, dialect: h.dialect } as unknown as Deps;
  const out = new Map<string, { median: number; max: number }>();
  for (const [name, f] of Object.entries(listFileFilters(WS, COUNT))) {
    out.set(
      `List File: ${name}`,
      await timed(async () => {
        const page = await listFiles(deps, WS, { ...f, limit: 50 });
        await deliveriesByFile(
          h.db,
          page.rows.map((r) => r.id),
        );
      }),
    );
  }
  for (const [name, f] of Object.entries(deliveryFilters(WS, COUNT))) {
    out.set(
      `deliveries: ${name}`,
      await timed(async () => {
        const rows = await deliveriesRepo.log(h.db, WS, { ...f, limit: 101 }).execute();
        await deliveryLogViews(h.db, rows.slice(0, 100));
      }),
    );
  }
  out.set("chat's file panel", await timed(() => filesRepo.forChat(h.db, `${WS}-c7`).execute()));
  out.set(
    'GET /api/files/:id (file + deliveries)',
    await timed(async () => {
      const id = `${WS}-f${String(Math.floor(COUNT / 3)).padStart(9, '0')}`;
      await filesRepo.byId(h.db, id);
      await deliveriesByFile(h.db, [id]);
    }),
  );
  return out;
}

async function onDatabase(kind: string) {
  let databaseUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (kind === 'postgres') ({ url: databaseUrl, drop } = await createPgDatabase(process.env.BENCH_PG_URL));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-list-'));
  const h = await createDb({ databaseUrl, dataDir });
  try {
    const t = Date.now();
    await seedWorkspace(h.db, WS, COUNT);
    await seedFiles(h.db, h.dialect, WS, COUNT);
    console.error(
      `${kind}: seeded ${COUNT} files and ${COUNT} deliveries in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
    return await measure(h);
  } finally {
    await h.close();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = new Map<string, Map<string, { median: number; max: number }>>();
for (const kind of DBS) results.set(kind, await onDatabase(kind));
const names = [...results.values()][0]!.keys();
const cell = (r?: { median: number; max: number }) => (r ? `${r.median.toFixed(1)} / ${r.max.toFixed(1)}` : '-');
console.log(
  `\n${COUNT.toLocaleString('en')} files, page latency in ms (median / max of ${RUNS}); goal < ${GOAL_MS} ms median`,
);
console.log(['query'.padEnd(42), ...DBS.map((d) => d.padStart(16)), '  goal met'].join(''));
for (const name of names) {
  const all = DBS.map((d) => results.get(d)!.get(name));
  const met = all.every((r) => r && r.median < GOAL_MS) ? 'yes' : 'NO';
  console.log([name.padEnd(42), ...all.map((r) => cell(r).padStart(16)), `  ${met}`].join(''));
}
