// The environment → one typed, frozen Config. The only module that reads process.env.
// A bad value throws ConfigError naming the variable; main.ts prints that one line and exits.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import proxyAddr from '@fastify/proxy-addr';
import { emailProblem } from './email.js';

export class ConfigError extends Error {
  constructor(
    public readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export interface S3StorageConfig {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Hot statements go out named (prepared) on PostgreSQL (db/prepared.ts); off for a pooler in transaction mode. */
  pgPreparedStatements: boolean;
  redisUrl?: string;
  storage: 'local' | 's3';
  s3?: S3StorageConfig;
  adminEmail?: string;
  adminPassword?: string;
  publicUrl: string;
  allowPrivateCallbacks: boolean;
  maxUploadMb: number;
  secretKey?: string;
  logLevel: string;
  /** V8 tuning applied by src/preflight.ts before start-up: favour memory (default) or peak speed. */
  optimizeFor: 'size' | 'speed';
  /** MiB V8's old-generation limit is kept above a small live heap (src/heap-headroom.ts); 0: V8's own factor. */
  heapHeadroomMb: number;
  /** Upload rate limits per visitor. */
  visitorFilesPerMinute: number;
  /** Text messages one visitor may send per minute on one node (bursts of half that); 429 RATE_LIMITED past it. */
  visitorMessagesPerMinute: number;
  visitorBytesPerHour: number;
  /** Delivery retry schedule in seconds (Standard Webhooks-like). */
  deliveryScheduleSeconds: number[];
  deliveryPollMs: number;
  /** How long a node holds a claimed delivery before another may take it (extended while sending). */
  deliveryLeaseSeconds: number;
  /** The job runner (src/jobs/): how often it looks for due jobs, and how long a claimed job is held. */
  jobPollMs: number;
  jobLeaseSeconds: number;
  /** false: this node serves HTTP and sockets only and leaves jobs and deliveries to nodes where it is true. */
  backgroundWorkers: boolean;
  /** Base time a callback receiver has to answer; one more second per MB of file is added. */
  callbackTimeoutMs: number;
  signedUrlTtlSeconds: number;
  /** Sign-in attempts per 15 minutes: per IP and email, per IP, and per email from everywhere. */
  loginAttemptsPerWindow: number;
  loginAttemptsPerIp: number;
  loginAttemptsPerEmail: number;
  /** New visitor sessions (each a chat in the agents' queue) per hour: per IP and per widget key. */
  visitorSessionsPerIpHour: number;
  visitorSessionsPerWidgetHour: number;
  /** Client events per second one socket may send (typing, sync); far past it the socket is cut. */
  socketEventsPerSecond: number;
  /** Failed socket handshakes per client address and minute before its handshakes are refused for a minute. */
  socketFailedHandshakesPerMinute: number;
  /** Every open socket's credential is checked again this often (changes made outside a running node). */
  socketRecheckMs: number;
  /** Sockets one visitor, user or API token may hold open on one node at once (tabs of one person share it). */
  socketsPerClient: number;
  /** The listen socket's accept queue (capped at net.core.somaxconn): where a burst of connections waits. */
  listenBacklog: number;
  /** Connection limits: a body (or any connection) that stops moving for this long is cut; an upload may take at
   * most uploadTimeoutMs, another request's body requestTimeoutMs; headers must arrive within headersTimeoutMs. */
  uploadIdleTimeoutMs: number;
  uploadTimeoutMs: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Uploads in progress at once on one node, and per visitor (on one node). */
  maxConcurrentUploads: number;
  uploadsPerVisitor: number;
  /** Stored bytes no file row holds are removed once older than this (a put commits its row within it). */
  orphanAgeMs: number;
  /**
   * PARLEY_TRUST_PROXY: whose X-Forwarded-For is believed (http/client-address.ts). false: nobody's; true: every
   * hop's; or the proxies' addresses, CIDR ranges and `loopback` / `linklocal` / `uniquelocal`.
   */
  trustProxy: TrustProxy;
  /** Unfinished resumable (tus) uploads older than this are removed, bytes and all. */
  uploadExpiryHours: number;
  /** clamd (PARLEY_CLAMAV): where it listens, the largest stream it takes (its StreamMaxLength) and how long a scan may take. */
  clamav?: ClamavConfig;
  /** Thumbnail and preview workers: how many at once, and each one's memory and time limits. */
  previewWorkers: number;
  previewMemoryMb: number;
  previewTimeoutMs: number;
  /** A preview worker is replaced after this many jobs, or when its RSS passes this; it exits when idle this long. */
  previewMaxJobs: number;
  previewRecycleRssMb: number;
  previewIdleMs: number;
  /** Niceness added to the preview workers (PARLEY_PREVIEW_NICE): background work yields to requests. */
  previewNice: number;
  /** GET /metrics needs `Authorization: Bearer <token>`; without it (and without metricsPort) /metrics is off. */
  metricsToken?: string;
  /** Server processes behind the one port (src/cluster.ts); 1 = this process serves. */
  workers: number;
  /** Serve /metrics on this separate port (same HOST) instead, without a token. */
  metricsPort?: number;
  /** Debugging memory: SIGUSR2 writes a V8 heap snapshot into this folder (off unless set). */
  heapSnapshotsDir?: string;
}

export interface ClamavConfig {
  address: { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };
  maxStreamBytes: number;
  timeoutMs: number;
}

function clamav(env: Env): ClamavConfig | undefined {
  const raw = env.PARLEY_CLAMAV?.trim();
  if (!raw) return undefined;
  let address: ClamavConfig['address'];
  if (raw.startsWith('unix:')) {
    const p = raw.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!p.startsWith('/'))
      throw new ConfigError('PARLEY_CLAMAV', `expected unix:/absolute/path/clamd.ctl, got "${raw}"`);
    address = { kind: 'unix', path: p };
  } else {
    const m = raw.match(/^tcp:\/\/([^/:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
      throw new ConfigError('PARLEY_CLAMAV', `expected tcp://host:3310 or unix:/path/clamd.ctl, got "${raw}"`);
    address = { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }
  return {
    address,
    maxStreamBytes: int(env, 'PARLEY_CLAMAV_STREAM_MAX_KB', 25 * 1024, 1) * 1024,
    timeoutMs: int(env, 'PARLEY_CLAMAV_TIMEOUT_MS', 120_000, 100),
  };
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(name, `expected a number from ${min} to ${max}, got ${n}`);
  return n;
}

/** A positive number, fractions allowed (tests expire uploads after seconds: 0.001 hours). */
function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0))
    throw new ConfigError(name, `expected a positive number, got "${raw}"`);
  return n;
}

export type TrustProxy = boolean | string[];

const TRUST_PROXY_ACCEPTS =
  'expected true, false, or the proxies as a comma-separated list of addresses, CIDR ranges ' +
  'and loopback / linklocal / uniquelocal';

/** true / false as for any switch, or a comma-separated list of proxy addresses, CIDR ranges and named ranges. */
function trustProxy(env: Env, name: string): TrustProxy {
  const raw = env[name]?.trim() ?? '';
  if (!/[.:]|loopback|linklocal|uniquelocal/i.test(raw)) {
    // Neither a switch nor a list: the answer names both forms, not only the switch's.
    try {
      return bool(env, name, false);
    } catch {
      throw new ConfigError(name, `${TRUST_PROXY_ACCEPTS}, got "${env[name]}"`);
    }
  }
  const list = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(list);
  } catch (err) {
    throw new ConfigError(name, `${TRUST_PROXY_ACCEPTS}: ${(err as Error).message}`);
  }
  return list;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
  }
  return raw;
}

