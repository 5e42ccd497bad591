// `parley start --workers N` (PARLEY_WORKERS): N server processes on this machine behind one port, so a node uses
// every core. This process (the primary) owns the port and serves nothing itself: it reads the request line of each
// new connection, picks a worker and hands the connection over (the socket itself, not its bytes). A Socket.IO
// request that names its session (`sid=`, HTTP long-polling and the upgrade to a WebSocket) goes to the worker that
// holds that session (sticky sessions); a new Socket.IO session to the worker with the fewest; anything else in turn.
// Workers are the ordinary server (main.ts) with @socket.io/sticky's setupWorker: it takes the handed-over
// connections, tells the primary which sessions it holds, and answers `Connection: close`, so that a browser never
// sends one worker's session over a kept-alive connection that belongs to another.
//
// Why not @socket.io/sticky's own primary: from 2.0 it relays every request that has a body through the primary
// over IPC (bytes in, bytes out), so uploads would cross two processes. Here the primary stops reading as soon as
// it has the request line, and the body is read by the worker from the socket it was handed.
//
// The first worker starts alone (migrations, the first start's owner and its password, printed once by it); the
// others start when it is ready. A worker that dies is started again, after a pause that doubles while it keeps
// dying (100 ms to 30 s). SIGTERM/SIGINT: stop accepting, stop every worker gracefully, exit.
import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { serveClusterMetrics } from './metrics/cluster.js';

/** The worker's slot (1..N) in its environment: stays the same when a worker is started again. */
export const WORKER_SLOT_ENV = 'PARLEY_WORKER_SLOT';
/** The message a worker sends once it serves. */
export const READY = 'parley:ready';

const SID = /[?&]sid=([\w-]{20})(?:[&\s]|$)/;
const MAX_REQUEST_LINE = 16 * 1024;
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 30_000;
/** A worker that ran this long before dying is restarted at the shortest pause again. */
const STABLE_MS = 60_000;

interface Slot {
  n: number;
  worker?: Worker;
  ready: boolean;
  startedAt: number;
  sockets: number;
  crashes: number;
  restart?: NodeJS.Timeout;
}

/**
 * Which worker holds which Socket.IO session, as the workers report them over IPC. A request naming a session not
 * known yet waits a moment for its report: the report travels over IPC while the handshake's answer travels over TCP,
 * and on a loaded machine the client's next request (a new connection, `Connection: close`) can reach the primary
 * first — sent to another worker, it was answered 400 "Session ID unknown" (found by a loaded test run).
 */
export class SessionTable<T> {
  private readonly owners = new Map<string, T>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private waiting = 0;
  constructor(
    private readonly waitMs = 2000,
    /** Past this many requests waiting at once (random sids), the next ones do not wait. */
    private readonly maxWaiting = 10_000,
  ) {}

  set(sid: string, owner: T) {
    this.owners.set(sid, owner);
    for (const wake of this.waiters.get(sid) ?? []) wake();
  }
  /** Forgets a session (only if `owner` still holds it, when given). */
  delete(sid: string, owner?: T) {
    if (owner === undefined || this.owners.get(sid) === owner) this.owners.delete(sid);
  }
  deleteOwner(owner: T) {
    for (const [sid, o] of this.owners) if (o === owner) this.owners.delete(sid);
  }
  /** The session's owner, waiting up to waitMs for its report; undefined when none comes (an expired session). */
  async ownerOf(sid: string): Promise<T | undefined> {
    const known = this.owners.get(sid);
    if (known !== undefined || this.waiting >= this.maxWaiting) return known;
    this.waiting += 1;
    const set = this.waiters.get(sid) ?? new Set();
    this.waiters.set(sid, set);
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(sid);
        resolve();
      };
      const timer = setTimeout(wake, this.waitMs);
      set.add(wake);
    });
    this.waiting -= 1;
    return this.owners.get(sid);
  }
}

interface Internals {
  _handle?: { reading?: boolean; readStop(): number } | null;
  _read: (size: number) => void;
}

/** No more bytes are read from the socket in this process: the rest waits in the kernel for the worker. */
function stopReading(socket: net.Socket) {
  socket.pause();
  const internals = socket as unknown as Internals;
  // The stream would start reading again on its own (read-ahead); a no-op _read keeps it from asking.
  internals._read = () => {};
  const handle = internals._handle;
  if (handle?.reading) {
    handle.reading = false;
    handle.readStop();
  }
}

export function listenError(config: Config, err: NodeJS.ErrnoException & { variable?: string }): string {
  return err.code === 'EADDRINUSE'
    ? `PORT: ${config.port} is already in use`
    : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
      ? `HOST: cannot listen on ${config.host} (${err.code})`
      : err.variable
        ? err.message
        : `cannot listen: ${err.message}`;
}

