// Who may see and do what in a workspace. A workspace the caller cannot see is NOT_FOUND (never FORBIDDEN),
// so ids of other tenants reveal nothing; FORBIDDEN is only for an agent on an admin-only action of its own workspace.
import type { Db } from '../../db/index.js';
import { forbidden, notFound, unauthenticated } from '../../errors.js';
import type { Actor, Role } from '../auth/actor.js';
import { workspacesRepo } from './repo.js';

export interface StaffContext {
  workspaceId: string;
  role: Role;
  /** The user id acting (undefined for API tokens). */
  userId?: string;
  actor: Actor;
}

export async function workspaceRole(db: Db, actor: Actor, workspaceId: string): Promise<Role | undefined> {
  if (actor.kind === 'token') return actor.workspaceId === workspaceId ? 'admin' : undefined;
  if (actor.kind !== 'user') return undefined;
  if (actor.isOwner) return (await workspacesRepo.byId(db, workspaceId)) ? 'admin' : undefined;
  return (await workspacesRepo.membership(db, workspaceId, actor.userId))?.role;
}

/** Resolves the caller's role in the workspace or throws NOT_FOUND / FORBIDDEN / UNAUTHENTICATED. */
export async function requireStaff(
  db: Db,
  actor: Actor | undefined,
  workspaceId: string,
  need: Role = 'agent',
): Promise<StaffContext> {
  if (!actor) throw unauthenticated();
  const role = await workspaceRole(db, actor, workspaceId);
  if (!role) throw notFound('No such workspace');
  if (need === 'admin' && role !== 'admin') throw forbidden('Only admins of this workspace may do this');
  return { workspaceId, role, userId: actor.kind === 'user' ? actor.userId : undefined, actor };
}

/** Workspace ids whose chats an actor may watch live. */
export async function visibleWorkspaceIds(db: Db, actor: Actor): Promise<string[]> {
  if (actor.kind === 'token') return [actor.workspaceId];
  if (actor.kind !== 'user') return [];
  if (actor.isOwner) return (await workspacesRepo.all(db)).map((w) => w.id);
  return (await workspacesRepo.forUser(db, actor.userId)).map((w) => w.id);
}
