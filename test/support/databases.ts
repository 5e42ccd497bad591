// Real databases for tests: a temp SQLite data dir by default, or a fresh PostgreSQL database per server group when
// the suite runs with DATABASE_URL set (as .ci/run's second pass does). PostgreSQL itself is always on this machine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const BASE_PG_URL = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const onPostgres = () => !!process.env.DATABASE_URL;

/**
 * Creates a PostgreSQL database and returns its URL (dropped by the returned drop()). Empty by default; `migrated`
 * copies a template that has had every migration (built once per set of migrations, see below), which a server
 * starts on without running any — a test server's database costs a copy instead of ~1 s of DDL.
 */
export async function createPgDatabase(
  baseUrl = process.env.DATABASE_URL ?? BASE_PG_URL,
  opts: { migrated?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_t_${crypto.randomBytes(6).toString('hex')}`;
  if (opts.migrated) await copyTemplate(baseUrl, name);
  else await adminQuery(baseUrl, `create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropPgDatabase(url.toString(), baseUrl),
  };
}

async function adminQuery(baseUrl: string, text: string) {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

const pgCode = (err: unknown) => (err as { code?: string }).code;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `text` again while PostgreSQL answers 55006 ("being accessed by other users": a template's or a renamed
 * database's last connection still closing).
 */
async function whileAccessed(baseUrl: string, text: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adminQuery(baseUrl, text);
    } catch (err) {
      if (pgCode(err) !== '55006' || attempt >= 50) throw err;
      await pause(50 + Math.random() * 100);
    }
  }
}

/**
 * The template's name: a hash of the migrations' sources, so a changed or added migration gets a new template.
 * Several runs (worktrees, passes) share one; none is ever changed once built.
 */
function templateName() {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/db/migrations');
  const hash = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  return `parley_tpl_${hash.digest('hex').slice(0, 16)}`;
}

async function copyTemplate(baseUrl: string, name: string) {
  const template = templateName();
  try {
    await whileAccessed(baseUrl, `create database ${name} template ${template}`);
  } catch (err) {
    if (pgCode(err) !== '3D000') throw err;
    await buildTemplate(baseUrl, template);
    await whileAccessed(baseUrl, `create database ${name} template ${template}`);
  }
}

/**
 * Migrates a new database and renames it to the template's name; a worker that loses the race to another (42P04,
 * the name is taken) drops its own copy.
 */
async function buildTemplate(baseUrl: string, template: string) {
  const building = `${template}_b${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(baseUrl, `create database ${building}`);
  const url = new URL(baseUrl);
  url.pathname = `/${building}`;
  const { createDb } = await import('../../src/db/index.js');
  const handle = await createDb({ databaseUrl: url.toString(), dataDir: os.tmpdir(), preparedStatements: false });
  await handle.close();
  try {
    await whileAccessed(baseUrl, `alter database ${building} rename to ${template}`);
  } catch (err) {
    if (pgCode(err) !== '42P04') throw err;
    await whileAccessed(baseUrl, `drop database if exists ${building}`);
  }
}

/** Drops the PostgreSQL database a URL names (e.g. one a kept server made for a restart test). */
export async function dropPgDatabase(databaseUrl: string, baseUrl = process.env.DATABASE_URL ?? BASE_PG_URL) {
  await adminQuery(baseUrl, `drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
}