/**
 * PARLEY_WORKERS (or `parley start --workers N`): server processes on this machine behind one port. More than one
 * needs PostgreSQL and Redis: SQLite is one process's file, and the workers' sockets reach each other only through
 * the Redis adapter. Default: every core when both are set, else 1.
 */
function workersOf(env: Env): number {
  const shared = !!env.DATABASE_URL?.trim() && !!env.REDIS_URL?.trim();
  const workers = int(env, 'PARLEY_WORKERS', shared ? os.availableParallelism() : 1, 1, 256);
  if (workers > 1 && !shared)
    throw new ConfigError(
      'PARLEY_WORKERS',
      `${workers} workers need DATABASE_URL (PostgreSQL) and REDIS_URL (the workers' realtime link); ` +
        'with SQLite run 1 worker',
    );
  return workers;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MIN_SECRET_KEY_LENGTH = 32;

/** An IP address, or a host name made of valid labels; all-numeric dotted names must be real IPv4 addresses. */
function hostOf(env: Env): string {
  const raw = env.HOST?.trim() || '127.0.0.1';
  if (net.isIP(raw)) return raw;
  const labels = raw.split('.');
  const hostname = labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l)) && raw.length <= 253;
  if (!hostname || labels.every((l) => /^\d+$/.test(l)))
    throw new ConfigError('HOST', `expected an IP address or a host name, got "${raw}"`);
  return raw;
}

