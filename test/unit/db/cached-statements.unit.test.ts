// The SQLite statement cache under Kysely (src/db/index.ts cachedStatements), on a real in-memory SQLite.
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { cachedStatements } from '../../../src/db/index.js';

describe('cached SQLite statements', () => {
  it('prepares a statement once per SQL text, and a fresh one while the kept one is still iterating', async () => {
    const sqlite = new SQLite(':memory:');
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((text: string) => {
      prepared++;
      return prepare(text);
    }) as typeof sqlite.prepare;
    const db = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
    await sql`create table t (n integer)`.execute(db);
    const before = prepared;
    for (let n = 0; n < 5; n++) await db.insertInto('t').values({ n }).execute();
    expect(prepared - before).toBe(1);
    // A statement still iterating (busy) is not handed out again: the same SQL meanwhile gets a statement of its own.
    const cache = cachedStatements(sqlite);
    const select = 'select n from t order by n';
    const iterating = cache.prepare(select).iterate() as IterableIterator<{ n: number }>;
    expect(iterating.next().value).toEqual({ n: 0 });
    expect(cache.prepare(select).all()).toHaveLength(5);
    expect([...iterating].map((r) => r.n)).toEqual([1, 2, 3, 4]);
    await db.destroy();
  });
});
