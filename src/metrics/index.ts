// Prometheus metrics (prom-client) for one app: its own registry (two apps in one process never share counters),
// the process and event-loop defaults, counters the HTTP layer and the delivery worker move, and gauges read from
// the database at scrape time. Nothing here knows Fastify.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/index.js';
import type { PreviewPool } from '../previews/pool.js';
import { workerMetricsText } from './cluster.js';
import { metricsRepo } from './repo.js';

export interface Metrics {
  registry: Registry;
  /** The Prometheus text of a scrape: this process's, or under --workers the node's (metrics/cluster.ts). */
  text(): Promise<string>;
  uploadAccepted(side: string, files: number, bytes: number, seconds: number): void;
  uploadRefused(code: string, seconds: number): void;
  bytesOut(bytes: number): void;
  uploadCommitted(bytesRead: number): void;
  messagesGathered(size: number): void;
  deliveryAttempted(kind: string, outcome: 'succeeded' | 'failed', status: string, seconds: number): void;
}

/** Gauges read from the shared database: every worker reads the same figure, so a node's is one of them. */
const DATABASE_WIDE = 'max' as const;

/**
 * The interval of prom-client's event-loop monitor (ms). Its `nodejs_eventloop_lag_*` figures are the time between
 * the monitor's timer callbacks, so they include this interval: an idle loop reads ~20 ms (prom-client issue #370).
 */
export const EVENT_LOOP_RESOLUTION_MS = 20;

