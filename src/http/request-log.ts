// One JSON log line per request at info: request id, method, path (never the query string, which can carry signed
// download tokens), route, status and duration. No bodies, headers, tokens or cookies are ever logged.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { type StatementTally, withStatementTally } from '../db/statements.js';

const CLIENT_ID = /^[\w.:-]{1,64}$/;

/** A proxy's X-Request-Id is kept when it looks like an id (so logs join up); otherwise a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_ID.test(given) ? given : crypto.randomUUID();
}

const tallies = new WeakMap<object, StatementTally & { answered?: number }>();

export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The rest of the request runs inside its statement tally (a callback hook: `done` continues the chain in it).
  app.addHook('onRequest', (request, _reply, done) => {
    const tally = { n: 0 };
    tallies.set(request, tally);
    withStatementTally(tally, done);
  });
  // Statements until the answer is sent; work the request leaves running afterwards is not the caller's wait.
  app.addHook('onSend', async (request) => {
    const tally = tallies.get(request);
    if (tally && tally.answered === undefined) tally.answered = tally.n;
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        route: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        statements: tallies.get(request)?.answered,
      },
      'request',
    );
  });
}
