// List File, the chat's file panel and the delivery log read through indexes whatever the filter: the very statements
// the service runs are EXPLAINed (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN) on a seeded workspace, and no
// plan may scan a whole table. Timings are measured by bench/list-files.ts, never asserted here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../../src/db/index.js';
import { deliveriesRepo } from '../../../src/modules/deliveries/repo.js';
import { filesRepo, type ListFilter, NAME_PROBE_ROWS } from '../../../src/modules/files/repo.js';
import { listFiles } from '../../../src/modules/files/service.js';
import type { Deps } from '../../../src/deps.js';
import { createPgDatabase, onPostgres } from '../../support/databases.js';
import { deliveryFilters, listFileFilters, seedFiles, seedTime, seedWorkspace } from '../../support/seed-files.js';

const COUNT = 30_000;
const WS = 'plans';
let h: DbHandle;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  let databaseUrl: string | undefined;
  if (onPostgres()) ({ url: databaseUrl, drop } = await createPgDatabase());
  h = await createDb({ databaseUrl, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'parley-plans-')) });
  await seedWorkspace(h.db, WS, COUNT);
  await seedFiles(h.db, h.dialect, WS, COUNT);
}, 120_000);
afterAll(async () => {
  await h?.close();
  await drop?.();
});

async function plan(compiled: CompiledQuery): Promise<string> {
  if (process.env.SHOW_PLANS) console.log(compiled.sql);
  if (h.dialect === 'sqlite') {
    const r = await h.db.executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` });
    return r.rows.map((x) => x.detail).join('\n');
  }
  const r = await h.db.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `explain ${compiled.sql}` });
  const text = r.rows.map((x) => x['QUERY PLAN']).join('\n');
  if (process.env.SHOW_PLANS) console.log(text);
  return text;
}

/** A whole-table scan: SQLite's "SCAN files" without an index, PostgreSQL's "Seq Scan on files". */
function expectNoFullScan(detail: string, what: string) {
  expect(detail, what).not.toMatch(/^SCAN (files|deliveries)$|^SCAN (files|deliveries) (?!USING)/m);
  expect(detail, what).not.toMatch(/Seq Scan on (files|deliveries)/);
}

/** A page read in index order: no sort of the table's rows. */
function expectIndexOrder(detail: string, what: string) {
  expect(detail, what).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
  expect(detail, what).not.toMatch(/\bSort\b/);
}

describe('List File at scale', () => {
  it('reads every List File filter through an index, in index order', async () => {
    for (const [name, f] of Object.entries(listFileFilters(WS, COUNT))) {
      const filter: ListFilter = { ...f, limit: 51 };
      const q = filter.q;
      if (!q || q.length < 3) {
        const detail = await plan(filesRepo.listForWorkspace(h.db, WS, filter).compile());
        expectNoFullScan(detail, name);
        expectIndexOrder(detail, name);
        continue;
      }
      const probe = filesRepo.nameProbe(h.db, WS, { ...filter, q });
      for (const c of [probe.matches.compile(), probe.window.compile()]) {
        const detail = await plan(c);
        expectNoFullScan(detail, `${name} (probe)`);
      }
      // The text index is asked only when the newest rows did not fill the page (as the service does).
      const found = await probe.matches.execute();
      if (found.length === filter.limit || Number((await probe.window.executeTakeFirstOrThrow()).n) < NAME_PROBE_ROWS) {
        expect(name).toMatch(/common|\+/);
        continue;
      }
      const detail = await plan(filesRepo.searchByName(h.db, h.dialect, WS, { ...filter, q }).compile());
      expectNoFullScan(detail, `${name} (text index)`);
      expect(detail, name).toMatch(h.dialect === 'sqlite' ? /files_name_fts VIRTUAL TABLE/ : /files_name_trgm/);
    }
  });

  it("reads a chat's file panel, a file and a page's deliveries through indexes", async () => {
    for (const [name, c] of Object.entries({
      panel: filesRepo.forChat(h.db, `${WS}-c7`).compile(),
      file: h.db.selectFrom('files').selectAll().where('id', '=', `${WS}-f000000123`).compile(),
      'deliveries of a page': deliveriesRepo
        .ofFiles(
          h.db,
          Array.from({ length: 50 }, (_, i) => `${WS}-f${String(i * 97).padStart(9, '0')}`),
        )
        .compile(),
    })) {
      const detail = await plan(c);
      expectNoFullScan(detail, name);
    }
  });

  it('reads every delivery log filter through an index, in index order', async () => {
    for (const [name, f] of Object.entries(deliveryFilters(WS, COUNT))) {
      const detail = await plan(deliveriesRepo.log(h.db, WS, { ...f, limit: 101 }).compile());
      expectNoFullScan(detail, name);
      if (name !== 'file' && name !== 'chat') expectIndexOrder(detail, name);
    }
  });
});

describe('name search at scale', () => {
  const deps = () => ({ db: h.db, dialect: h.dialect }) as unknown as Deps;
  const names = async (f: Partial<ListFilter>) =>
    (await listFiles(deps(), WS, { limit: 50, ...f })).rows.map((r) => r.name);

  it('finds a rare name far behind the newest rows, in any case, and nothing for an absent one', async () => {
    expect(await names({ q: 'CONTRACT' })).toEqual(['contract-77.pdf']);
    expect(await names({ q: 'no-such-name' })).toEqual([]);
    expect(await names({ q: 'PHOTO 2', type: 'png', uploaderRole: 'agent' })).toHaveLength(50);
  });

  it('keeps the text index in step with new, renamed and deleted files', async () => {
    const row = { ...(await filesRepo.byId(h.db, `${WS}-f000000001`))!, id: `${WS}-new`, name: 'Quarterly Ümlaut.pdf' };
    await filesRepo.insert(h.db, [row]);
    expect(await names({ q: 'quarterly' })).toEqual(['Quarterly Ümlaut.pdf']);
    await h.db.updateTable('files').set({ name: 'renamed.pdf' }).where('id', '=', row.id).execute();
    expect(await names({ q: 'quarterly' })).toEqual([]);
    expect(await names({ q: 'renamed' })).toEqual(['renamed.pdf']);
    await filesRepo.delete(h.db, row.id);
    expect(await names({ q: 'renamed' })).toEqual([]);
  });

  it('pages through a filter with the keyset cursor, newest first, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await listFiles(deps(), WS, { type: 'png', to: seedTime(899), limit: 60, cursor });
      seen.push(...page.rows.map((r) => r.created_at));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    expect([...seen].sort().reverse()).toEqual(seen);
  });
});
