// Authentication and access as a Fastify plugin: reads credentials (session cookie or Bearer token) into
// request.actor once per request, and enforces each route's declared access — `config: { access: 'admin' }` on a
// route under /api/workspaces/:ws resolves the caller's role there (404 for a workspace it cannot see, 403 for an
// agent on an admin action) and puts the result on request.staff before the handler runs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import type { Actor } from '../modules/auth/actor.js';
import { resolveActor } from '../modules/auth/service.js';
import { requireStaff, type StaffContext } from '../modules/workspaces/access.js';
import { unauthenticated } from '../errors.js';
import { sha256Hex } from '../ids.js';
import { settleUnreadBody } from './unread-body.js';

export const SESSION_COOKIE = 'parley_session';

/** Who may call a route: staff of the route's workspace (:ws) with at least this role. */
export type Access = 'agent' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The route checks a visitor token itself, inside its own statement: the hook only hashes it. */
    visitorTokenInHandler?: boolean;
  }
  interface FastifyRequest {
    actor?: Actor;
    staff?: StaffContext;
    /** A visitor token's hash on a route that checks it itself; request.actor stays unset until resolveActorOf(). */
    visitorTokenHash?: string;
  }
}

export function bearerOf(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}

export function registerAuth(app: FastifyInstance, db: Db) {
  app.decorateRequest('actor', undefined);
  app.decorateRequest('staff', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/api/')) return;
    const bearer = bearerOf(request.headers.authorization);
    if (bearer?.startsWith('vt_') && request.routeOptions.config?.visitorTokenInHandler) {
      request.visitorTokenHash = sha256Hex(bearer);
      return;
    }
    const sessionToken = request.cookies?.[SESSION_COOKIE];
    if (bearer || sessionToken) request.actor = await resolveActor(db, { bearer, sessionToken });
  });
  // Before the body is read or validated: who may call comes first (401, then 404 for a workspace the caller cannot
  // see, then 403), so a caller without access learns nothing from the validation of what it sent.
  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    if (!access) return;
    const { ws } = request.params as { ws?: string };
    if (!ws) throw new Error(`route ${request.routeOptions.url} declares access without a :ws parameter`);
    try {
      request.staff = await requireStaff(db, request.actor, ws, access);
    } catch (err) {
      // A refused upload's body is never read: the answer must still reach the client.
      await settleUnreadBody(reply);
      throw err;
    }
  });
}

/** The staff context the route's declared access established (a route without `access` has none: a bug). */
export function staffOf(request: FastifyRequest): StaffContext {
  if (!request.staff) throw new Error(`route ${request.routeOptions.url} reads request.staff but declares no access`);
  return request.staff;
}

/** The caller, on a route that checks a visitor token itself: resolved here when the route's own check did not. */
export async function resolveActorOf(request: FastifyRequest, db: Db): Promise<Actor | undefined> {
  if (request.visitorTokenHash !== undefined && !request.actor)
    request.actor = await resolveActor(db, { bearer: bearerOf(request.headers.authorization) });
  return request.actor;
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: 14 * 86400 });
}
