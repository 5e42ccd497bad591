// Online copies of the database for `parley backup` / `parley restore`: SQLite's backup API (consistent while the
// server writes, WAL included) or pg_dump/pg_restore in PostgreSQL's custom format. Never touches a live target.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';

export const SQLITE_FILE = 'parley.db';
export const PG_DUMP_FILE = 'parley.pgdump';

function runTool(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) =>
      reject(new Error(`${tool} could not run (${err.message}); install the PostgreSQL client`)),
    );
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} failed: ${stderr.trim()}`))));
  });
}

/** Writes the database into `dir`; returns the file name written. */
export async function dumpDatabase(source: { databaseUrl?: string; dataDir: string }, dir: string): Promise<string> {
  if (source.databaseUrl) {
    await runTool('pg_dump', [
      '--format=custom',
      '--no-owner',
      `--file=${path.join(dir, PG_DUMP_FILE)}`,
      source.databaseUrl,
    ]);
    return PG_DUMP_FILE;
  }
  const file = path.join(source.dataDir, SQLITE_FILE);
  if (!fs.existsSync(file)) throw new Error(`no database at ${file}`);
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    await db.backup(path.join(dir, SQLITE_FILE));
  } finally {
    db.close();
  }
  return SQLITE_FILE;
}

/** Restores a dump into an empty target; refuses one that already holds a Parley database. */
export async function restoreDatabase(target: { databaseUrl?: string; dataDir: string }, dir: string): Promise<void> {
  if (target.databaseUrl) {
    const dump = path.join(dir, PG_DUMP_FILE);
    if (!fs.existsSync(dump)) throw new Error(`${dump} is missing: this backup is not of a PostgreSQL database`);
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      const r = await client.query<{ t: string | null }>(`select to_regclass('public.schema_migrations')::text as t`);
      if (r.rows[0]?.t) throw new Error('DATABASE_URL already holds a Parley database; restore into an empty one');
    } finally {
      await client.end();
    }
    await runTool('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${target.databaseUrl}`, dump]);
    return;
  }
  const source = path.join(dir, SQLITE_FILE);
  if (!fs.existsSync(source)) throw new Error(`${source} is missing: this backup is not of a SQLite database`);
  const file = path.join(target.dataDir, SQLITE_FILE);
  if (fs.existsSync(file)) throw new Error(`${file} exists; restore into a new PARLEY_DATA_DIR`);
  fs.mkdirSync(target.dataDir, { recursive: true });
  fs.copyFileSync(source, file, fs.constants.COPYFILE_EXCL);
}
