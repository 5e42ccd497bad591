// Sign-in, sessions and API tokens, and resolving a credential into an Actor. Knows nothing of HTTP.
import type { Db } from '../../db/index.js';
import { randomToken, sha256Hex } from '../../ids.js';
import { AppError, unauthenticated } from '../../errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { authRepo } from './repo.js';
import type { Actor } from './actor.js';

const LOGIN_WINDOW_MS = 15 * 60 * 1000;
// A constant hash to compare against when the email is unknown, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

export interface PublicUser { id: string; email: string; name: string; role: 'owner' | 'admin' | 'agent' }

export function publicUser(u: { id: string; email: string; name: string; is_owner: number }, role?: 'admin' | 'agent'): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.is_owner ? 'owner' : (role ?? 'agent') };
}

export async function login(db: Db, input: { email: string; password: string; ip: string; maxAttempts: number }) {
  const email = input.email.trim().toLowerCase();
  const keys = [`ip:${input.ip}`, `email:${email}`];
  const since = new Date(Date.now() - LOGIN_WINDOW_MS).toISOString();
  for (const key of keys) {
    // An office behind one NAT shares an IP: the per-IP allowance is wider than the per-email one.
    const max = key.startsWith('ip:') ? input.maxAttempts * 5 : input.maxAttempts;
    if ((await authRepo.recentFailures(db, key, since)) >= max) {
      throw new AppError('RATE_LIMITED', 'Too many sign-in attempts; try again in a few minutes', { retryAfterSeconds: LOGIN_WINDOW_MS / 1000 });
    }
  }
  const user = await authRepo.findUserByEmail(db, email);
  dummyHash ??= hashPassword('not-a-password');
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await dummyHash));
  if (!user || !ok) {
    await authRepo.pruneFailures(db, since);
    for (const key of keys) await authRepo.recordFailure(db, key);
    throw unauthenticated('Wrong email or password');
  }
  await authRepo.clearFailures(db, `email:${email}`);
  await authRepo.pruneSessions(db, user.id);
  const token = randomToken('ps_');
  await authRepo.createSession(db, user.id, token);
  return { user, token };
}

export const logout = (db: Db, token: string) => authRepo.deleteSession(db, token);

/** Resolves a session cookie or a bearer token (API token or visitor token) into an Actor, or undefined. */
export async function resolveActor(db: Db, cred: { sessionToken?: string; bearer?: string }): Promise<Actor | undefined> {
  if (cred.bearer) {
    if (cred.bearer.startsWith('pat_')) {
      const t = await authRepo.findApiToken(db, cred.bearer);
      if (t) return { kind: 'token', tokenId: t.id, workspaceId: t.workspace_id };
      return undefined;
    }
    if (cred.bearer.startsWith('vt_')) {
      const v = await db.selectFrom('visitors').select(['id', 'workspace_id']).where('token_hash', '=', sha256Hex(cred.bearer)).executeTakeFirst();
      if (v) return { kind: 'visitor', visitorId: v.id, workspaceId: v.workspace_id };
      return undefined;
    }
    if (cred.bearer.startsWith('ps_')) cred = { sessionToken: cred.bearer };
    else return undefined;
  }
  if (cred.sessionToken) {
    const s = await authRepo.findSession(db, cred.sessionToken);
    if (s && s.expiresAt > new Date().toISOString()) return { kind: 'user', userId: s.userId, isOwner: s.isOwner === 1 };
  }
  return undefined;
}

export async function createApiToken(db: Db, workspaceId: string, name: string, createdBy: string | null) {
  const token = randomToken('pat_');
  const id = await authRepo.insertApiToken(db, { workspaceId, name, token, createdBy });
  return { id, token };
}
