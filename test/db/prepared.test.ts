// Named (prepared) statements on PostgreSQL (src/db/prepared.ts): a statement run often goes out named, so the
// connection keeps it prepared; a rare one does not; a named statement whose cached plan no longer fits the table (a
// newer node's migration) runs again unnamed instead of failing; the switch turns it all off.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/db/index.js';
import { createPgDatabase } from '../support/databases.js';

const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function openDb(preparedStatements?: boolean): Promise<DbHandle> {
  const pg = await createPgDatabase(PG);
  const handle = await createDb({ databaseUrl: pg.url, dataDir: '/nonexistent', preparedStatements });
  cleanups.push(async () => {
    await handle.close();
    await pg.drop();
  });
  return handle;
}

/** Runs `work` on one connection of the pool, then lists the statements that connection has prepared. */
async function preparedOn(handle: DbHandle, work: (run: (q: string) => Promise<unknown>) => Promise<void>) {
  return handle.db.connection().execute(async (conn) => {
    await work((q) => sql.raw(q).execute(conn));
    const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(conn);
    return rows.map((r) => r.statement);
  });
}

describe('prepared statements on PostgreSQL', () => {
  it('names a statement once it has run 20 times, and not a rare one', async () => {
    const handle = await openDb();
    const statements = await preparedOn(handle, async (run) => {
      for (let i = 0; i < 25; i++) await run('select count(*) from users where id is not null');
      await run('select count(*) from workspaces where id is not null');
    });
    expect(statements).toContain('select count(*) from users where id is not null');
    expect(statements).not.toContain('select count(*) from workspaces where id is not null');
  });

  it('runs a named statement again, unnamed, when a migration changed the shape of its result', async () => {
    const handle = await openDb();
    const rows = await handle.db.connection().execute(async (conn) => {
      await sql`create table shapes (id int)`.execute(conn);
      await sql`insert into shapes values (1)`.execute(conn);
      const select = () => sql.raw<Record<string, unknown>>('select * from shapes').execute(conn);
      for (let i = 0; i < 25; i++) await select();
      // Another node's migration adds a column: the prepared plan's result type no longer fits.
      await sql`alter table shapes add column name text`.execute(conn);
      const after = await select();
      await select();
      return after.rows;
    });
    expect(rows).toEqual([{ id: 1, name: null }]);
  });

  it('prepares nothing with PARLEY_PG_PREPARED_STATEMENTS=false', async () => {
    const handle = await openDb(false);
    const statements = await preparedOn(handle, async (run) => {
      for (let i = 0; i < 25; i++) await run('select count(*) from users where id is not null');
    });
    expect(statements).toEqual([]);
  });
});
