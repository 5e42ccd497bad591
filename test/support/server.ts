// Starts a real Parley in this process on a free loopback port, on its own database (SQLite temp dir, or a fresh
// PostgreSQL database when DATABASE_URL is set), with REDIS_URL when set. API tests call `useServer()` once at the
// top of the file; `startServer()` stays for tests that start, stop and restart servers themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createApp, type ParleyApp } from '../../src/app.js';
import { afterAll, beforeAll } from 'vitest';
import { call, login, upload, widgetSession, type Res, type UploadPart } from './client.js';
import { watchContract } from './contract.js';
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
  /** Receives the server's log lines from info up (the request log: one JSON line per request). */
  logStream?: NodeJS.WritableStream;
}

export const TEST_ADMIN = { email: 'owner@example.test', password: 'correct horse battery' };
export const TEST_SECRET_KEY = 'test-secret-key-shared-by-test-nodes';

/**
 * The environment of a test's own Parley process (support/process.ts spawnServer) and of its restarts: a fresh data
 * dir, the test admin and key, `extra`; on the PostgreSQL pass a fresh database (and the pass's REDIS_URL).
 * `cleanup` removes the data dir and drops the database.
 */
export async function processEnv(
  prefix: string,
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const env: Record<string, string> = {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ADMIN_EMAIL: TEST_ADMIN.email,
    PARLEY_ADMIN_PASSWORD: TEST_ADMIN.password,
    PARLEY_SECRET_KEY: TEST_SECRET_KEY,
    ...extra,
  };
  let drop = async () => {};
  if (onPostgres()) {
    const db = await createPgDatabase(undefined, { migrated: true });
    drop = db.drop;
    env.DATABASE_URL = db.url;
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  }
  return {
    env,
    dataDir,
    cleanup: async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await drop();
    },
  };
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  let databaseUrl = opts.databaseUrl;
  let dropDb: (() => Promise<void>) | undefined;
  if (!databaseUrl && onPostgres()) {
    const created = await createPgDatabase(undefined, { migrated: true });
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
    // Every test client comes from 127.0.0.1: tests of these limits set them lower themselves.
    PARLEY_VISITOR_SESSIONS_PER_IP_HOUR: '1000000',
    // Tests post many messages as one visitor at once; the limit's own test sets it.
    PARLEY_VISITOR_MESSAGES_PER_MINUTE: '1000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const logger = opts.logStream ? pino({ level: 'info' }, opts.logStream) : pino({ level: env.LOG_LEVEL });
  const parley = await createApp(config, { logger });
  watchContract(parley.app);
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

type CallOptions = Parameters<typeof call>[3];

/** What `useServer()` hands a test file: the running server plus clients bound to its URL. */
export interface ServerHandle extends TestServer {
  /** Session cookie of the workspace owner (the first admin), signed in once per file. */
  readonly owner: string;
  /** `/api/workspaces/<the default workspace>` + `path`. */
  api(path: string): string;
  call<T = any>(method: string, path: string, opts?: CallOptions): Promise<Res<T>>;
  /** A call as the owner. */
  asOwner<T = any>(method: string, path: string, body?: unknown): Promise<Res<T>>;
  upload(path: string, files: UploadPart[], opts?: Parameters<typeof upload>[3]): Promise<Res>;
  /** A new widget visitor with its chat, on the default workspace unless another widget key is given. */
  visitor(widgetKey?: string): ReturnType<typeof widgetSession>;
  login(email: string, password: string): Promise<string>;
}

interface Started {
  server?: TestServer;
  owner?: string;
}

async function startAndSignIn(state: Started, opts: StartOptions): Promise<void> {
  state.server = await startServer(opts);
  state.owner = await login(state.server.url, TEST_ADMIN.email, TEST_ADMIN.password);
}

/**
 * Starts one server for the test file (in `beforeAll`) and closes it (in `afterAll`). The handle is usable at
 * module level; its fields are read inside tests and hooks, once the server is up. Inside a `describe`, the server
 * lives for that block only.
 */
export function useServer(opts: StartOptions | (() => StartOptions) = {}): ServerHandle {
  const state: Started = {};
  beforeAll(() => startAndSignIn(state, typeof opts === 'function' ? opts() : opts));
  afterAll(async () => {
    await state.server?.close();
  });
  return handleFor(state);
}

/**
 * `count` nodes on one fresh PostgreSQL database (multi-node tests); closed in reverse order, then dropped.
 * Options may be a function, read once earlier hooks have run (e.g. a Redis started on a free port).
 */
export function useNodes(
  count: number,
  opts: Omit<StartOptions, 'databaseUrl'> | (() => Omit<StartOptions, 'databaseUrl'>) = {},
): ServerHandle[] {
  const states: Started[] = Array.from({ length: count }, () => ({}));
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await createPgDatabase(undefined, { migrated: true });
    drop = db.drop;
    const nodeOpts = typeof opts === 'function' ? opts() : opts;
    for (const state of states) await startAndSignIn(state, { ...nodeOpts, databaseUrl: db.url });
  });
  afterAll(async () => {
    for (const state of [...states].reverse()) await state.server?.close();
    await drop?.();
  });
  return states.map(handleFor);
}

function handleFor(state: Started): ServerHandle {
  const running = (): TestServer => {
    if (!state.server) throw new Error('useServer(): the server starts in beforeAll; read it inside tests and hooks');
    return state.server;
  };
  return {
    get url() {
      return running().url;
    },
    get parley() {
      return running().parley;
    },
    get dataDir() {
      return running().dataDir;
    },
    get databaseUrl() {
      return running().databaseUrl;
    },
    get workspaceId() {
      return running().workspaceId;
    },
    get widgetKey() {
      return running().widgetKey;
    },
    get owner() {
      running();
      return state.owner as string;
    },
    admin: TEST_ADMIN,
    close: () => running().close(),
    api: (path) => `/api/workspaces/${running().workspaceId}${path}`,
    call: (method, path, callOpts) => call(running().url, method, path, callOpts),
    asOwner: (method, path, body) => call(running().url, method, path, { cookie: state.owner, body }),
    upload: (path, files, uploadOpts) => upload(running().url, path, files, uploadOpts),
    visitor: (widgetKey) => widgetSession(running().url, widgetKey ?? running().widgetKey),
    login: (email, password) => login(running().url, email, password),
  };
}
