// Writing audit entries: who (actor, role, IP, user agent) did what (action) to what (target), with details that name
// fields and counts but never secrets or personal data. An entry is written in the transaction of the action it
// records (withAudit), so an action without its entry, or an entry without its action, cannot be committed.
import type { Db } from '../../db/index.js';
import { newId, nowIso } from '../../ids.js';
import type { Actor } from '../auth/actor.js';
import { auditRepo } from './repo.js';

export type AuditAction =
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'file.downloaded'
  | 'file.deleted'
  | 'file.released'
  | 'files.zip_downloaded'
  | 'files.exported'
  | 'delivery.resent'
  | 'deliveries.backfilled'
  | 'settings.changed'
  | 'integration.changed'
  | 'member.added'
  | 'member.invited'
  | 'member.invitation_withdrawn'
  | 'member.role_changed'
  | 'member.removed'
  | 'token.created'
  | 'token.revoked'
  | 'visitor.exported'
  | 'visitor.erased'
  | 'retention.applied'
  | 'workspace.quota_set'
  | 'audit.exported';

/** Who acted, and from where. `system` is Parley itself (retention). */
export interface AuditActor {
  actorId: string | null;
  actorRole: 'owner' | 'admin' | 'agent' | 'token' | 'system' | 'anonymous';
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  workspaceId: string | null;
  action: AuditAction;
  /** What it was done to, as "kind:id" (file:…, chat:…, member:…, setting:file-upload). */
  target?: string | null;
  details?: Record<string, unknown>;
}

export const SYSTEM_ACTOR: AuditActor = { actorId: null, actorRole: 'system', ip: null, userAgent: null };

/** The audit identity of an API caller: a user (with their role here) or a token. */
export function auditActorOf(
  actor: Actor | undefined,
  role: 'admin' | 'agent' | undefined,
  from: { ip?: string | null; userAgent?: string | null },
): AuditActor {
  const where = { ip: from.ip ?? null, userAgent: from.userAgent?.slice(0, 500) ?? null };
  if (actor?.kind === 'user')
    return { actorId: actor.userId, actorRole: actor.isOwner ? 'owner' : (role ?? 'agent'), ...where };
  if (actor?.kind === 'token') return { actorId: actor.tokenId, actorRole: 'token', ...where };
  return { actorId: null, actorRole: 'anonymous', ...where };
}

/** Appends one entry through `db`, which should be the transaction of the action it records. */
export async function recordAudit(db: Db, who: AuditActor, entry: AuditEntry): Promise<void> {
  await auditRepo.append(db, {
    id: newId(),
    workspace_id: entry.workspaceId,
    at: nowIso(),
    actor_id: who.actorId,
    actor_role: who.actorRole,
    action: entry.action,
    target: entry.target ?? null,
    ip: who.ip,
    user_agent: who.userAgent,
    details: JSON.stringify(entry.details ?? {}),
  });
}

/**
 * Runs `work` in a transaction and appends the entry in that same transaction (the entry may depend on the result;
 * an entry function that returns undefined records nothing: the work changed nothing).
 */
export async function withAudit<T>(
  db: Db,
  who: AuditActor,
  entry: AuditEntry | ((result: T) => AuditEntry | undefined),
  work: (trx: Db) => Promise<T>,
): Promise<T> {
  const run = async (trx: Db) => {
    const result = await work(trx);
    const e = typeof entry === 'function' ? entry(result) : entry;
    if (e) await recordAudit(trx, who, e);
    return result;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** The names of the fields a change touched (the values are never recorded: some are secrets). */
export function changedFields(input: object): string[] {
  return Object.entries(input)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort();
}

/** The entry of a settings or integration form saved: which fields the body changed (names only, never values). */
export function formSaved(
  action: 'settings.changed' | 'integration.changed',
  workspaceId: string,
  target: string,
  body: object,
): AuditEntry {
  return { workspaceId, action, target, details: { fields: changedFields(body) } };
}
