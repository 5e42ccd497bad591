// Starts a real Parley in this process on a free loopback port, on its own database (SQLite temp dir, or a fresh
// PostgreSQL database when DATABASE_URL is set), with REDIS_URL when set. Every test file makes its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createApp, type ParleyApp } from '../../src/app.js';
import { createPgDatabase, onPostgres } from './databases.js';

export interface TestServer {
  url: string;
  parley: ParleyApp;
  dataDir: string;
  databaseUrl?: string;
  admin: { email: string; password: string };
  workspaceId: string;
  widgetKey: string;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Share a database with another server (multi-node tests). */
  databaseUrl?: string;
  dataDir?: string;
  /** Keep the database and data dir on close (restart tests). */
  keep?: boolean;
}

export const TEST_ADMIN = { email: 'owner@example.test', password: 'correct horse battery' };
export const TEST_SECRET_KEY = 'test-secret-key-shared-by-test-nodes';

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  let databaseUrl = opts.databaseUrl;
  let dropDb: (() => Promise<void>) | undefined;
  if (!databaseUrl && onPostgres()) {
    const created = await createPgDatabase();
    databaseUrl = created.url;
    dropDb = created.drop;
  }
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
    PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
    PARLEY_ALLOW_PRIVATE_CALLBACKS: 'true',
    PARLEY_SECRET_KEY: TEST_SECRET_KEY,
    PARLEY_DELIVERY_SCHEDULE: '0.2,0.4,0.8',
    PARLEY_DELIVERY_POLL_MS: '50',
    PARLEY_JOB_POLL_MS: '50',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const parley = await createApp(config, { logger: pino({ level: env.LOG_LEVEL }) });
  const url = await parley.listen();
  const ws = await parley.deps.db.selectFrom('workspaces').selectAll().orderBy('id').limit(1).executeTakeFirstOrThrow();
  return {
    url,
    parley,
    dataDir,
    databaseUrl,
    admin: TEST_ADMIN,
    workspaceId: ws.id,
    widgetKey: ws.widget_key,
    async close() {
      await parley.close();
      if (!opts.keep) {
        await dropDb?.();
        if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
