// Answers sent before the request's body is read (a refused upload, a cross-site request) must reach the client, which
// is still sending. A socket closed with unread bytes is reset (RST), and the reset makes the client fail its request
// ("EPIPE", "ECONNRESET") instead of reading the answer it had already received. Must not read a large body to its end.
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The most of an unread body that is read (and dropped) before the answer, keeping the connection usable. */
const DRAIN_MAX_BYTES = 256 * 1024;
const DRAIN_MAX_MS = 2000;
/** A larger body is read and dropped after the answer until the client stops sending, at most this long or much. */
const LINGER_MAX_MS = 5000;
const LINGER_MAX_BYTES = 64 * 1024 * 1024;
/**
 * The client has stopped sending (it read the answer, or it stalled) when nothing arrived for this long. Shorter
 * reset clients whose event loop was busy (250 ms: 7 of 60 tries in test/http/early-refusal-reset.test.ts).
 */
const LINGER_IDLE_MS = 1000;
const LINGER_CHECK_MS = 250;

/** Reads and drops the rest of a small request body; true once it is all in. */
function drainSmallBody(raw: FastifyRequest['raw']): Promise<boolean> {
  if (raw.complete) return Promise.resolve(true);
  if (raw.headers['content-length'] === undefined && raw.headers['transfer-encoding'] === undefined) {
    return Promise.resolve(true);
  }
  const declared = Number(raw.headers['content-length']);
  if (!Number.isFinite(declared) || declared > DRAIN_MAX_BYTES || raw.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      raw.off('end', onEnd).off('error', onFail).off('close', onClose);
      resolve(ok);
    };
    const onEnd = () => done(true);
    const onFail = () => done(false);
    const onClose = () => done(raw.complete);
    const timer = setTimeout(onFail, DRAIN_MAX_MS);
    raw.on('end', onEnd).on('error', onFail).on('close', onClose);
    raw.resume();
  });
}

/**
 * Half-closes after the answer and keeps reading (Node's HTTP server drops a finished request's body) until the
 * client stops sending or a bound is reached, then closes: the client reads the answer before any reset.
 */
function lingeringClose(socket: Socket) {
  socket.end();
  const started = Date.now();
  const firstRead = socket.bytesRead;
  let lastRead = firstRead;
  let lastReadAt = started;
  const check = setInterval(() => {
    const now = Date.now();
    const read = socket.bytesRead;
    if (read !== lastRead) [lastRead, lastReadAt] = [read, now];
    const done = now - lastReadAt >= LINGER_IDLE_MS || now - started >= LINGER_MAX_MS;
    if (done || read - firstRead > LINGER_MAX_BYTES) socket.destroy();
  }, LINGER_CHECK_MS);
  check.unref();
  socket.once('close', () => clearInterval(check));
}

/**
 * Call before answering a request whose body may be unread: a small body is read and dropped first (the connection
 * stays usable); otherwise the answer says `Connection: close` and the close lingers.
 */
export async function settleUnreadBody(reply: FastifyReply): Promise<void> {
  const raw = reply.request.raw;
  if (await drainSmallBody(raw)) return;
  reply.header('connection', 'close');
  const socket = raw.socket;
  // Node's HTTP server ends a `Connection: close` answer with socket.destroySoon(), which destroys the socket once
  // the answer is flushed, with the body's rest unread: a reset. This socket closes by lingering instead.
  if (socket) socket.destroySoon = () => lingeringClose(socket);
}
