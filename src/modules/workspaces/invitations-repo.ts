// SQL for invitations (pending members). Tokens are stored as their sha256 only.
import type { Db } from '../../db/index.js';
import type { InvitationsTable } from '../../db/types.js';
import { nowIso, sha256Hex } from '../../ids.js';

export const invitationsRepo = {
  insert: (db: Db, row: InvitationsTable) => db.insertInto('invitations').values(row).execute(),
  /** A pending, unexpired invitation by its token. */
  byToken: (db: Db, token: string) =>
    db
      .selectFrom('invitations')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', nowIso())
      .executeTakeFirst(),
  pending: (db: Db, workspaceId: string) =>
    db
      .selectFrom('invitations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', nowIso())
      .orderBy('id', 'desc')
      .execute(),
  /** Marks it used; false when another request used it first (the link is one-time). */
  async markAccepted(db: Db, id: string): Promise<boolean> {
    const r = await db
      .updateTable('invitations')
      .set({ accepted_at: nowIso() })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  /** Removes the e-mail's pending invitations of the workspace (their links stop working). */
  withdrawPendingFor: (db: Db, workspaceId: string, email: string) =>
    db
      .deleteFrom('invitations')
      .where('workspace_id', '=', workspaceId)
      .where('email', '=', email)
      .where('accepted_at', 'is', null)
      .execute(),
  revoke: (db: Db, workspaceId: string, id: string) =>
    db
      .deleteFrom('invitations')
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .where('accepted_at', 'is', null)
      .executeTakeFirst(),
};
