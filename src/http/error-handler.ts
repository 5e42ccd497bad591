// Turns every error into the contract's shape {error:{code,message,...details}}, the framework's own included (bad
// JSON, bad URL encoding, too-long parameters, unsupported media types, unknown routes, known paths with another
// method). Messages are fixed texts: nothing from the request (path, body, header) is ever echoed back.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, describeCause, type ErrorCode } from '../errors.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
}

function fieldsOf(validation: ValidationIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  // Unknown names come from the client: at most 20 of them, each cut to 64 characters (as json-body.ts does).
  let unknown = 0;
  // A union of literals (a role, a status) fails once per literal: name the values it takes, not "equal to constant".
  const allowed: Record<string, string[]> = {};
  for (const v of validation) {
    if (v.keyword !== 'const') continue;
    const at = (v.instancePath?.replace(/^\//, '').replace(/\//g, '.') || '_').slice(0, 64);
    (allowed[at] ??= []).push(String(v.params?.allowedValue));
  }
  for (const [at, values] of Object.entries(allowed)) fields[at] = `must be one of: ${values.join(', ')}`;
  for (const v of validation) {
    const missing = v.params?.missingProperty as string | undefined;
    const extra = v.keyword === 'additionalProperties' ? (v.params?.additionalProperty as string) : undefined;
    if (extra !== undefined && unknown++ >= 20) continue;
    const at = v.instancePath?.replace(/^\//, '').replace(/\//g, '.') ?? '';
    const key = (missing ?? (extra ? (at ? `${at}.${extra}` : extra) : at) ?? '_').slice(0, 64);
    fields[key || '_'] ??= missing ? 'Required' : extra ? 'Unknown field' : (v.message ?? 'Invalid');
  }
  return fields;
}

/** The cause of a dependency failure as a log field (an Error itself serialises to {}). */
/** The code and fixed message for a framework error that carries only an HTTP status. */
const BY_STATUS: Record<number, [ErrorCode, string]> = {
  400: ['BAD_REQUEST', 'The request is malformed'],
  401: ['UNAUTHENTICATED', 'Sign in or send a valid token'],
  403: ['FORBIDDEN', 'This is not allowed'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['METHOD_NOT_ALLOWED', 'This path does not take this method'],
  413: ['PAYLOAD_TOO_LARGE', 'The request body is too large'],
  414: ['URI_TOO_LONG', 'A path parameter or the URL is too long'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Send JSON (or multipart/form-data for files)'],
  416: ['RANGE_NOT_SATISFIABLE', 'The range is outside the file'],
  429: ['RATE_LIMITED', 'Too many requests; retry later'],
};

const BY_FASTIFY_CODE: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (or multipart/form-data for files)'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'The request body is too large'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_REQUEST', 'The body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_REQUEST', 'The body is empty but its content type is JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Content-Length does not match the body'],
  FST_ERR_BAD_URL: [400, 'BAD_REQUEST', 'The URL is not validly encoded'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG', 'A path parameter is too long'],
};

function send(reply: FastifyReply, status: number, code: ErrorCode, message: string, details = {}) {
  // An answer that was going to be a stream (a zip, a CSV, a download) failed before its first byte: its headers are
  // set but not sent. The error is JSON, never an "attachment" of the file's type (Fastify would not even serialise
  // it, and answered 500 FST_ERR_FAILED_ERROR_SERIALIZATION: found by CI).
  if (!reply.sent && !reply.raw.headersSent) {
    reply.removeHeader('content-disposition');
    reply.removeHeader('content-length');
    reply.type('application/json; charset=utf-8');
  }
  return reply.status(status).send({ error: { code, message, ...details } });
}

/** Route patterns by method, to tell a known path with another method (405 + Allow) from an unknown one (404). */
function routeTable(app: FastifyInstance) {
  const patterns: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    // The static files' catch-all would make every path "known"; it is not an API path.
    if (route.url.includes('*')) return;
    const source = route.url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    for (const method of [route.method].flat()) patterns.push({ method, pattern });
  });
  return (path: string) => [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
}

/** Fastify options that route the router's own errors (bad encoding, too-long parameters) through the handler. */
export const frameworkErrors = (err: FastifyError, _request: unknown, reply: FastifyReply) => {
  const known = BY_FASTIFY_CODE[err.code];
  if (known) return send(reply, known[0], known[1], known[2]);
  return send(reply, 400, 'BAD_REQUEST', 'The request is malformed');
};

/**
 * A streamed answer (a zip, a CSV, a file's bytes) can fail before Fastify pipes it, while the async onSend hooks
 * run: an 'error' with no listener then takes the whole process down. Listen from the moment it is sent (this hook
 * is synchronous and registered before the others); Fastify still sees the error afterwards (headers not sent: the
 * error handler answers; already sent: the response is cut), and the log has the cause beside the request id.
 */
export function guardStreamedAnswers(app: FastifyInstance) {
  app.addHook('onSend', (request, _reply, payload, done) => {
    const stream = payload as { pipe?: unknown; on?: (event: 'error', fn: (err: Error) => void) => void } | null;
    if (stream && typeof stream.pipe === 'function' && typeof stream.on === 'function')
      stream.on('error', (err) => request.log.error({ cause: describeCause(err) }, 'a streamed answer failed'));
    done(null, payload);
  });
}

export function registerErrorHandling(app: FastifyInstance) {
  const methodsFor = routeTable(app);
  app.setErrorHandler(async (error: FastifyError & { validationContext?: string }, request, reply) => {
    let err = error;
    // Who is asking comes before what was sent, also on a route that checks its caller inside its own statement: a
    // body found wrong before the handler ran is answered as the caller's refusal first, when there is one.
    if (request.checkDeferredCaller)
      await request.checkDeferredCaller().catch((refusal: unknown) => {
        if (refusal instanceof AppError) err = refusal as typeof err;
      });
    if (err instanceof AppError) {
      // 429 and 503 tell the client when to come back (the contract's Retry-After).
      if (err.status === 429 || err.status === 503) {
        const seconds = typeof err.details.retryAfterSeconds === 'number' ? err.details.retryAfterSeconds : 1;
        reply.header('retry-after', String(Math.max(1, Math.ceil(seconds))));
      }
      // A dependency that failed is the server's problem: the log gets the cause, beside the request id. A full
      // workspace quota (507) is the workspace's state, not a fault: an info line, never an error to alert on.
      if (err.status >= 500 && err.code !== 'QUOTA_EXCEEDED')
        request.log.error({ code: err.code, cause: describeCause(err.cause) }, err.message);
      return send(reply, err.status, err.code, err.message, err.details);
    }
    if (err.validation) {
      const fields = fieldsOf(err.validation as ValidationIssue[]);
      if (err.validationContext === 'body')
        return send(reply, 422, 'VALIDATION_FAILED', 'Some fields are invalid', { fields });
      return send(reply, 400, 'BAD_REQUEST', `Invalid ${err.validationContext ?? 'request'}`, { fields });
    }
    const known = BY_FASTIFY_CODE[err.code];
    if (known) return send(reply, known[0], known[1], known[2]);
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const [code, message] = BY_STATUS[status] ?? BY_STATUS[400]!;
      return send(reply, BY_STATUS[status] ? status : 400, code, message);
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, 500, 'INTERNAL', 'Something went wrong on our side');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methodsFor(path);
    if (allowed.length && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return send(reply, 405, 'METHOD_NOT_ALLOWED', 'This path does not take this method');
    }
    return send(reply, 404, 'NOT_FOUND', 'No such route');
  });
}
