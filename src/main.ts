// Entry point of the server (`npm start`, `parley start`): read the config, build the app, listen, shut down
// gracefully on SIGTERM/SIGINT. Every log line is one JSON object on stdout (pino); a configuration or connection
// problem is one JSON line on stderr naming the variable. The owner's generated password is never logged: it goes
// to stderr as a single `PARLEY-PASSWORD …` line, and only after the server listens (so a busy port cannot lose it).
// With PARLEY_WORKERS > 1 this process becomes the primary of src/cluster.ts and each worker runs runServer too.
import { startedUp } from './preflight.js'; // first: V8 settings before anything allocates
import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { READY, WORKER_SLOT_ENV, listenError, runPrimary } from './cluster.js';

const mib = (bytes: number) => Math.round(bytes / 1048576);

/** One structured line on stderr for the failures that happen before (or instead of) the logger. */
function fatal(msg: string): void {
  process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), msg: `parley: ${msg}` })}\n`);
}

export async function runServer(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      fatal(`configuration error: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  // PARLEY_WORKERS > 1: this process is the primary (src/cluster.ts) and never loads the app.
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, pino({ level: config.logLevel }), fatal);
  const worker = cluster.isWorker ? Number(process.env[WORKER_SLOT_ENV]) || cluster.worker!.id : undefined;
  const root = pino({ level: config.logLevel });
  const log = worker ? root.child({ worker }) : root;
  let parley;
  try {
    const { createApp } = await import('./app.js');
    parley = await createApp(config, { logger: log, worker });
  } catch (err) {
    fatal(`cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  let url: string;
  try {
    url = await parley.listen();
  } catch (err) {
    fatal(listenError(config, err as NodeJS.ErrnoException & { variable?: string }));
    await parley.close().catch(() => {});
    process.exit(1);
  }
  // Start-up is over: the young generation may grow with the load from here on (preflight.ts).
  startedUp((c) =>
    log.info(
      { rssBeforeMiB: mib(c.rssBefore), rssAfterMiB: mib(c.rssAfter), ms: Math.round(c.ms), trimmed: c.trimmed },
      'memory given back after a burst',
    ),
  );
  const { bootstrapResult } = parley;
  if (bootstrapResult.created) {
    log.info({ email: bootstrapResult.email }, 'created the owner admin and the Default workspace');
    if (bootstrapResult.generatedPassword) {
      // Printed once, on first start only, and outside the structured logs (which go to collectors).
      process.stderr.write(
        `PARLEY-PASSWORD email=${bootstrapResult.email} password=${bootstrapResult.generatedPassword} ` +
          '(generated on first start and shown once; `parley reset-password <email>` sets a new one)\n',
      );
    }
  }
  if (worker) {
    // The primary announces the address once every worker is ready.
    // Its log line is written first (pino writes asynchronously), so "worker ready" never follows the primary's
    // "Parley is running" line: supervisors and tests that read the workers' lines at the announcement find them.
    log.info('worker ready');
    log.flush(() => process.send?.({ type: READY }));
  } else {
    // The address is always logged, whatever LOG_LEVEL says: operators (and process supervisors) need it at `warn` too.
    const announce = log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' });
    announce.info({ url }, `Parley is running on ${url} (demo: ${url}/ console: ${url}/console/ admin: ${url}/admin/)`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await parley.close();
    log.info({ signal }, 'stopped');
    process.exit(0);
  };
  if (config.heapSnapshotsDir) watchHeapSnapshots(config.heapSnapshotsDir, log);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

// `node dist/main.js` runs the server; the `parley` command imports runServer instead.
const entry = process.argv[1] ?? '';
if (/[\\/]main\.[jt]s$/.test(entry)) void runServer();

/**
 * PARLEY_HEAP_SNAPSHOTS_DIR (debugging, off by default): each SIGUSR2 writes a heap snapshot there, named by pid and a
 * counter; `npm run bench` diffs two of them to prove no per-upload object is retained. Writing one blocks the loop
 * for seconds and holds the heap's contents (secrets included): keep it off in production. The file appears under its
 * final name only when complete.
 */
function watchHeapSnapshots(dir: string, log: pino.Logger): void {
  let n = 0;
  process.on('SIGUSR2', () => {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `parley-${process.pid}-${++n}.heapsnapshot`);
      v8.writeHeapSnapshot(`${file}.part`);
      fs.renameSync(`${file}.part`, file);
      log.info({ file }, 'heap snapshot written');
    } catch (err) {
      log.error({ err }, 'heap snapshot failed');
    }
  });
}
