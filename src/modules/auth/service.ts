// Sign-in, sessions and API tokens, and resolving a credential into an Actor. Knows nothing of HTTP.
import type { Db } from '../../db/index.js';
import { randomToken, sha256Hex } from '../../ids.js';
import { giveBack, resetLimit, take } from '../limits/counters.js';
import { unauthenticated, validationFailed } from '../../errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { authRepo } from './repo.js';
import { chatsRepo } from '../chats/repo.js';
import type { Actor } from './actor.js';
import { recordAudit } from '../audit/record.js';

const LOGIN_WINDOW_MS = 15 * 60 * 1000;
// A constant hash to compare against when the email is unknown, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'agent';
}

export function publicUser(
  u: { id: string; email: string; name: string; is_owner: number },
  role?: 'admin' | 'agent',
): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.is_owner ? 'owner' : (role ?? 'agent') };
}

export interface LoginLimits {
  /** Attempts per IP and email: the lock a password guesser meets first. */
  perIpAndEmail: number;
  /** Attempts per IP, whatever the email (an office behind one NAT shares an IP: wider). */
  perIp: number;
  /** Attempts per email from everywhere: much wider, so guessing from one place cannot lock the owner out. */
  perEmail: number;
}

export async function login(
  db: Db,
  input: { email: string; password: string; ip: string; userAgent?: string; limits: LoginLimits },
) {
  const email = input.email.trim().toLowerCase();
  const message = 'Too many sign-in attempts; try again in a few minutes';
  const window = { windowMs: LOGIN_WINDOW_MS, message };
  const pairKey = `login:ip-email:${input.ip}:${email}`;
  // Counted before the password is checked, atomically: a burst of concurrent attempts gets at most the limit checked.
  const taken = await take(db, [
    { key: pairKey, max: input.limits.perIpAndEmail, ...window },
    { key: `login:ip:${input.ip}`, max: input.limits.perIp, ...window },
    { key: `login:email:${email}`, max: input.limits.perEmail, ...window },
  ]);
  const user = await authRepo.findUserByEmail(db, email);
  dummyHash ??= hashPassword('not-a-password');
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await dummyHash));
  // Sign-ins belong to a person, not a workspace: the entry shows in the audit of every workspace they are in.
  // A failure for an unknown email names no one (the typed address is personal data and is not kept).
  const who = {
    actorId: user?.id ?? null,
    actorRole: user?.is_owner ? ('owner' as const) : user ? ('agent' as const) : ('anonymous' as const),
    ip: input.ip,
    userAgent: input.userAgent?.slice(0, 500) ?? null,
  };
  if (!user || !ok) {
    await db.transaction().execute(async (trx) => {
      await recordAudit(trx, who, {
        workspaceId: null,
        action: 'auth.sign_in_failed',
        target: user && `user:${user.id}`,
      });
    });
    throw unauthenticated('Wrong email or password');
  }
  // A success is not an attempt against anyone: this pair starts afresh and the wider counts get theirs back.
  await resetLimit(db, pairKey);
  await giveBack(db, taken.slice(1));
  await authRepo.pruneSessions(db, user.id);
  const token = randomToken('ps_');
  await db.transaction().execute(async (trx) => {
    await authRepo.createSession(trx, user.id, token);
    await recordAudit(trx, who, { workspaceId: null, action: 'auth.sign_in', target: `user:${user.id}` });
  });
  return { user, token };
}

/** A new session for the user (accepting an invitation). */
export async function startSession(db: Db, userId: string) {
  await authRepo.pruneSessions(db, userId);
  const token = randomToken('ps_');
  await authRepo.createSession(db, userId, token);
  return { token };
}

/** Changes one's own password after checking the current one; other sessions of the user are signed out. */
export async function changePassword(
  db: Db,
  input: { userId: string; currentPassword: string; newPassword: string; keepSession?: string; maxAttempts: number },
) {
  const key = `password:${input.userId}`;
  // Counted before the check, atomically, like sign-in: a stolen session cannot guess the password at speed.
  const taken = await take(db, [
    { key, max: input.maxAttempts, windowMs: LOGIN_WINDOW_MS, message: 'Too many wrong passwords; try again later' },
  ]);
  const user = await authRepo.findUserById(db, input.userId);
  if (!user) throw unauthenticated('Sign in again');
  if (!(await verifyPassword(input.currentPassword, user.password_hash)))
    throw validationFailed({ currentPassword: 'This is not your current password' });
  await giveBack(db, taken);
  if (input.newPassword.length < 8) throw validationFailed({ newPassword: 'Use at least 8 characters' });
  if (input.newPassword === input.currentPassword)
    throw validationFailed({ newPassword: 'Choose a password different from the current one' });
  await authRepo.setPasswordHash(db, user.id, await hashPassword(input.newPassword));
  await authRepo.deleteOtherSessions(db, user.id, input.keepSession);
}

export const logout = (db: Db, token: string) => authRepo.deleteSession(db, token);

const TOKEN_USE_STAMP_MS = 60_000;

/** Resolves a session cookie or a bearer token (API token or visitor token) into an Actor, or undefined. */
export async function resolveActor(
  db: Db,
  cred: { sessionToken?: string; bearer?: string },
): Promise<Actor | undefined> {
  if (cred.bearer) {
    if (cred.bearer.startsWith('pat_')) {
      const t = await authRepo.findApiToken(db, cred.bearer);
      if (!t) return undefined;
      // "Last used" for the admin's token list, at most one write a minute per token; a failed stamp fails nothing.
      const now = new Date();
      if (!t.last_used_at || Date.parse(t.last_used_at) < now.getTime() - TOKEN_USE_STAMP_MS)
        await authRepo.touchApiToken(db, t.id, now.toISOString()).catch(() => undefined);
      return { kind: 'token', tokenId: t.id, workspaceId: t.workspace_id };
    }
    if (cred.bearer.startsWith('vt_')) {
      const v = await chatsRepo.visitorWithLatestChat(db, sha256Hex(cred.bearer));
      if (v) return { kind: 'visitor', visitorId: v.id, workspaceId: v.workspace_id, latestChat: v.latestChat };
      return undefined;
    }
    if (cred.bearer.startsWith('ps_')) cred = { sessionToken: cred.bearer };
    else return undefined;
  }
  if (cred.sessionToken) {
    const s = await authRepo.findSession(db, cred.sessionToken);
    if (s && s.expiresAt > new Date().toISOString())
      return { kind: 'user', userId: s.userId, isOwner: s.isOwner === 1, sessionExpiresAt: s.expiresAt };
  }
  return undefined;
}

export async function createApiToken(db: Db, workspaceId: string, name: string, createdBy: string | null) {
  const token = randomToken('pat_');
  const id = await authRepo.insertApiToken(db, { workspaceId, name, token, createdBy });
  return { id, token };
}
