// Opens the database (SQLite file by default, PostgreSQL when DATABASE_URL is set) and runs the migrations.
// Must not hold module-level connections: createDb returns a handle the caller owns and closes.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './types.js';
import { migrate } from './migrations/run.js';
import { ResilientPostgresDialect } from './resilient.js';
import { preparedStatements } from './prepared.js';
import { countStatement } from './statements.js';
import { createWalFlusher } from './wal-flush.js';
import { startCheckpointer } from './checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  dialect: Dialect;
  /**
   * Resolves once every commit made so far would survive a power cut: called before a request that changed data is
   * answered. PostgreSQL commits synchronously already; SQLite's log is fsynced here, off the event loop
   * (wal-flush.ts).
   */
  flush(): Promise<void>;
  /** fsyncs run by flush() so far (0 on PostgreSQL); /metrics shows it. */
  flushes(): number;
  /** SQLite: checkpoints of the log run off the event loop so far (checkpointer.ts); 0 on PostgreSQL. */
  checkpoints(): number;
  close(): Promise<void>;
}

export async function createDb(opts: {
  databaseUrl?: string;
  /** Hot statements named on PostgreSQL (db/prepared.ts); default true. */
  preparedStatements?: boolean;
  dataDir: string;
  onConnectionError?: (err: Error) => void;
  /** SQLite: a checkpoint off the event loop failed (it is tried again; the main connection's valve remains). */
  onCheckpointError?: (message: string) => void;
}): Promise<DbHandle> {
  if (opts.databaseUrl) {
    // Loaded only for PostgreSQL, so the embedded default does not carry the driver in memory.
    const { default: pg } = await import('pg');
    // PostgreSQL returns int8 as strings; our sizes and sequences fit in a double.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, connectionTimeoutMillis: 5000 });
    // An idle connection dropped by the server (restart, failover) is replaced by the pool; unhandled, it would
    // crash the process.
    pool.on('error', (err) => opts.onConnectionError?.(err));
    // pg-pool listens for errors of idle clients only: a client checked out (mid-transaction, or between two
    // statements) that loses its connection emits 'error' with nobody listening, which kills the process. Every
    // client gets a listener for its whole life; the statements that used it fail with UNAVAILABLE (resilient.ts)
    // and the pool discards it when it is released.
    pool.on('connect', (client) => client.on('error', (err) => opts.onConnectionError?.(err)));
    const prepared = opts.preparedStatements === false ? undefined : preparedStatements();
    if (prepared) pool.on('connect', (client) => prepared.adopt(client as unknown as { query: () => unknown }));
    // Fail fast with a clear message when the server does not answer.
    const client = await pool.connect();
    client.release();
    const db = new Kysely<Database>({ dialect: new ResilientPostgresDialect({ pool }), log: countStatement });
    await migrate(db, 'postgres');
    return {
      db,
      dialect: 'postgres',
      flush: async () => {},
      flushes: () => 0,
      checkpoints: () => 0,
      close: () => db.destroy(),
    };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, 'parley.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL: commits do not fsync on the event loop; answers that acknowledge a write wait for flush() instead.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachedStatements(sqlite) }),
    log: countStatement,
  });
  await migrate(db, 'sqlite');
  const wal = createWalFlusher(`${file}-wal`);
  const checkpointer = startCheckpointer(sqlite, file, { onError: opts.onCheckpointError });
  return {
    db,
    dialect: 'sqlite',
    flush: () => wal.flush(),
    flushes: () => wal.flushes,
    checkpoints: () => checkpointer.checkpoints,
    close: async () => {
      await checkpointer.close();
      await wal.close();
      await db.destroy();
    },
  };
}

/**
 * The database as Kysely's SQLite driver sees it, with prepared statements kept by their SQL: the driver prepares every
 * statement it runs, which was 5–8 % of the server's CPU on the upload path (issue 18 profile). A statement that is
 * busy (a streamed SELECT still iterating) is not shared: that call prepares a fresh one. SQLite re-prepares a kept
 * statement by itself after a schema change.
 */
export function cachedStatements(sqlite: SQLite.Database, max = 1000) {
  const kept = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      const hit = kept.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = sqlite.prepare(sql);
      if (!hit) {
        if (kept.size >= max) kept.delete(kept.keys().next().value!);
        kept.set(sql, stmt);
      }
      return stmt;
    },
  };
}
