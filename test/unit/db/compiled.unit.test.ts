// runCompiled (src/db/compiled.ts): a statement built once per dialect with stand-ins for its arguments, then only
// bound — the same rows as the builder's own statement, and a build that does anything with an argument but pass it
// as a value is refused.
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { runCompiled } from '../../../src/db/compiled.js';

interface Db {
  t: { id: string; n: number; tag: string | null };
}
const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
afterAll(() => db.destroy());

describe('runCompiled', () => {
  it('binds each call its own arguments into the template built the first time', async () => {
    await db.schema
      .createTable('t')
      .addColumn('id', 'text')
      .addColumn('n', 'integer')
      .addColumn('tag', 'text')
      .execute();
    await db
      .insertInto('t')
      .values([
        { id: 'a', n: 1, tag: 'x' },
        { id: 'b', n: 2, tag: null },
        { id: 'c', n: 3, tag: 'x' },
      ])
      .execute();
    let builds = 0;
    const over = (min: number, tag: string) =>
      runCompiled(db, 'over', [min, tag] as [number, string], (m, t) => {
        builds++;
        return db.selectFrom('t').select('id').where('n', '>', m).where('tag', '=', t).where('id', '!=', 'zz');
      });
    expect(await over(0, 'x')).toEqual([{ id: 'a' }, { id: 'c' }]);
    expect(await over(1, 'x')).toEqual([{ id: 'c' }]);
    expect(await over(0, 'none')).toEqual([]);
    expect(builds).toBe(1);
  });

  it('refuses a build that turns an argument into something else than a value', async () => {
    await expect(
      runCompiled(db, 'like', ['x'], (t) => db.selectFrom('t').select('id').where('tag', 'like', `%${t}%`)),
    ).rejects.toThrow(/otherwise than as a value/);
    await expect(
      runCompiled(db, 'raw', ['x'], (t) => db.selectFrom('t').select(sql.raw<string>(`'${t}'`).as('id'))),
    ).rejects.toThrow(/otherwise than as a value/);
    await expect(runCompiled(db, 'unused', ['x'], (_tag: string) => db.selectFrom('t').select('id'))).rejects.toThrow(
      /otherwise than as a value/,
    );
  });
});
