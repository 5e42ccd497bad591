// Check-then-act under concurrency: on PostgreSQL, requests that must not overlap (two publishes of one bot, two
// backfills, a visitor's tabs starting chats, two invitations of one e-mail) take a transaction-scoped advisory lock on
// a key and so run one after another until their transactions end. SQLite has one writer at a time already.
import { sql } from 'kysely';
import type { Db, Dialect } from './index.js';

/** Waits for any other transaction holding `key` (PostgreSQL); call inside the transaction whose work it guards. */
export async function holdUntilCommit(db: Db, dialect: Dialect, key: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`parley.${key}`}))`.execute(db);
}
