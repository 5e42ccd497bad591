// Bounds on the requests that hold a connection longest, uploads: how many run at once per node and per visitor
// (the rest are refused before their body is read: 503 / 429 with Retry-After, http/unread-body.ts), and how long a
// request may take — an upload body that stops moving for the upload idle timeout is cut, one that merely trickles
// by the upload request timeout; any other request must have sent its body within the request timeout. Only the
// client's sending counts: the time the server takes to answer (a password hash on a busy node, a held long-poll)
// is never cut by these (the socket's own idle timeout in app.ts is a longer backstop). A bound found passed is judged
// only after the bytes already waiting on the socket are read: a server stalled past it (a long synchronous job, a
// descheduled process) runs its timers before its reads, and would otherwise blame the client for its own stall.
// A cut request's upload pipeline cleans up as for any interrupted upload: nothing is left behind.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { settleUnreadBody } from './unread-body.js';

export interface UploadLimits {
  /** Uploads in progress on this node (multipart and tus PATCH/POST). */
  maxConcurrentUploads: number;
  /** Uploads in progress per visitor on this node. */
  uploadsPerVisitor: number;
  /** Longest an upload request may take, body and all. */
  uploadRequestTimeoutMs: number;
  /** Longest any other request may take to send its body. */
  requestTimeoutMs: number;
  /** Longest an upload body may stop moving before it is complete. */
  uploadIdleTimeoutMs: number;
}

const isUpload = (request: FastifyRequest) =>
  request.url.startsWith('/api/') &&
  ((request.method === 'POST' && /^multipart\//i.test(request.headers['content-type'] ?? '')) ||
    ((request.method === 'PATCH' || request.method === 'POST') && request.url.startsWith('/api/uploads')));

export function registerUploadLimits(app: FastifyInstance, limits: UploadLimits) {
  let running = 0;
  const perVisitor = new Map<string, number>();
  const bodyTimers = new WeakMap<FastifyRequest, NodeJS.Timeout>();

  /** Cuts the request after `ms` if by then (its waiting bytes read) the client is still sending its body. */
  const cutAfter = (request: FastifyRequest, ms: number, what: string) => {
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (request.raw.complete) return;
        request.log.warn({ url: request.url, seconds: ms / 1000 }, `${what} took too long; connection closed`);
        request.raw.socket?.destroy();
      });
    }, ms);
    timer.unref();
    return timer;
  };

  // The body's bytes are watched through the socket's counter: a 'data' listener would take them from the parser.
  // Bytes waiting in the request for our own consumer (storage or a scanner slower than the client, holding it back
  // by backpressure) mean the client is not the one idle: the socket is not read then, so its counter stands still.
  const cutWhenIdle = (request: FastifyRequest, ms: number) => {
    const socket = request.raw.socket;
    let seen = socket.bytesRead;
    let movedAt = Date.now();
    const moving = () => socket.bytesRead !== seen || request.raw.readableLength > 0;
    const check = setInterval(
      () => {
        if (request.raw.complete) return clearInterval(check);
        if (moving()) {
          seen = socket.bytesRead;
          movedAt = Date.now();
        } else if (Date.now() - movedAt >= ms) {
          // setImmediate runs after the poll phase: bytes that arrived during a stall of ours are counted first.
          setImmediate(() => {
            if (request.raw.complete || socket.destroyed) return clearInterval(check);
            if (moving()) {
              seen = socket.bytesRead;
              movedAt = Date.now();
              return;
            }
            clearInterval(check);
            request.log.warn(
              { url: request.url, seconds: ms / 1000 },
              'an upload body stopped moving; connection closed',
            );
            socket.destroy();
          });
        }
      },
      Math.max(100, Math.min(ms / 4, 5_000)),
    );
    check.unref();
    return check;
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isUpload(request)) {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const timer = cutAfter(request, limits.requestTimeoutMs, 'the request body');
      // The body has been read once the handler is about to run (a body-less request is never 'end'-ed by anyone);
      // the response may take as long as it needs (a zip export streams for minutes).
      bodyTimers.set(request, timer);
      reply.raw.once('close', () => clearTimeout(timer));
      return;
    }
    const visitor = request.actor?.kind === 'visitor' ? request.actor.visitorId : undefined;
    if (running >= limits.maxConcurrentUploads) {
      await settleUnreadBody(reply);
      throw new AppError('UNAVAILABLE', 'This server is busy with other uploads; retry shortly', {
        retryAfterSeconds: 5,
      });
    }
    if (visitor && (perVisitor.get(visitor) ?? 0) >= limits.uploadsPerVisitor) {
      await settleUnreadBody(reply);
      throw new AppError('TOO_MANY_UPLOADS', 'Too many uploads at once; the next one starts when one finishes', {
        retryAfterSeconds: 2,
      });
    }
    running += 1;
    if (visitor) perVisitor.set(visitor, (perVisitor.get(visitor) ?? 0) + 1);
    const timer = cutAfter(request, limits.uploadRequestTimeoutMs, 'an upload');
    const idle = cutWhenIdle(request, limits.uploadIdleTimeoutMs);
    reply.raw.once('close', () => {
      clearTimeout(timer);
      clearInterval(idle);
      running -= 1;
      if (!visitor) return;
      const n = (perVisitor.get(visitor) ?? 1) - 1;
      if (n > 0) perVisitor.set(visitor, n);
      else perVisitor.delete(visitor);
    });
  });

  app.addHook('preHandler', async (request: FastifyRequest) => {
    clearTimeout(bodyTimers.get(request));
  });

  return { uploadsInProgress: () => running };
}
