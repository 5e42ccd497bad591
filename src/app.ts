// Builds a Parley server from a Config: database, storage, keyring, realtime and workers are chosen here and only
// here, then handed to the route modules as explicit dependencies. Two apps can share a database in one process.
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pino, type Logger } from 'pino';
import { pingDatabase } from './db/health-repo.js';
import { type Config, noteListeningPort } from './config.js';
import type { Deps } from './deps.js';
import { createEventBus, untilQuiet } from './events.js';
import { createJobRunner } from './jobs/runner.js';
import { createDb, type DbHandle } from './db/index.js';
import { createKeyring, loadMasterKey } from './keyring.js';
import { createLocalStore, sweepTemp } from './storage/local.js';
import type { BlobStore } from './storage/index.js';
import { frameworkErrors, guardStreamedAnswers, registerErrorHandling } from './http/error-handler.js';
import { registerJsonBodies } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import { sharedSerializers, strictBodies } from './http/validation.js';
import { createClamdScanner } from './scanner/clamd.js';
import { registerAuth } from './http/auth.js';
import { registerCsrfCheck } from './http/csrf.js';
import { registerUploadLimits } from './http/upload-limits.js';
import { registerRequestLog, requestIdOf } from './http/request-log.js';
import { listenMetrics, registerMetricsHooks } from './http/metrics.js';
import { createMetrics } from './metrics/index.js';
import type { App } from './http/types.js';
import { createSocketServer, type RealtimeServer } from './realtime/socket-server.js';
import type { Realtime } from './realtime/index.js';
import { chatsRepo } from './modules/chats/repo.js';
import { messageViews } from './modules/chats/view.js';
import { visitorAudience } from './modules/chats/service.js';
import { bootstrap } from './modules/workspaces/service.js';
import { wireModules } from './modules/index.js';
import { previewPool } from './modules/files/thumbnail.js';
import { UPLOAD_ROUTES, uploadRequestBody } from './modules/files/routes.js';
import { trustFunction } from './http/client-address.js';

export interface ParleyApp {
  app: App;
  deps: Deps;
  /** Listens on config.port/host (0 = a free port) and starts background workers; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
  /** Resolves when background work queued so far (due jobs such as thumbnails) is done. */
  idle(): Promise<void>;
  /** Set by listen(): the owner is created only once the server listens, so a failed start cannot hide its password. */
  bootstrapResult: Awaited<ReturnType<typeof bootstrap>>;
}

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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

/** opts.worker: this process is worker N of `parley start --workers` (src/cluster.ts); the primary owns the port. */
/** The socket-level idle timeout: the upload idle timeout, never under a minute. */
const socketIdleMs = (config: Config) => Math.max(config.uploadIdleTimeoutMs, 60_000);