export async function runPrimary(config: Config, log: Logger, fatal: (msg: string) => void): Promise<void> {
  // Handed-over connections carry their first bytes as a Buffer: the structured-clone channel keeps it one.
  cluster.setupPrimary({ serialization: 'advanced' });
  const slots: Slot[] = Array.from({ length: config.workers }, (_, i) => ({
    n: i + 1,
    ready: false,
    startedAt: 0,
    sockets: 0,
    crashes: 0,
  }));
  const slotOf = new Map<Worker, Slot>();
  serveClusterMetrics();
  const sessions = new SessionTable<Slot>();
  let stopping = false;
  let started = false;
  let turn = 0;

  const readySlots = () => slots.filter((s) => s.ready && s.worker?.isConnected());
  const pick = async (requestLine: string): Promise<Slot | undefined> => {
    const sid = SID.exec(requestLine)?.[1];
    const owner = sid ? await sessions.ownerOf(sid) : undefined;
    if (owner?.ready) return owner;
    const candidates = readySlots();
    if (candidates.length === 0) return undefined;
    turn = (turn + 1) % candidates.length;
    const next = candidates[turn]!;
    if (!requestLine.includes(' /socket.io/')) return next;
    // A new realtime session: the worker with the fewest, the turn breaking ties.
    return candidates.reduce((best, s) => (s.sockets < best.sockets ? s : best), next);
  };

  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    let head: Buffer | undefined;
    socket.on('error', () => socket.destroy());
    socket.setTimeout(config.headersTimeoutMs, () => socket.destroy());
    const onData = async (chunk: Buffer) => {
      head = head ? Buffer.concat([head, chunk]) : chunk;
      const eol = head.indexOf('\r\n');
      if (eol === -1 && head.length < MAX_REQUEST_LINE) return;
      stopReading(socket);
      socket.off('data', onData);
      socket.setTimeout(0);
      const slot = await pick(head.subarray(0, eol === -1 ? head.length : eol).toString('latin1'));
      if (socket.destroyed) return;
      if (!slot?.worker) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      // The message type is the one @socket.io/sticky's setupWorker takes: it replays `data` before the rest.
      slot.worker.send({ type: 'sticky:connection', data: head }, socket, (err: Error | null) => {
        if (err) socket.destroy();
      });
    };
    socket.on('data', onData);
    socket.resume(); // pauseOnConnect leaves the stream paused until asked
  });

  const start = (slot: Slot) => {
    slot.restart = undefined;
    slot.ready = false;
    slot.sockets = 0;
    slot.startedAt = Date.now();
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot.n) });
    slot.worker = worker;
    slotOf.set(worker, slot);
    return worker;
  };
  const waitReady = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (msg: { type?: string }) => {
        if (msg?.type !== READY) return;
        worker.off('exit', onExit);
        worker.off('message', onMessage);
        resolve();
      };
      const onExit = (code: number | null, signal: string | null) => {
        worker.off('message', onMessage);
        reject(Object.assign(new Error(`a worker exited while starting (${signal ?? `code ${code}`})`), { code }));
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });

  cluster.on('message', (worker, msg: { type?: string; data?: unknown }) => {
    const slot = slotOf.get(worker);
    if (!slot) return;
    if (msg?.type === READY) {
      slot.ready = true;
      if (started) log.info({ worker: slot.n, pid: worker.process.pid }, 'worker serving again');
    } else if (msg?.type === 'sticky:connection' && typeof msg.data === 'string') {
      sessions.set(msg.data, slot);
      slot.sockets += 1;
    } else if (msg?.type === 'sticky:disconnection' && typeof msg.data === 'string') {
      sessions.delete(msg.data, slot);
      slot.sockets = Math.max(0, slot.sockets - 1);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    const slot = slotOf.get(worker);
    slotOf.delete(worker);
    if (!slot || slot.worker !== worker) return;
    slot.worker = undefined;
    slot.ready = false;
    sessions.deleteOwner(slot);
    if (stopping || !started) return;
    slot.crashes = Date.now() - slot.startedAt >= STABLE_MS ? 1 : slot.crashes + 1;
    const pause = Math.min(RESTART_MIN_MS * 2 ** (slot.crashes - 1), RESTART_MAX_MS);
    log.error({ worker: slot.n, pid: worker.process.pid, code, signal, restartInMs: pause }, 'worker exited');
    slot.restart = setTimeout(() => {
      if (!stopping) start(slot);
    }, pause);
  });

  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    for (const slot of slots) if (slot.restart) clearTimeout(slot.restart);
    const alive = slots.flatMap((s) => (s.worker && !s.worker.isDead() ? [s.worker] : []));
    const exited = alive.map((w) => new Promise((resolve) => w.once('exit', resolve)));
    for (const worker of alive) worker.process.kill('SIGTERM');
    // Each worker forces its own exit after 10 s; this is the backstop.
    const force = setTimeout(() => {
      for (const worker of alive) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, 15_000);
    await Promise.all(exited);
    clearTimeout(force);
    log.info({ signal }, 'stopped');
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: config.port, host: config.host, backlog: config.listenBacklog }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    fatal(listenError(config, err as NodeJS.ErrnoException));
    process.exit(1);
  }
  server.on('error', (err) => log.error({ err }, 'listen socket error'));

  try {
    // The first worker alone: it migrates the database and makes the first start's owner (printing its password).
    await waitReady(start(slots[0]!));
    await Promise.all(slots.slice(1).map((slot) => waitReady(start(slot))));
  } catch (err) {
    fatal(`cannot start: ${(err as Error).message}`);
    await stop('start-up failed', 1);
    return;
  }
  started = true;
  const addr = server.address() as net.AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${addr.port}`;
  const announce = log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' });
  announce.info(
    { url, workers: config.workers },
    `Parley is running on ${url} with ${config.workers} workers ` +
      `(demo: ${url}/ console: ${url}/console/ admin: ${url}/admin/)`,
  );
}
