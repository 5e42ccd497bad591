// PostgreSQL faults at the driver's edge: a connection that breaks (a terminated backend, a PgBouncer restart, a
// failover, a network blip) fails the statements that were using it with AppError UNAVAILABLE (503, retry later)
// instead of crashing the process or answering 500; a read outside a transaction is retried once on a fresh
// connection, because running it again cannot change anything. Must not retry writes or anything inside a
// transaction: the first attempt may have committed, or the transaction is gone with its connection.
import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryResult,
  TransactionSettings,
  QueryCompiler,
} from 'kysely';
import { PostgresDialect, type PostgresDialectConfig } from 'kysely';
import { AppError } from '../errors.js';

// pg reports a lost connection with plain Errors (no code) from its client and pool; this edge is the one place
// that reads them, so the rest of the server sees one typed error.
const LOST_CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Postgres connection has been discarded',
];
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** True for errors that mean "the database could not be reached or the connection died", not "the SQL failed". */
export function isConnectionFault(err: unknown): boolean {
  if (err instanceof AppError) return err.code === 'UNAVAILABLE';
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now),
  // 53300 (too many connections).
  if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300') return true;
  if (NETWORK_CODES.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return LOST_CONNECTION_MESSAGES.includes(message) || message.startsWith('timeout exceeded when trying to connect');
}

export function databaseUnavailable(cause: unknown): AppError {
  return new AppError(
    'UNAVAILABLE',
    'The database is unavailable right now; retry shortly',
    { retryAfterSeconds: 1 },
    { cause },
  );
}

const translate = (err: unknown): unknown => (isConnectionFault(err) ? databaseUnavailable(err) : err);

/**
 * PostgreSQL text cannot hold a NUL character: a parameter carrying one fails the statement ("invalid byte sequence
 * for encoding UTF8: 0x00"), a 500 for a visitor's input. The HTTP edge refuses NUL in URLs and JSON; whatever
 * still arrives with one (a form field, tus metadata, a remote server's answer) is stored and compared without it.
 */
function withoutNul(query: CompiledQuery): CompiledQuery {
  const strip = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.includes('\u0000')
        ? v.replaceAll('\u0000', '')
        : v
      : Array.isArray(v)
        ? v.map(strip)
        : v;
  if (!query.parameters.some((p) => (typeof p === 'string' && p.includes('\u0000')) || Array.isArray(p))) return query;
  return { ...query, parameters: query.parameters.map(strip) };
}

class ResilientConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    readonly inner: DatabaseConnection,
    private readonly driver: Driver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    query = withoutNul(query);
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (err) {
      if (!isConnectionFault(err)) throw err;
      if (this.inTransaction || query.query.kind !== 'SelectQueryNode') throw databaseUnavailable(err);
      // A plain read: once more on another connection (the pool drops the broken one when it is released).
      let fresh: DatabaseConnection | undefined;
      try {
        fresh = await this.driver.acquireConnection();
        return await fresh.executeQuery<R>(query);
      } catch (again) {
        throw translate(again);
      } finally {
        if (fresh) await this.driver.releaseConnection(fresh).catch(() => {});
      }
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(withoutNul(query), chunkSize);
  }
}

class ResilientDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init = () => this.inner.init();
  async acquireConnection(): Promise<DatabaseConnection> {
    try {
      return new ResilientConnection(await this.inner.acquireConnection(), this.inner);
    } catch (err) {
      throw translate(err);
    }
  }
  private async step(fn: () => Promise<void>) {
    try {
      await fn();
    } catch (err) {
      throw translate(err);
    }
  }
  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    const conn = c as ResilientConnection;
    await this.step(() => this.inner.beginTransaction(conn.inner, settings));
    conn.inTransaction = true;
  }
  async commitTransaction(c: DatabaseConnection) {
    const conn = c as ResilientConnection;
    conn.inTransaction = false;
    await this.step(() => this.inner.commitTransaction(conn.inner));
  }
  async rollbackTransaction(c: DatabaseConnection) {
    const conn = c as ResilientConnection;
    conn.inTransaction = false;
    await this.step(() => this.inner.rollbackTransaction(conn.inner));
  }
  savepoint = (c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
    this.step(() => this.inner.savepoint!((c as ResilientConnection).inner, name, compile));
  rollbackToSavepoint = (c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
    this.step(() => this.inner.rollbackToSavepoint!((c as ResilientConnection).inner, name, compile));
  releaseSavepoint = (c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
    this.step(() => this.inner.releaseSavepoint!((c as ResilientConnection).inner, name, compile));
  releaseConnection = (c: DatabaseConnection) => this.inner.releaseConnection((c as ResilientConnection).inner);
  destroy = () => this.inner.destroy();
}

/** Kysely's PostgresDialect with the fault handling above around its driver. */
export class ResilientPostgresDialect extends PostgresDialect {
  constructor(config: PostgresDialectConfig) {
    super(config);
  }
  override createDriver(): Driver {
    return new ResilientDriver(super.createDriver());
  }
}
