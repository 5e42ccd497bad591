// Real databases for tests: a temp SQLite data dir by default, or a fresh PostgreSQL database per server group when
// the suite runs with DATABASE_URL set (as .ci/run's second pass does). PostgreSQL itself is always on this machine.
import pg from 'pg';
import crypto from 'node:crypto';

export const BASE_PG_URL = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const onPostgres = () => !!process.env.DATABASE_URL;

/** Creates an empty PostgreSQL database and returns its URL (dropped by the returned drop()). */
export async function createPgDatabase(
  baseUrl = process.env.DATABASE_URL ?? BASE_PG_URL,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropPgDatabase(url.toString(), baseUrl),
  };
}

/** Drops the PostgreSQL database a URL names (e.g. one a kept server made for a restart test). */
export async function dropPgDatabase(databaseUrl: string, baseUrl = process.env.DATABASE_URL ?? BASE_PG_URL) {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  await c.query(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
  await c.end();
}
