// Workspaces, memberships, API tokens and the first-start bootstrap.
import crypto from 'node:crypto';
import type { Db } from '../../db/index.js';
import { AppError, forbidden, notFound, validationFailed } from '../../errors.js';
import type { Actor } from '../auth/actor.js';
import { authRepo } from '../auth/repo.js';
import { hashPassword } from '../auth/passwords.js';
import { workspacesRepo } from './repo.js';
import { stripInvisible } from '../../text.js';

export interface WorkspaceView {
  id: string;
  name: string;
  widgetKey: string;
  role: 'admin' | 'agent';
  createdAt: string;
}

export async function listWorkspaces(db: Db, actor: Actor): Promise<WorkspaceView[]> {
  const view = (w: { id: string; name: string; widget_key: string; created_at: string }, role: 'admin' | 'agent') => ({
    id: w.id,
    name: w.name,
    widgetKey: w.widget_key,
    role,
    createdAt: w.created_at,
  });
  if (actor.kind === 'token') {
    const w = await workspacesRepo.byId(db, actor.workspaceId);
    return w ? [view(w, 'admin')] : [];
  }
  if (actor.kind !== 'user') return [];
  if (actor.isOwner) return (await workspacesRepo.all(db)).map((w) => view(w, 'admin'));
  return (await workspacesRepo.forUser(db, actor.userId)).map((w) => view(w, w.role));
}

export async function createWorkspace(db: Db, actor: Actor, name: string): Promise<WorkspaceView> {
  if (actor.kind !== 'user' || !actor.isOwner) throw forbidden('Only the instance owner may create workspaces');
  const trimmed = stripInvisible(name).trim();
  if (!trimmed) throw validationFailed({ name: 'Give the workspace a name' });
  const w = await workspacesRepo.insert(db, trimmed.slice(0, 200));
  return { id: w.id, name: w.name, widgetKey: w.widget_key, role: 'admin', createdAt: w.created_at };
}

export function embedSnippet(publicUrl: string, widgetKey: string): string {
  return `<script src="${publicUrl}/widget.js" data-key="${widgetKey}" async></script>`;
}

/** The instance owner is an admin of every workspace (the contract): no workspace may demote or remove them. */
async function refuseOwner(db: Db, userId: string, refusal: string) {
  const user = await authRepo.findUserById(db, userId);
  if (user?.is_owner === 1)
    throw new AppError('CONFLICT', `The instance owner is an admin of every workspace: ${refusal}`);
}

/** Sets a member's role; `changed` is false when they had it already (nothing to record or announce). */
export async function setMemberRole(db: Db, workspaceId: string, userId: string, role: 'admin' | 'agent') {
  if (role !== 'admin') await refuseOwner(db, userId, 'they cannot be made an agent');
  // One conditional write: of changes made at once, only one finds the old role.
  const changed = (await workspacesRepo.changeRole(db, workspaceId, userId, role)) > 0;
  if (!changed && !(await workspacesRepo.membership(db, workspaceId, userId))) throw notFound('No such member');
  const user = await authRepo.findUserById(db, userId);
  const member = { id: userId, email: user?.email ?? '', name: user?.name ?? '', role, owner: user?.is_owner === 1 };
  return { member, changed };
}

export async function removeMember(db: Db, workspaceId: string, userId: string) {
  await refuseOwner(db, userId, 'they cannot be removed');
  const r = await workspacesRepo.removeMember(db, workspaceId, userId);
  if (!r.numDeletedRows || Number(r.numDeletedRows) === 0) throw notFound('No such member');
}

/** First start: the default workspace and the owner admin. Creates nothing when a user already exists. */
export async function bootstrap(
  db: Db,
  opts: { adminEmail?: string; adminPassword?: string },
): Promise<{ created: boolean; email?: string; generatedPassword?: string }> {
  if ((await authRepo.countUsers(db)) > 0) return { created: false };
  const email = (opts.adminEmail ?? 'admin@localhost').toLowerCase();
  const generatedPassword = opts.adminPassword ? undefined : crypto.randomBytes(12).toString('base64url');
  const password = opts.adminPassword ?? generatedPassword!;
  if (password.length < 8)
    throw new AppError('VALIDATION_FAILED', 'PARLEY_ADMIN_PASSWORD must be at least 8 characters');
  const owner = await authRepo.insertUser(db, {
    email,
    name: 'Owner',
    passwordHash: await hashPassword(password),
    isOwner: true,
  });
  const ws = (await workspacesRepo.first(db)) ?? (await workspacesRepo.insert(db, 'Default'));
  await workspacesRepo.addMember(db, ws.id, owner.id, 'admin');
  return { created: true, email, generatedPassword };
}
