// SQLite's log is checkpointed by a worker thread (src/db/checkpointer.ts), not inside the commit that takes it past
// 1,000 pages on the event loop. Runs on SQLite in both passes (the embedded default is what it is about).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/db/checkpointer.js';
import { createDb } from '../../src/db/index.js';
import { eventually } from '../support/eventually.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('SQLite checkpoints', () => {
  it('copies the log into the database off the event loop, and the data stays whole across a reopen', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-checkpoint-'));
    dirs.push(dataDir);
    const errors: string[] = [];
    const handle = await createDb({ dataDir, onCheckpointError: (m) => errors.push(m) });
    const file = path.join(dataDir, 'parley.db');
    await sql`create table filler (id integer primary key, body text not null)`.execute(handle.db);
    // About 3,000 pages of log (4 KiB each), well past SQLite's default automatic checkpoint at 1,000.
    const body = 'x'.repeat(3000);
    for (let i = 0; i < 3000; i++) await sql`insert into filler (body) values (${body})`.execute(handle.db);

    // The main connection checkpoints only past its safety valve; the worker did the copying.
    const main = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(handle.db);
    expect(main.rows[0]!.wal_autocheckpoint).toBeGreaterThanOrEqual(10_000);
    await eventually(() => expect(handle.checkpoints()).toBeGreaterThan(0));
    // Everything in the log has reached the database file (another connection's view of the log: all copied).
    await eventually(() => {
      const other = new SQLite(file);
      const [r] = other.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      other.close();
      expect(r!.checkpointed).toBe(r!.log);
    });
    expect(errors).toEqual([]);

    await handle.close();
    const reopened = await createDb({ dataDir });
    const count = await sql<{ n: number }>`select count(*) as n from filler`.execute(reopened.db);
    expect(Number(count.rows[0]!.n)).toBe(3000);
    await reopened.close();
  });

  /** A database in WAL mode as createDb opens it, with a checkpointer of the given timing. */
  function open(opts: Parameters<typeof startCheckpointer>[2]) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-checkpoint-'));
    dirs.push(dataDir);
    const file = path.join(dataDir, 'parley.db');
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.exec('create table filler (id integer primary key, body text not null)');
    const errors: string[] = [];
    const checkpointer = startCheckpointer(sqlite, file, { ...opts, onError: (m) => errors.push(m) });
    const insert = sqlite.prepare('insert into filler (body) values (?)');
    return { sqlite, checkpointer, errors, insert, file };
  }

  it('leaves a short log for up to maxWaitMs: each restart of the log fsyncs on the event loop', async () => {
    const { sqlite, checkpointer, errors, insert, file } = open({ everyMs: 50, maxWaitMs: 1000 });
    // The log's salts (bytes 16–23 of its header) change each time a commit starts it from the top after a
    // checkpoint caught up; that commit fsyncs the header on the event loop (synchronous = NORMAL).
    const wal = fs.openSync(`${file}-wal`, 'r');
    const salts = Buffer.alloc(8);
    const saltsNow = () => {
      fs.readSync(wal, salts, 0, 8, 16);
      return salts.toString('hex');
    };
    let restarts = 0;
    let seen = saltsNow();
    // A small commit every 25 ms for 1.5 s: a few frames each, far under the pressure mark. With a checkpoint at
    // every tick the log started again after nearly every other commit (20–30 restarts).
    const started = Date.now();
    while (Date.now() - started < 1500) {
      insert.run('x');
      const now = saltsNow();
      if (now !== seen) restarts++;
      seen = now;
      await new Promise((r) => setTimeout(r, 25));
    }
    fs.closeSync(wal);
    // Timers run late, never early: at most one checkpoint per maxWaitMs, and one restart after each.
    expect(restarts).toBeLessThanOrEqual(2);
    // And the short log is copied all the same, once it has waited maxWaitMs (from the worker's start).
    await eventually(() => expect(checkpointer.checkpoints).toBeGreaterThanOrEqual(1));
    await checkpointer.close();
    sqlite.close();
    expect(errors).toEqual([]);
  });

  it('checkpoints a long log at once, without waiting for maxWaitMs', async () => {
    const { sqlite, checkpointer, errors, insert } = open({ everyMs: 50, maxWaitMs: 600_000 });
    const body = 'x'.repeat(3000);
    for (let i = 0; i < 3000; i++) insert.run(body); // ~3,000 pages, past the 1,000-frame mark
    await eventually(() => expect(checkpointer.checkpoints).toBeGreaterThan(0), { timeoutMs: 20_000 });
    await checkpointer.close();
    sqlite.close();
    expect(errors).toEqual([]);
  });
});
