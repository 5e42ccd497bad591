// SQL for the append-only audit log: append, list with filters and a keyset cursor, prune by retention.
// There is deliberately no update here (the table refuses updates; see migration 1600).
import type { Db } from '../../db/index.js';
import type { AuditLogTable } from '../../db/types.js';

export interface AuditFilter {
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

export const auditRepo = {
  append: (db: Db, row: AuditLogTable) => db.insertInto('audit_log').values(row).execute(),
  /**
   * A workspace's entries, newest first: its own, plus the sign-ins of its members (those belong to no workspace).
   */
  list(db: Db, workspaceId: string, f: AuditFilter) {
    return db
      .selectFrom('audit_log')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('workspace_id', '=', workspaceId),
          eb.and([
            eb('workspace_id', 'is', null),
            eb(
              'actor_id',
              'in',
              eb.selectFrom('memberships').select('user_id').where('workspace_id', '=', workspaceId),
            ),
          ]),
        ]),
      )
      .$if(!!f.action, (q) =>
        f.action!.endsWith('.*')
          ? q.where('action', 'like', `${f.action!.slice(0, -1)}%`)
          : q.where('action', '=', f.action!),
      )
      .$if(!!f.actorId, (q) => q.where('actor_id', '=', f.actorId!))
      .$if(!!f.from, (q) => q.where('at', '>=', f.from!))
      .$if(!!f.to, (q) => q.where('at', '<=', f.to!))
      .$if(!!f.cursor, (q) => q.where('id', '<', f.cursor!))
      .orderBy('id', 'desc')
      .limit(f.limit);
  },
  prune: (db: Db, workspaceId: string, beforeIso: string) =>
    db.deleteFrom('audit_log').where('workspace_id', '=', workspaceId).where('at', '<', beforeIso).executeTakeFirst(),
};
