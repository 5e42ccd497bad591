// SQL for users, sessions and API tokens.
import type { Db } from '../../db/index.js';
import { newId, nowIso, sha256Hex } from '../../ids.js';

const SESSION_DAYS = 14;

export const authRepo = {
  findUserByEmail: (db: Db, email: string) =>
    db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst(),
  findUserById: (db: Db, id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
  countUsers: async (db: Db) =>
    Number(
      (
        await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  async insertUser(db: Db, u: { email: string; name: string; passwordHash: string; isOwner: boolean }) {
    const row = {
      id: newId(),
      email: u.email.toLowerCase(),
      name: u.name,
      password_hash: u.passwordHash,
      is_owner: u.isOwner ? 1 : 0,
      created_at: nowIso(),
    };
    await db.insertInto('users').values(row).execute();
    return row;
  },
  setPasswordHash: (db: Db, userId: string, passwordHash: string) =>
    db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute(),
  /** Signs the user out everywhere but the session that changed the password. */
  deleteOtherSessions: (db: Db, userId: string, keepToken: string | undefined) =>
    db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .$if(!!keepToken, (q) => q.where('id', '!=', sha256Hex(keepToken!)))
      .execute(),
  async createSession(db: Db, userId: string, token: string) {
    const now = new Date();
    await db
      .insertInto('sessions')
      .values({
        id: sha256Hex(token),
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + SESSION_DAYS * 864e5).toISOString(),
      })
      .execute();
  },
  findSession: (db: Db, token: string) =>
    db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id as userId', 'users.is_owner as isOwner', 'sessions.expires_at as expiresAt'])
      .where('sessions.id', '=', sha256Hex(token))
      .executeTakeFirst(),
  deleteSession: (db: Db, token: string) => db.deleteFrom('sessions').where('id', '=', sha256Hex(token)).execute(),
  findApiToken: (db: Db, token: string) =>
    db
      .selectFrom('api_tokens')
      .select(['id', 'workspace_id', 'last_used_at'])
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst(),
  /** Stamps a token's last use (once a minute at most: the caller skips fresher stamps). */
  touchApiToken: (db: Db, id: string, at: string) =>
    db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute(),
  async insertApiToken(db: Db, t: { workspaceId: string; name: string; token: string; createdBy: string | null }) {
    const id = newId();
    await db
      .insertInto('api_tokens')
      .values({
        id,
        workspace_id: t.workspaceId,
        name: t.name,
        token_hash: sha256Hex(t.token),
        created_by: t.createdBy,
        created_at: nowIso(),
        last_used_at: null,
      })
      .execute();
    return id;
  },
  listApiTokens: (db: Db, workspaceId: string) =>
    db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'created_by', 'created_at', 'last_used_at'])
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute(),
  deleteApiToken: (db: Db, workspaceId: string, id: string) =>
    db.deleteFrom('api_tokens').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst(),
  /** Expired sessions of a user go when they sign in again. */
  pruneSessions: (db: Db, userId: string) =>
    db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<', nowIso()).execute(),
  /** A new password hash; every session of the user ends (the operator's reset locks out whoever had it). */
  async replacePasswordHash(db: Db, userId: string, passwordHash: string) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    });
  },
};