export function createMetrics(opts: {
  db: Db;
  openSockets: () => number;
  dbFlushes: () => number;
  dbCheckpoints: () => number;
  uploadsInProgress: () => number;
  /** This process's preview pool, once it exists. */
  previews?: () => PreviewPool | undefined;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
  const registers = [registry];
  const uploads = new Counter({
    name: 'parley_uploads_accepted_total',
    help: 'Upload requests accepted (201), by uploader side',
    labelNames: ['side'],
    registers,
  });
  const uploadedFiles = new Counter({
    name: 'parley_uploaded_files_total',
    help: 'Files stored by accepted uploads',
    registers,
  });
  const refused = new Counter({
    name: 'parley_uploads_refused_total',
    help: 'Upload requests refused, by error code',
    labelNames: ['code'],
    registers,
  });
  const bytesIn = new Counter({ name: 'parley_upload_bytes_total', help: 'Bytes of files accepted', registers });
  const bytesOut = new Counter({ name: 'parley_download_bytes_total', help: 'Bytes of files served', registers });
  const commitRead = new Counter({
    name: 'parley_resumable_commit_read_bytes_total',
    help: "Bytes resumable uploads' commits read back (only the head when the node hashed the bytes as they came)",
    registers,
  });
  const gathered = new Histogram({
    name: 'parley_visitor_messages_per_statement',
    help: 'PostgreSQL: visitor messages that arrived together and were inserted by one statement (2 or more)',
    buckets: [2, 4, 8, 16, 32, 64, 100],
    registers,
  });
  const uploadSeconds = new Histogram({
    name: 'parley_upload_duration_seconds',
    help: 'Upload request duration, accepted or refused',
    labelNames: ['result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600],
    registers,
  });
  const attempts = new Counter({
    name: 'parley_delivery_attempts_total',
    help: 'Delivery attempts by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const transitions = new Counter({
    name: 'parley_delivery_outcomes_total',
    help: 'Delivery status after each attempt (succeeded, failed = will retry, dead), by kind',
    labelNames: ['kind', 'status'],
    registers,
  });
  const attemptSeconds = new Histogram({
    name: 'parley_delivery_attempt_duration_seconds',
    help: 'Delivery attempt latency by kind',
    labelNames: ['kind'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  new Gauge({
    name: 'parley_deliveries',
    help: 'Deliveries in the database by kind and status',
    labelNames: ['kind', 'status'],
    registers,
    aggregator: DATABASE_WIDE,
    async collect() {
      this.reset();
      for (const row of await metricsRepo.deliveriesByStatus(opts.db)) {
        this.set({ kind: row.kind, status: row.status }, Number(row.n));
      }
    },
  });
  // Registered (so collected) before the age gauge: one pair of queries sets both.
  new Gauge({
    name: 'parley_queue_depth',
    help: 'Pending items: jobs queued, deliveries pending or failed (awaiting a retry)',
    labelNames: ['queue'],
    registers,
    aggregator: DATABASE_WIDE,
    async collect() {
      const now = new Date();
      const stats = {
        jobs: await metricsRepo.jobs(opts.db, now.toISOString()),
        deliveries: await metricsRepo.deliveries(opts.db, now.toISOString()),
      };
      for (const [queue, s] of Object.entries(stats)) {
        this.set({ queue }, s.depth);
        const age = s.oldestDue ? Math.max(0, (now.getTime() - Date.parse(s.oldestDue)) / 1000) : 0;
        oldest.set({ queue }, age);
      }
    },
  });
  const oldest = new Gauge({
    name: 'parley_queue_oldest_due_age_seconds',
    help: 'How long the oldest due item has waited past its due time (0 when none is due)',
    labelNames: ['queue'],
    registers,
    aggregator: DATABASE_WIDE,
  });
  new Counter({
    name: 'parley_db_flushes_total',
    help: 'fsyncs of the SQLite write-ahead log run before acknowledging writes (shared by concurrent requests)',
    registers,
    collect() {
      this.reset();
      this.inc(opts.dbFlushes());
    },
  });
  new Counter({
    name: 'parley_sqlite_checkpoints_total',
    help: 'Checkpoints of the SQLite write-ahead log run off the event loop (a worker thread) that copied pages',
    registers,
    collect() {
      this.reset();
      this.inc(opts.dbCheckpoints());
    },
  });
  new Gauge({
    name: 'parley_uploads_in_progress',
    help: 'Upload requests in progress on this node (multipart and tus), against PARLEY_MAX_CONCURRENT_UPLOADS',
    registers,
    collect() {
      this.set(opts.uploadsInProgress());
    },
  });
  const pool = () => opts.previews?.();
  new Gauge({
    name: 'parley_preview_workers',
    help: 'Preview worker processes alive in this process (at most PARLEY_PREVIEW_WORKERS)',
    registers,
    collect() {
      this.set(pool()?.workers ?? 0);
    },
  });
  new Gauge({
    name: 'parley_preview_jobs_running',
    help: 'Thumbnails and previews being made now',
    registers,
    collect() {
      this.set(pool()?.running ?? 0);
    },
  });
  new Gauge({
    name: 'parley_preview_workers_rss_bytes',
    help: 'Resident memory of the preview workers, as each reported it after its last job',
    registers,
    collect() {
      this.set(pool()?.rssBytes ?? 0);
    },
  });
  new Counter({
    name: 'parley_preview_workers_ended_total',
    help: 'Preview workers ended: died (crash, kill, timeout), recycled (job count or RSS), idle',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(pool()?.ended ?? {})) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'parley_open_sockets',
    help: 'Socket.IO connections open on this node',
    registers,
    collect() {
      this.set(opts.openSockets());
    },
  });

  return {
    registry,
    text: workerMetricsText(registry) ?? (() => registry.metrics()),
    uploadAccepted(side, files, bytes, seconds) {
      uploads.inc({ side });
      uploadedFiles.inc(files);
      bytesIn.inc(bytes);
      uploadSeconds.observe({ result: 'accepted' }, seconds);
    },
    uploadRefused(code, seconds) {
      refused.inc({ code });
      uploadSeconds.observe({ result: 'refused' }, seconds);
    },
    bytesOut: (bytes) => bytesOut.inc(bytes),
    uploadCommitted: (bytesRead) => commitRead.inc(bytesRead),
    messagesGathered: (size) => gathered.observe(size),
    deliveryAttempted(kind, outcome, status, seconds) {
      attempts.inc({ kind, outcome });
      transitions.inc({ kind, status });
      attemptSeconds.observe({ kind }, seconds);
    },
  };
}
