// SQLite's log is checkpointed by a worker thread (src/db/checkpointer.ts), not inside the commit that takes it past
// 1,000 pages on the event loop. Runs on SQLite in both passes (the embedded default is what it is about).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
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
});
