// Authentication and access as a Fastify plugin: reads credentials (session cookie or Bearer token) into
// request.actor once per request, and enforces each route's declared access — `config: { access: 'admin' }` on a
// route under /api/workspaces/:ws resolves the caller's role there (404 for a workspace it cannot see, 403 for an
// agent on an admin action) and puts the result on request.staff before the handler runs. A hot route with
// `config: { credentialsInHandler: true }` (the message routes) checks a visitor token or session cookie inside its
// own statement instead; the hooks only hash it, and the route resolves the caller the usual way when that fails.
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
    /**
     * The route checks a visitor token or a session cookie itself, inside the statement that does its work (a hot
     * path's one round trip): the hooks only hash it, and the route calls resolveActorOf() / resolveStaffOf() when
     * that statement did not take the request. Its body validation must be attached (checked after the caller).
     */
    credentialsInHandler?: boolean;
  }
  interface FastifyRequest {
    actor?: Actor;
    staff?: StaffContext;
    /** On a route that checks credentials itself: the credential's hash; request.actor stays unset until resolved. */
    deferredCredential?: { kind: 'visitor' | 'session'; hash: string };
    /**
     * On such a route with declared access, until its handler runs: answers who is asking (throws 401, 404 or 403),
     * for an error found before the handler — a body that does not parse — not to be answered before the caller is.
     */
    checkDeferredCaller?: () => Promise<unknown>;
  }
}

export function bearerOf(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}

export function registerAuth(app: FastifyInstance, db: Db) {
  app.decorateRequest('actor', undefined);
  app.decorateRequest('staff', undefined);
  app.decorateRequest('deferredCredential', undefined);
  app.decorateRequest('checkDeferredCaller', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/api/')) return;
    const bearer = bearerOf(request.headers.authorization);
    const sessionToken = request.cookies?.[SESSION_COOKIE];
    if (request.routeOptions.config?.credentialsInHandler) {
      if (bearer?.startsWith('vt_')) request.deferredCredential = { kind: 'visitor', hash: sha256Hex(bearer) };
      else if (!bearer && sessionToken) request.deferredCredential = { kind: 'session', hash: sha256Hex(sessionToken) };
      if (request.deferredCredential) {
        if (request.routeOptions.config.access) request.checkDeferredCaller = () => resolveStaffOf(request, db);
        return;
      }
    }
    if (bearer || sessionToken) request.actor = await resolveActor(db, { bearer, sessionToken });
  });
  // From the handler on, such a route answers who is asking itself (before the body's own errors): a hook on those
  // routes only, not on every request.
  const handlerReached = async (request: FastifyRequest) => {
    request.checkDeferredCaller = undefined;
  };
  app.addHook('onRoute', (route) => {
    if (!route.config?.credentialsInHandler) return;
    route.preHandler = [...[route.preHandler ?? []].flat(), handlerReached];
  });
  // Before the body is read or validated: who may call comes first (401, then 404 for a workspace the caller cannot
  // see, then 403), so a caller without access learns nothing from the validation of what it sent.
  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.routeOptions.config?.access || request.deferredCredential) return;
    try {
      await resolveStaff(request, db);
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

/** The caller, on a route that checks credentials itself: resolved here when the route's own check did not. */
export async function resolveActorOf(request: FastifyRequest, db: Db): Promise<Actor | undefined> {
  if (request.deferredCredential && !request.actor) {
    const bearer = bearerOf(request.headers.authorization);
    request.actor = await resolveActor(db, { bearer, sessionToken: request.cookies?.[SESSION_COOKIE] });
  }
  return request.actor;
}

/** The route's declared access, on a route that checks credentials itself (as the preParsing hook does for others). */
export async function resolveStaffOf(request: FastifyRequest, db: Db): Promise<StaffContext> {
  if (request.staff) return request.staff;
  await resolveActorOf(request, db);
  return resolveStaff(request, db);
}

async function resolveStaff(request: FastifyRequest, db: Db): Promise<StaffContext> {
  const access = request.routeOptions.config?.access;
  const { ws } = request.params as { ws?: string };
  if (!access || !ws) throw new Error(`route ${request.routeOptions.url} needs declared access and a :ws parameter`);
  request.staff = await requireStaff(db, request.actor, ws, access);
  return request.staff;
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: 14 * 86400 });
}
