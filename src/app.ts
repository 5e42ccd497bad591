// Builds a Parley server from a Config: database, storage, keyring, realtime and workers are chosen here and only
// here, then handed to the route modules as explicit dependencies. Two apps can share a database in one process.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pino, type Logger } from 'pino';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { createEventBus } from './events.js';
import { createJobRunner } from './jobs/runner.js';
import { createDb, type DbHandle } from './db/index.js';
import { createKeyring, loadMasterKey } from './keyring.js';
import { createLocalStore, sweepTemp } from './storage/local.js';
import type { BlobStore } from './storage/index.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerAuth } from './http/auth.js';
import type { App } from './http/types.js';
import { createSocketServer, type RealtimeServer } from './realtime/socket-server.js';
import type { Realtime } from './realtime/index.js';
import { chatsRepo } from './modules/chats/repo.js';
import { messageViews } from './modules/chats/view.js';
import { visitorAudience } from './modules/chats/service.js';
import { bootstrap } from './modules/workspaces/service.js';
import { wireModules } from './modules/index.js';
import { UPLOAD_ROUTES, uploadRequestBody } from './modules/files/routes.js';

export interface ParleyApp {
  app: App;
  deps: Deps;
  /** Listens on config.port/host (0 = a free port) and starts background workers; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
  /** Resolves when background work queued so far (due jobs such as thumbnails) is done. */
  idle(): Promise<void>;
  bootstrapResult: Awaited<ReturnType<typeof bootstrap>>;
}

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

export async function createStorage(config: Config): Promise<BlobStore> {
  if (config.storage === 's3' && config.s3) {
    const { createS3Store } = await import('./storage/s3.js');
    return createS3Store(config.s3);
  }
  const root = path.join(config.dataDir, 'files');
  // Temp files older than an hour can only be leftovers of a crash mid-upload.
  await sweepTemp(root, 3_600_000);
  return createLocalStore(root);
}

export async function createApp(config: Config, opts: { logger?: Logger } = {}): Promise<ParleyApp> {
  const log = opts.logger ?? pino({ level: config.logLevel });
  let dbHandle: DbHandle;
  try {
    dbHandle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onIdleError: (err) => log.warn({ err }, 'database connection lost; the pool reconnects') });
  } catch (err) {
    const variable = config.databaseUrl ? 'DATABASE_URL' : 'PARLEY_DATA_DIR';
    throw Object.assign(new Error(`${variable}: cannot open the database (${(err as Error).message})`), { variable });
  }
  const keyring = createKeyring(loadMasterKey(config.secretKey, config.dataDir));
  const storage = await createStorage(config);

  const app = Fastify({
    loggerInstance: log,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // The realtime port is bound to Socket.IO once the HTTP server exists; until then emits go nowhere.
  let realtimeServer: RealtimeServer | undefined;
  const realtime: Realtime = {
    toChatVisitor: (...a) => realtimeServer?.toChatVisitor(...a),
    toWorkspaceAgents: (...a) => realtimeServer?.toWorkspaceAgents(...a),
  };
  const events = createEventBus(log);
  const jobs = createJobRunner({ db: dbHandle.db, dialect: dbHandle.dialect, log, pollMs: config.jobPollMs, leaseMs: config.jobLeaseSeconds * 1000 });
  const deps: Deps = { config, db: dbHandle.db, dialect: dbHandle.dialect, storage, realtime, keyring, log, events, jobs };
  const bootstrapResult = await bootstrap(deps.db, { adminEmail: config.adminEmail, adminPassword: config.adminPassword });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Parley API', version: '1', description: 'Live chat with first-class file sharing' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'parley_session' } } },
    },
  });
  // multipart bodies are streamed by the upload pipeline itself, never parsed or buffered by Fastify.
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
  registerErrorHandling(app);
  registerAuth(app, deps.db);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!request.url.startsWith('/widget')) reply.header('x-frame-options', 'SAMEORIGIN');
  });

  let redisForHealth: Redis | undefined;
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    const attempt = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
        checks[name] = 'ok';
      } catch (err) {
        checks[name] = (err as Error).message || 'failed';
      }
    };
    await attempt('database', () => sql`select 1`.execute(deps.db));
    await attempt('storage', () => storage.check());
    if (config.redisUrl) {
      if (!redisForHealth) {
        redisForHealth = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
        redisForHealth.on('error', () => {}); // reported by the readiness answer itself
      }
      await attempt('redis', async () => {
        if (redisForHealth!.status === 'wait') await redisForHealth!.connect();
        await redisForHealth!.ping();
      });
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ok ? 200 : 503).send({ ok, checks });
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => {
    const doc = app.swagger() as { paths?: Record<string, Record<string, { requestBody?: unknown }>> };
    for (const p of UPLOAD_ROUTES) if (doc.paths?.[p]?.post) doc.paths[p].post.requestBody = uploadRequestBody;
    return doc;
  });

  const workers = await wireModules(app, deps, { events, jobs });

  if (fs.existsSync(webDist)) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', index: ['index.html'], redirect: true, wildcard: true, cacheControl: true, maxAge: 0 });
  } else {
    app.get('/', async (_request, reply) => reply.type('text/html').send('<!doctype html><title>Parley</title><h1>Parley</h1><p>The web front ends are not built: run <code>npm run build:web</code>.</p><ul><li><a href="/console/">Agent console</a></li><li><a href="/admin/">Admin</a></li></ul>'));
  }

  let listening = false;
  return {
    app,
    deps,
    bootstrapResult,
    async listen() {
      await app.ready();
      realtimeServer = await createSocketServer(app.server, {
        db: deps.db,
        log,
        redisUrl: config.redisUrl,
        missedMessages: async (chatId, afterId, side) => {
          const rows = await chatsRepo.messagesAfter(deps.db, chatId, afterId, 500);
          return messageViews(deps.db, rows, side === 'visitor' ? visitorAudience(deps) : { kind: 'staff' });
        },
      });
      await app.listen({ port: config.port, host: config.host });
      listening = true;
      if (config.backgroundWorkers) workers.start();
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    idle: () => workers.idle?.() ?? Promise.resolve(),
    async close() {
      await workers.stop();
      if (realtimeServer) await realtimeServer.close();
      if (listening || !realtimeServer) await app.close().catch(() => {});
      redisForHealth?.disconnect();
      await dbHandle.close();
    },
  };
}