function secretKeyOf(env: Env): string | undefined {
  const raw = env.PARLEY_SECRET_KEY;
  if (raw === undefined || raw === '') return undefined;
  // It encrypts integration secrets and signs download URLs: a short or repetitive key is guessable offline.
  if (raw.length < MIN_SECRET_KEY_LENGTH || new Set(raw).size < 8)
    throw new ConfigError(
      'PARLEY_SECRET_KEY',
      `too weak: use at least ${MIN_SECRET_KEY_LENGTH} random characters (e.g. openssl rand -base64 32)`,
    );
  return raw;
}

function adminEmail(env: Env): string | undefined {
  const raw = env.PARLEY_ADMIN_EMAIL?.trim();
  if (!raw) return undefined;
  // The same rule as an invitation's and `parley create-admin --email`: the owner could not sign in otherwise.
  const problem = emailProblem(raw.toLowerCase());
  if (problem) throw new ConfigError('PARLEY_ADMIN_EMAIL', `${problem}; got "${raw}"`);
  return raw;
}

function adminPassword(env: Env): string | undefined {
  const raw = env.PARLEY_ADMIN_PASSWORD;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 8) throw new ConfigError('PARLEY_ADMIN_PASSWORD', 'must be at least 8 characters');
  return raw;
}

function metricsToken(env: Env): string | undefined {
  const raw = env.PARLEY_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16) throw new ConfigError('PARLEY_METRICS_TOKEN', 'must be at least 16 characters');
  return raw;
}

function logLevelOf(env: Env): string {
  const raw = env.LOG_LEVEL?.trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(raw))
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return raw;
}

