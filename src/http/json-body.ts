// JSON request bodies: parsed without coercion, with a `__proto__` or `constructor.prototype` key refused as an
// unknown field (422) rather than reported as "not JSON", and every body schema closed to unknown fields.
import type { FastifyInstance } from 'fastify';
import { AppError, validationFailed } from '../errors.js';
import { closeObjects } from './validation.js';
import { settleUnreadBody } from './unread-body.js';

export function parseJson(text: string): unknown {
  const poisoned: string[] = [];
  let value: unknown;
  try {
    // JSON.parse makes `__proto__` an own property (it never sets the prototype), so it is safe to look afterwards.
    value = JSON.parse(text, function (this: Record<string, unknown>, key, v) {
      if (key === '__proto__') poisoned.push('__proto__');
      if (key === 'constructor' && v && typeof v === 'object' && 'prototype' in v) poisoned.push('constructor');
      return v;
    });
  } catch (err) {
    throw new AppError('BAD_REQUEST', 'The body is not valid JSON', {}, { cause: err });
  }
  if (poisoned.length) throw validationFailed(Object.fromEntries(poisoned.map((k) => [k, 'Not allowed'])));
  return value;
}

function refuseUnexpectedBody(body: unknown) {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 0) return;
    throw validationFailed(Object.fromEntries(keys.slice(0, 20).map((k) => [k.slice(0, 64), 'Unknown field'])));
  }
  throw validationFailed({ _: 'This request takes no body' });
}

export function registerJsonBodies(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  // No route takes plain text: Fastify's own text/plain parser would hand the routes a string, answered 422 "must be
  // object" instead of the contract's 415 for a content type the route does not take.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // JSON is UTF-8 (RFC 8259): a body declared in another charset would be read wrongly, so it is refused.
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset))
      return done(
        new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON in UTF-8 (charset=utf-8, or no charset)'),
        undefined,
      );
    const text = String(body);
    // An empty body is no body: routes that need one answer 422 for it like for any other missing field.
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { body?: unknown; querystring?: unknown } | undefined;
    if (schema?.body) closeObjects(schema.body);
    // Query strings too: an unknown parameter is refused (400 naming it), never ignored — `?scan=infected` on List
    // File (no such filter) listed every file, and a bulk delete of "the infected ones" would have taken them all.
    if (schema?.querystring) closeObjects(schema.querystring);
  });
  // A request without a body is an empty object to its schema: optional bodies pass, required fields are named
  // (422). An explicit JSON `null` stays null and is refused.
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema as { body?: unknown; consumes?: string[] } | undefined;
    const hasSchema = Boolean(schema?.body);
    if (request.body === undefined && hasSchema) request.body = {};
    // A route without a body schema takes no body: every field sent is unknown (an empty object is no body), as on
    // the routes whose schema is an empty object; nothing sent to such a route is silently ignored. Routes that
    // name what they consume (the multipart uploads) judge a body in another type themselves.
    if (schema?.consumes && !schema.consumes.includes('application/json')) return;
    if (!hasSchema && request.body !== undefined) refuseUnexpectedBody(request.body);
  });
  // No route reads a compressed body (Content-Encoding: gzip, br, …): 415 saying so, not a "not valid JSON" 400 or a
  // multipart error. The body is not read.
  app.addHook('onRequest', async (request, reply) => {
    const coding = request.headers['content-encoding'];
    if (coding === undefined || /^\s*(identity)?\s*$/i.test(coding)) return;
    const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
    if (chunked === undefined && (length === undefined || length === '0')) return;
    await settleUnreadBody(reply);
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body uncompressed: no Content-Encoding is taken');
  });
  // A NUL byte in the path or the query is never a valid name or value of anything here (PostgreSQL cannot even
  // compare text with one); refuse it before any route or static lookup.
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw new AppError('BAD_REQUEST', 'The URL is not valid');
  });
}
