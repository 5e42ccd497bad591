// The environment → one typed, frozen Config. The only module that reads process.env.
// A bad value throws ConfigError naming the variable; main.ts prints that one line and exits.
import path from 'node:path';

export class ConfigError extends Error {
  constructor(public readonly variable: string, message: string) {
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
  /** Upload rate limits per visitor. */
  visitorFilesPerMinute: number;
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
  loginAttemptsPerWindow: number;
  trustProxy: boolean;
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

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
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
  const publicUrl = url(env, 'PARLEY_PUBLIC_URL', ['http:', 'https:']) ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    storage: storageRaw,
    s3,
    adminEmail: env.PARLEY_ADMIN_EMAIL?.trim() || undefined,
    adminPassword: env.PARLEY_ADMIN_PASSWORD || undefined,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    allowPrivateCallbacks: bool(env, 'PARLEY_ALLOW_PRIVATE_CALLBACKS', false),
    maxUploadMb: int(env, 'PARLEY_MAX_UPLOAD_MB', 1024, 1, 1024 * 1024),
    secretKey: env.PARLEY_SECRET_KEY || undefined,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    visitorFilesPerMinute: int(env, 'PARLEY_VISITOR_FILES_PER_MINUTE', 30, 1),
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
    trustProxy: bool(env, 'PARLEY_TRUST_PROXY', false),
  };
  return Object.freeze(config);
}
