// Opens the database (SQLite file by default, PostgreSQL when DATABASE_URL is set) and runs the migrations.
// Must not hold module-level connections: createDb returns a handle the caller owns and closes.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './types.js';
import { migrations } from './migrations/index.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
}

// PostgreSQL returns int8 as strings; our sizes and sequences fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export async function createDb(opts: { databaseUrl?: string; dataDir: string; onIdleError?: (err: Error) => void }): Promise<DbHandle> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, connectionTimeoutMillis: 5000 });
    // An idle connection dropped by the server (restart, failover) is replaced by the pool; unhandled, it would
    // crash the process.
    pool.on('error', (err) => opts.onIdleError?.(err));
    // Fail fast with a clear message when the server does not answer.
    const client = await pool.connect();
    client.release();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrate(db, 'postgres');
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const sqlite = new SQLite(path.join(opts.dataDir, 'parley.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, 'sqlite');
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Forward-only, numbered migrations; on PostgreSQL an advisory lock keeps two starting nodes from racing. */
async function migrate(db: Db, dialect: Dialect): Promise<void> {
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
          await trx.insertInto('schema_migrations').values({ name: m.name, applied_at: new Date().toISOString() }).execute();
        });
      }
    } finally {
      if (dialect === 'postgres') await sql`select pg_advisory_unlock(727274)`.execute(conn);
    }
  });
}
