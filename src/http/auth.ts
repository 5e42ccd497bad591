// Reads credentials (session cookie or Bearer token) into request.actor, once per request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import type { Actor } from '../modules/auth/actor.js';
import { resolveActor } from '../modules/auth/service.js';
import { unauthenticated } from '../errors.js';

export const SESSION_COOKIE = 'parley_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export function bearerOf(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}

export function registerAuth(app: FastifyInstance, db: Db) {
  app.decorateRequest('actor', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/api/')) return;
    const bearer = bearerOf(request.headers.authorization);
    const sessionToken = request.cookies?.[SESSION_COOKIE];
    if (bearer || sessionToken) request.actor = await resolveActor(db, { bearer, sessionToken });
  });
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: 14 * 86400 });
}