export async function createApp(config: Config, opts: { logger?: Logger; worker?: number } = {}): Promise<ParleyApp> {
  const log = opts.logger ?? pino({ level: config.logLevel });
  let dbHandle: DbHandle;
  try {
    dbHandle = await createDb({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      preparedStatements: config.pgPreparedStatements,
      onConnectionError: (err) => log.warn({ err }, 'database connection lost; the pool reconnects'),
      onCheckpointError: (message) => log.warn({ error: message }, 'a checkpoint of the SQLite log failed'),
    });
  } catch (err) {
    const variable = config.databaseUrl ? 'DATABASE_URL' : 'PARLEY_DATA_DIR';
    throw Object.assign(new Error(`${variable}: cannot open the database (${(err as Error).message})`), { variable });
  }
  const keyring = createKeyring(loadMasterKey(config.secretKey, config.dataDir));
  const storage = await createStorage(config);

  const app = Fastify({
    loggerInstance: log,
    // The same reading of PARLEY_TRUST_PROXY as the sockets' (http/client-address.ts).
    trustProxy: config.trustProxy === false ? false : trustFunction(config.trustProxy),
    bodyLimit: 1024 * 1024,
    // The backstop for a connection that stops moving in either direction (a client that stops reading a download);
    // upload bodies have their own, shorter idle timeout and others a request timeout (http/upload-limits.ts). Not
    // below a minute: it also runs while the server works on an answer and while a long-poll is held.
    connectionTimeout: socketIdleMs(config),
    // Never longer than the idle timeout: an idle keep-alive connection must be closed with the Keep-Alive hint the
    // client honours, not cut by the idle timeout while the client reuses it.
    keepAliveTimeout: Math.min(config.keepAliveTimeoutMs, socketIdleMs(config)),
    // One line per request is written by registerRequestLog (http/request-log.ts), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    schemaController: { compilersFactory: { buildValidator: strictBodies, buildSerializer: sharedSerializers } },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // The realtime port is bound to Socket.IO once the HTTP server exists; until then emits go nowhere.
  let realtimeServer: RealtimeServer | undefined;
  const realtime: Realtime = {
    toChatVisitor: (...a) => realtimeServer?.toChatVisitor(...a),
    toWorkspaceAgents: (...a) => realtimeServer?.toWorkspaceAgents(...a),
    disconnectChat: (chatId) => realtimeServer?.disconnectChat(chatId),
    accessChanged: (...a) => realtimeServer?.accessChanged(...a),
  };
  const events = createEventBus(log);
  const jobs = createJobRunner({
    db: dbHandle.db,
    dialect: dbHandle.dialect,
    log,
    pollMs: config.jobPollMs,
    leaseMs: config.jobLeaseSeconds * 1000,
  });
  const deps: Deps = {
    config,
    db: dbHandle.db,
    dialect: dbHandle.dialect,
    flushWrites: () => dbHandle.flush(),
    storage,
    realtime,
    keyring,
    log,
    events,
    jobs,
    scanner: config.clamav ? createClamdScanner(config.clamav) : undefined,
  };
  guardStreamedAnswers(app);
  await app.register(fastifyCookie);
  await registerOpenApi(app);
  // multipart bodies are streamed by the upload pipeline itself, never parsed or buffered by Fastify.
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
  registerJsonBodies(app);
  registerErrorHandling(app);
  registerRequestLog(app);
  const metrics = createMetrics({
    db: deps.db,
    openSockets: () => realtimeServer?.io.engine.clientsCount ?? 0,
    dbFlushes: () => dbHandle.flushes(),
    dbCheckpoints: () => dbHandle.checkpoints(),
    uploadsInProgress: () => uploadLimits.uploadsInProgress(),
    previews: () => previewPool(config),
  });
  registerMetricsHooks(app, metrics, {
    token: config.metricsToken,
    uploadRoutes: UPLOAD_ROUTES.map((route) => route.replace(/\{(\w+)\}/g, ':$1')),
  });
  events.on('delivery.attempted', (a) => metrics.deliveryAttempted(a.kind, a.outcome, a.status, a.seconds));
  events.on('upload.committed', (u) => metrics.uploadCommitted(u.bytesRead));
  events.on('messages.gathered', (g) => metrics.messagesGathered(g.size));
  registerCsrfCheck(app, config.publicUrl);
  registerAuth(app, deps.db);
  app.server.headersTimeout = config.headersTimeoutMs;
  const uploadLimits = registerUploadLimits(app, {
    maxConcurrentUploads: config.maxConcurrentUploads,
    uploadsPerVisitor: config.uploadsPerVisitor,
    uploadRequestTimeoutMs: config.uploadTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    uploadIdleTimeoutMs: config.uploadIdleTimeoutMs,
  });
  // A 2xx to a request that may have changed data means "on disk", power cuts included (db/wal-flush.ts).
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode < 400 && !READ_ONLY_METHODS.has(request.method)) await dbHandle.flush();
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!request.url.startsWith('/widget')) reply.header('x-frame-options', 'SAMEORIGIN');
    if (opts.worker) reply.header('x-parley-worker', String(opts.worker));
  });

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
    await attempt('database', () => pingDatabase(deps.db));
    await attempt('storage', () => storage.check());
    if (deps.scanner) await attempt('scanner', () => deps.scanner!.ping());
    if (config.redisUrl) {
      // The adapter's own link: while it is down this node serves only its own sockets, so it is not ready.
      await attempt('redis', async () => {
        if (!realtimeServer?.redisReady()) throw new Error('redis is unreachable');
      });
    }
    // Not ready until the first start's owner and Default workspace exist (they are made just after listening).
    checks.bootstrap = bootstrapped ? 'ok' : 'starting';
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
    // A front end's folder without its slash (/admin) is sent to its slash here, not by @fastify/static: its handler
    // redirects without returning the reply, and with our asynchronous onSend hooks Fastify then sent the answer a
    // second time — a 301 to the browser, but an error and a 500 in the request log for every such visit.
    for (const entry of fs.readdirSync(webDist, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      app.get(`/${entry.name}`, { schema: { hide: true } }, async (request, reply) => {
        const query = request.url.indexOf('?');
        return reply.redirect(`/${entry.name}/${query === -1 ? '' : request.url.slice(query)}`, 301);
      });
    }
    await app.register(fastifyStatic, {
      root: webDist,
      prefix: '/',
      index: ['index.html'],
      redirect: true,
      wildcard: true,
      cacheControl: true,
      maxAge: 0,
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>Parley</title><h1>Parley</h1><p>The web front ends are not built: run <code>npm run build:web</code>.</p><ul><li><a href="/console/">Agent console</a></li><li><a href="/admin/">Admin</a></li></ul>',
        ),
    );
  }

  let listening = false;
  let bootstrapped = false;
  let metricsServer: Server | undefined;
  const parley: ParleyApp = {
    app,
    deps,
    bootstrapResult: { created: false },
    async listen() {
      await app.ready();
      realtimeServer = await createSocketServer(app.server, {
        db: deps.db,
        log,
        redisUrl: config.redisUrl,
        limits: {
          eventsPerSecond: config.socketEventsPerSecond,
          recheckEveryMs: config.socketRecheckMs,
          failedHandshakesPerMinute: config.socketFailedHandshakesPerMinute,
          socketsPerClient: config.socketsPerClient,
        },
        trustProxy: trustFunction(config.trustProxy),
        publicUrl: config.publicUrl,
        missedMessages: async (chatId, afterId, side) => {
          const rows = await chatsRepo.messagesAfter(deps.db, chatId, afterId, 500);
          if (!rows) return undefined;
          return messageViews(deps.db, rows, side === 'visitor' ? visitorAudience(deps) : { kind: 'staff' });
        },
      });
      if (opts.worker) {
        // The primary hands over connections (sticky for Socket.IO); this process listens only on a private
        // loopback port of its own, which keeps Node's HTTP timeouts and Fastify's close working as usual.
        const { setupWorker } = await import('@socket.io/sticky');
        setupWorker(realtimeServer.io);
        await app.listen({ port: 0, host: '127.0.0.1', exclusive: true });
      } else {
        await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
        const bound = app.server.address();
        if (typeof bound === 'object' && bound) noteListeningPort(config, bound.port);
      }
      listening = true;
      if (config.metricsPort) {
        metricsServer = await listenMetrics(metrics, config.metricsPort, config.host).catch((err: Error) => {
          const message = `PARLEY_METRICS_PORT: cannot listen on ${config.metricsPort} (${err.message})`;
          throw Object.assign(new Error(message), { variable: 'PARLEY_METRICS_PORT' });
        });
      }
      parley.bootstrapResult = await bootstrap(deps.db, {
        adminEmail: config.adminEmail,
        adminPassword: config.adminPassword,
      });
      bootstrapped = true;
      if (config.backgroundWorkers) workers.start();
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr && !opts.worker ? addr.port : config.port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    idle: () => untilQuiet(events, workers),
    async close() {
      await events.settled();
      await workers.stop();
      await previewPool(config)?.close();
      if (realtimeServer) await realtimeServer.close();
      if (listening || !realtimeServer) await app.close().catch(() => {});
      if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
      await dbHandle.close();
    },
  };
  return parley;
}
