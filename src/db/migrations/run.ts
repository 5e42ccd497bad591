// Runs the migrations of ./index.ts that a database has not had yet, in order, each in its own transaction.
import { type Kysely, sql } from 'kysely';
import type { Db, Dialect } from '../index.js';
import { migrations } from './index.js';

/** Forward-only, numbered migrations; on PostgreSQL an advisory lock keeps two starting nodes from racing. */
export async function migrate(db: Db, dialect: Dialect): Promise<void> {
  const anyDb = db as unknown as Kysely<any>;
  await anyDb.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  await anyDb.connection().execute(async (conn) => {
    if (dialect === 'postgres') await sql`select pg_advisory_lock(727274)`.execute(conn);
    try {
      const done = new Set(
        (await conn.selectFrom('schema_migrations').select('name').execute()).map((r: { name: string }) => r.name),
      );
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        await conn.transaction().execute(async (trx) => {
          await m.up(trx, dialect);
          await trx
            .insertInto('schema_migrations')
            .values({ name: m.name, applied_at: new Date().toISOString() })
            .execute();
        });
      }
    } finally {
      if (dialect === 'postgres') await sql`select pg_advisory_unlock(727274)`.execute(conn);
    }
  });
}