function optimizeForOf(env: Env): 'size' | 'speed' {
  const raw = env.PARLEY_OPTIMIZE_FOR?.trim().toLowerCase() || 'size';
  if (raw !== 'size' && raw !== 'speed')
    throw new ConfigError('PARLEY_OPTIMIZE_FOR', `expected "size" (the default) or "speed", got "${raw}"`);
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = hostOf(env);
  const dataDir = path.resolve(env.PARLEY_DATA_DIR?.trim() || './data');
  const storageRaw = (env.PARLEY_STORAGE?.trim() || 'local').toLowerCase();
  if (storageRaw !== 'local' && storageRaw !== 's3') {
    throw new ConfigError('PARLEY_STORAGE', `expected "local" or "s3", got "${env.PARLEY_STORAGE}"`);
  }
  let s3: S3StorageConfig | undefined;
  if (storageRaw === 's3') {
    const bucket = env.PARLEY_S3_BUCKET?.trim();
    if (!bucket) throw new ConfigError('PARLEY_S3_BUCKET', 'required when PARLEY_STORAGE=s3');
    s3 = {
      bucket,
      region: env.PARLEY_S3_REGION?.trim() || 'us-east-1',
      endpoint: url(env, 'PARLEY_S3_ENDPOINT', ['http:', 'https:']),
      forcePathStyle: bool(env, 'PARLEY_S3_FORCE_PATH_STYLE', false),
      accessKeyId: env.PARLEY_S3_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.PARLEY_S3_SECRET_ACCESS_KEY || undefined,
    };
  }
  const schedule = (env.PARLEY_DELIVERY_SCHEDULE ?? '5,300,1800,7200,18000,36000,36000')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (schedule.length === 0 || schedule.some((s) => !/^\d+(\.\d+)?$/.test(s))) {
    throw new ConfigError('PARLEY_DELIVERY_SCHEDULE', 'expected comma-separated seconds, e.g. "5,300,1800"');
  }
  const givenPublicUrl = url(env, 'PARLEY_PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, '');
  const ownUrl = (p: number) => `http://${host.includes(':') ? `[${host}]` : host}:${p}`;
  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    pgPreparedStatements: bool(env, 'PARLEY_PG_PREPARED_STATEMENTS', true),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    storage: storageRaw,
    s3,
    adminEmail: adminEmail(env),
    adminPassword: adminPassword(env),
    publicUrl: givenPublicUrl ?? ownUrl(port),
    allowPrivateCallbacks: bool(env, 'PARLEY_ALLOW_PRIVATE_CALLBACKS', false),
    maxUploadMb: int(env, 'PARLEY_MAX_UPLOAD_MB', 1024, 1, 1024 * 1024),
    secretKey: secretKeyOf(env),
    logLevel: logLevelOf(env),
    optimizeFor: optimizeForOf(env),
    heapHeadroomMb: int(env, 'PARLEY_HEAP_HEADROOM_MB', 64, 0, 1024),
    visitorFilesPerMinute: int(env, 'PARLEY_VISITOR_FILES_PER_MINUTE', 30, 1),
    visitorMessagesPerMinute: int(env, 'PARLEY_VISITOR_MESSAGES_PER_MINUTE', 60, 1),
    visitorBytesPerHour: int(env, 'PARLEY_VISITOR_MB_PER_HOUR', 2048, 1) * 1024 * 1024,
    deliveryScheduleSeconds: schedule.map(Number),
    deliveryPollMs: int(env, 'PARLEY_DELIVERY_POLL_MS', 1000, 10),
    deliveryLeaseSeconds: int(env, 'PARLEY_DELIVERY_LEASE_SECONDS', 120, 1),
    jobPollMs: int(env, 'PARLEY_JOB_POLL_MS', 1000, 10),
    jobLeaseSeconds: int(env, 'PARLEY_JOB_LEASE_SECONDS', 120, 1),
    backgroundWorkers: bool(env, 'PARLEY_BACKGROUND_WORKERS', true),
    callbackTimeoutMs: int(env, 'PARLEY_CALLBACK_TIMEOUT_MS', 30_000, 100),
    signedUrlTtlSeconds: int(env, 'PARLEY_SIGNED_URL_TTL_SECONDS', 3600, 1),
    loginAttemptsPerWindow: int(env, 'PARLEY_LOGIN_ATTEMPTS', 10, 1),
    loginAttemptsPerIp: int(env, 'PARLEY_LOGIN_ATTEMPTS_PER_IP', 50, 1),
    loginAttemptsPerEmail: int(env, 'PARLEY_LOGIN_ATTEMPTS_PER_EMAIL', 200, 1),
    visitorSessionsPerIpHour: int(env, 'PARLEY_VISITOR_SESSIONS_PER_IP_HOUR', 100, 1),
    visitorSessionsPerWidgetHour: int(env, 'PARLEY_VISITOR_SESSIONS_PER_WIDGET_HOUR', 5000, 1),
    socketEventsPerSecond: int(env, 'PARLEY_SOCKET_EVENTS_PER_S', 10, 1, 10_000),
    socketFailedHandshakesPerMinute: int(env, 'PARLEY_SOCKET_FAILED_HANDSHAKES_PER_MIN', 30, 1, 1_000_000),
    socketRecheckMs: int(env, 'PARLEY_SOCKET_RECHECK_S', 300, 1) * 1000,
    socketsPerClient: int(env, 'PARLEY_SOCKETS_PER_CLIENT', 30, 1, 100_000),
    // Node's default, 511, overflowed under a burst of 1,000 connections: a SYN retransmit (1 s+) each (issue 18).
    listenBacklog: int(env, 'PARLEY_LISTEN_BACKLOG', 4096, 1, 65_535),
    uploadIdleTimeoutMs: int(env, 'PARLEY_UPLOAD_IDLE_TIMEOUT_S', 60, 1) * 1000,
    uploadTimeoutMs: int(env, 'PARLEY_UPLOAD_TIMEOUT_S', 3600, 1) * 1000,
    requestTimeoutMs: int(env, 'PARLEY_REQUEST_TIMEOUT_S', 30, 1) * 1000,
    headersTimeoutMs: int(env, 'PARLEY_HEADERS_TIMEOUT_S', 30, 1) * 1000,
    keepAliveTimeoutMs: int(env, 'PARLEY_KEEP_ALIVE_TIMEOUT_S', 5, 1) * 1000,
    maxConcurrentUploads: int(env, 'PARLEY_MAX_CONCURRENT_UPLOADS', 200, 1),
    uploadsPerVisitor: int(env, 'PARLEY_UPLOADS_PER_VISITOR', 4, 1),
    orphanAgeMs: int(env, 'PARLEY_ORPHAN_AGE_S', 3600, 1) * 1000,
    trustProxy: trustProxy(env, 'PARLEY_TRUST_PROXY'),
    uploadExpiryHours: positiveNumber(env, 'PARLEY_UPLOAD_EXPIRY_HOURS', 24),
    clamav: clamav(env),
    previewWorkers: int(env, 'PARLEY_PREVIEW_WORKERS', 2, 1, 64),
    previewMemoryMb: int(env, 'PARLEY_PREVIEW_MEMORY_MB', 512, 32),
    previewTimeoutMs: int(env, 'PARLEY_PREVIEW_TIMEOUT_MS', 20_000, 100),
    previewMaxJobs: int(env, 'PARLEY_PREVIEW_MAX_JOBS', 200, 1),
    previewRecycleRssMb: int(env, 'PARLEY_PREVIEW_RECYCLE_RSS_MB', 256, 32),
    previewIdleMs: int(env, 'PARLEY_PREVIEW_IDLE_S', 30, 1) * 1000,
    previewNice: int(env, 'PARLEY_PREVIEW_NICE', 5, 0, 19),
    metricsToken: metricsToken(env),
    heapSnapshotsDir: env.PARLEY_HEAP_SNAPSHOTS_DIR?.trim()
      ? path.resolve(env.PARLEY_HEAP_SNAPSHOTS_DIR.trim())
      : undefined,
    metricsPort: env.PARLEY_METRICS_PORT ? int(env, 'PARLEY_METRICS_PORT', 0, 1, 65535) : undefined,
    workers: workersOf(env),
  };
  // PORT=0 listens on a free port the system picks: until PARLEY_PUBLIC_URL says otherwise, the public URL (embed
  // snippet, invitation links) is the one the server got (noteListeningPort), not ":0".
  if (givenPublicUrl === undefined && port === 0) {
    let bound = 0;
    Object.defineProperty(config, 'publicUrl', { enumerable: true, get: () => ownUrl(bound) });
    boundPort.set(config, (p) => {
      bound = p;
    });
  }
  return Object.freeze(config);
}

const boundPort = new WeakMap<Config, (port: number) => void>();

/** The port the server listens on, once it does: the public URL follows it when PORT=0 and none was given. */
export function noteListeningPort(config: Config, port: number): void {
  boundPort.get(config)?.(port);
}
