// GET /metrics (Prometheus text) behind PARLEY_METRICS_TOKEN, or on its own PARLEY_METRICS_PORT listener; and the
// hooks that count uploads (accepted, refused by code, bytes, duration) and file bytes served.
import crypto from 'node:crypto';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { unauthenticated, notFound } from '../errors.js';
import type { Metrics } from '../metrics/index.js';
import { bearerOf } from './auth.js';

export interface MetricsHttpOptions {
  token?: string;
  /** Routes (Fastify syntax, /a/:b) whose POSTs are uploads. */
  uploadRoutes: string[];
}

export function registerMetricsHooks(app: FastifyInstance, metrics: Metrics, opts: MetricsHttpOptions): void {
  const uploads = new Set(opts.uploadRoutes);
  const isUpload = (method: string, route: string | undefined) => method === 'POST' && !!route && uploads.has(route);
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isUpload(request.method, request.routeOptions.url) || typeof payload !== 'string') return payload;
    // The answer is small JSON: its files and sizes (201) or its error code are what the counters need.
    try {
      const body = JSON.parse(payload) as { files?: { size?: number }[]; error?: { code?: string } };
      const seconds = reply.elapsedTime / 1000;
      if (reply.statusCode === 201) {
        const files = body.files ?? [];
        const bytes = files.reduce((sum, f) => sum + (Number(f.size) || 0), 0);
        metrics.uploadAccepted(
          request.url.startsWith('/api/widget') ? 'visitor' : 'agent',
          files.length,
          bytes,
          seconds,
        );
      } else if (reply.statusCode >= 400) metrics.uploadRefused(body.error?.code ?? 'UNKNOWN', seconds);
    } catch {
      // not JSON: nothing to count
    }
    return payload;
  });
  app.addHook('onResponse', async (_request, reply) => {
    const disposition = reply.getHeader('content-disposition');
    const length = Number(reply.getHeader('content-length'));
    if (typeof disposition === 'string' && disposition.startsWith('attachment') && length > 0) metrics.bytesOut(length);
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!opts.token) throw notFound(`No route GET /metrics`);
    const given = crypto
      .createHash('sha256')
      .update(bearerOf(request.headers.authorization) ?? '')
      .digest();
    const wanted = crypto.createHash('sha256').update(opts.token).digest();
    if (!crypto.timingSafeEqual(given, wanted)) throw unauthenticated('Send the metrics token');
    return reply.type(metrics.registry.contentType).send(await metrics.text());
  });
}

/** The separate listener for PARLEY_METRICS_PORT (no token: keep the port private). */
export async function listenMetrics(metrics: Metrics, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
