// Cross-site request refusal for cookie sign-ins (SameSite alone lets a sibling port or subdomain through). A
// state-changing request that carries the session cookie — or asks for one: signing in, accepting an invitation —
// must come from Parley's own origin, as the browser reports it (Sec-Fetch-Site, else Origin). A request with neither
// header is not a browser's cross-site request (curl, scripts) and passes. Bearer tokens (API and visitor tokens)
// are never attached by a browser on its own, so requests that carry one are not affected.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { SESSION_COOKIE, bearerOf } from './auth.js';
import { settleUnreadBody } from './unread-body.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ISSUES_SESSION = /^\/api\/(auth\/login|invitations\/[^/?]+\/accept)(\?|$)/;

/** Whether the browser says the request comes from our own origin (or no browser says anything). */
export function fromOwnOrigin(headers: IncomingHttpHeaders, secure: boolean, trustedOrigin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = headers.origin;
  if (origin === undefined) return true;
  const own = headers.host ? `${secure ? 'https' : 'http'}://${headers.host}` : undefined;
  return origin === trustedOrigin || origin === own;
}

export function registerCsrfCheck(app: FastifyInstance, publicUrl: string) {
  const trustedOrigin = new URL(publicUrl).origin;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(request.method) || !request.url.startsWith('/api/')) return;
    if (bearerOf(request.headers.authorization)) return;
    if (!request.cookies?.[SESSION_COOKIE] && !ISSUES_SESSION.test(request.url)) return;
    if (fromOwnOrigin(request.headers, request.protocol === 'https', trustedOrigin)) return;
    request.log.warn(
      { origin: request.headers.origin, secFetchSite: request.headers['sec-fetch-site'] },
      'cross-site request refused',
    );
    // The body is never read: the answer must still reach the client.
    await settleUnreadBody(reply);
    throw new AppError('CROSS_SITE_REQUEST', 'Requests signed in by cookie must come from this site itself');
  });
}
