// SQL for workspaces and memberships.
import type { Db } from '../../db/index.js';
import { newId, nowIso, randomToken } from '../../ids.js';

export const workspacesRepo = {
  byId: (db: Db, id: string) => db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst(),
  byWidgetKey: (db: Db, key: string) =>
    db.selectFrom('workspaces').selectAll().where('widget_key', '=', key).executeTakeFirst(),
  first: (db: Db) => db.selectFrom('workspaces').selectAll().orderBy('id').limit(1).executeTakeFirst(),
  all: (db: Db) => db.selectFrom('workspaces').selectAll().orderBy('id').execute(),
  forUser: (db: Db, userId: string) =>
    db
      .selectFrom('workspaces')
      .innerJoin('memberships', 'memberships.workspace_id', 'workspaces.id')
      .select([
        'workspaces.id',
        'workspaces.name',
        'workspaces.widget_key',
        'workspaces.created_at',
        'memberships.role',
      ])
      .where('memberships.user_id', '=', userId)
      .orderBy('workspaces.id')
      .execute(),
  async insert(db: Db, name: string) {
    const row = { id: newId(), name, widget_key: randomToken('wk_', 12), created_at: nowIso() };
    await db.insertInto('workspaces').values(row).execute();
    return row;
  },
  membership: (db: Db, workspaceId: string, userId: string) =>
    db
      .selectFrom('memberships')
      .select('role')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst(),
  addMember: (db: Db, workspaceId: string, userId: string, role: 'admin' | 'agent') =>
    db
      .insertInto('memberships')
      .values({ workspace_id: workspaceId, user_id: userId, role, created_at: nowIso() })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role }))
      .execute(),
  /** Sets a member's role; the number of rows changed is 0 when they had it already (or are no member). */
  changeRole: async (db: Db, workspaceId: string, userId: string, role: 'admin' | 'agent') =>
    Number(
      (
        await db
          .updateTable('memberships')
          .set({ role })
          .where('workspace_id', '=', workspaceId)
          .where('user_id', '=', userId)
          .where('role', '<>', role)
          .executeTakeFirst()
      ).numUpdatedRows,
    ),
  removeMember: (db: Db, workspaceId: string, userId: string) =>
    db
      .deleteFrom('memberships')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst(),
  members: (db: Db, workspaceId: string) =>
    db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.id', 'users.email', 'users.name', 'users.is_owner', 'memberships.role', 'memberships.created_at'])
      .where('memberships.workspace_id', '=', workspaceId)
      .orderBy('users.email')
      .execute(),
};
