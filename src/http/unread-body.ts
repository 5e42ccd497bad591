// Answers sent before the request's body is read (a refused upload, a cross-site request) must reach the client, which
// is still sending. A socket closed with unread bytes is reset (RST), and the reset makes the client fail its request
// ("EPIPE", "ECONNRESET") instead of reading the answer it had already received. Must not read a large body to its end.
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The most of an unread body that is read (and dropped) before the answer, keeping the connection usable. */
const DRAIN_MAX_BYTES = 256 * 1024;
const DRAIN_MAX_MS = 2000;
/**
 * A larger body is read and dropped after the answer until the client stops sending: nothing arrived for
 * `idleMs`, or `maxMs` or `LINGER_MAX_BYTES` reached. A client pauses longer than one would think (a busy or
 * descheduled process, a lossy network's retransmission back-off): a 2 s pause met a 1 s bound 3 times in 3
 * (test/http/early-refusal-reset.test.ts), so the bounds are nginx's (lingering_timeout 5 s, lingering_time 30 s)
 * while few connections linger; beyond `LINGER_POLITE_MAX` at once (a flood of refused uploads) a new one gets the
 * short bounds, so lingering never holds many of the node's descriptors for long.
 */
const LINGER_POLITE = { idleMs: 5000, maxMs: 30_000 };
const LINGER_BUSY = { idleMs: 1000, maxMs: 5000 };
const LINGER_POLITE_MAX = 64;
const LINGER_MAX_BYTES = 64 * 1024 * 1024;
const LINGER_CHECK_MS = 250;
let politeLingering = 0;

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
  const polite = politeLingering < LINGER_POLITE_MAX;
  const { idleMs, maxMs } = polite ? LINGER_POLITE : LINGER_BUSY;
  if (polite) politeLingering++;
  const started = Date.now();
  const firstRead = socket.bytesRead;
  let lastRead = firstRead;
  let lastReadAt = started;
  const check = setInterval(() => {
    const now = Date.now();
    const read = socket.bytesRead;
    if (read !== lastRead) [lastRead, lastReadAt] = [read, now];
    const done = now - lastReadAt >= idleMs || now - started >= maxMs;
    if (done || read - firstRead > LINGER_MAX_BYTES) socket.destroy();
  }, LINGER_CHECK_MS);
  check.unref();
  socket.once('close', () => {
    clearInterval(check);
    if (polite) politeLingering--;
  });
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
