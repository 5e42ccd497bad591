// Members join by invitation: the admin gets a one-time sign-in link to pass on (no e-mail server needed); the
// invitee opens it and either creates their account or confirms with their existing account's password. The
// admin's answer is the same whether or not the e-mail has an account, so it reveals nobody (issue 12, item 10).
import type { Db, Dialect } from '../../db/index.js';
import { holdUntilCommit } from '../../db/lock-repo.js';
import type { InvitationsTable } from '../../db/types.js';
import { AppError, notFound, validationFailed } from '../../errors.js';
import { newId, nowIso, randomToken, sha256Hex } from '../../ids.js';
import { authRepo } from '../auth/repo.js';
import { recordAudit } from '../audit/record.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { invitationsRepo } from './invitations-repo.js';
import { workspacesRepo } from './repo.js';
import { cleanName } from '../../text.js';
import { emailProblem } from '../../email.js';

const INVITATION_DAYS = 7;
export const MIN_PASSWORD = 8;

export interface InvitationView {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  status: 'pending';
  createdAt: string;
  expiresAt: string;
  /** Only in the answer that created it: the one-time sign-in link to give the invitee. */
  link?: string;
}

export function invitationView(i: InvitationsTable, link?: string): InvitationView {
  const v: InvitationView = {
    id: i.id,
    email: i.email,
    name: i.name,
    role: i.role,
    status: 'pending',
    createdAt: i.created_at,
    expiresAt: i.expires_at,
  };
  if (link) v.link = link;
  return v;
}

export const invitationLink = (publicUrl: string, token: string) =>
  `${publicUrl}/console/#${new URLSearchParams({ invite: token }).toString()}`;

export async function inviteMember(
  db: Db,
  dialect: Dialect,
  publicUrl: string,
  workspaceId: string,
  input: { email: string; name?: string; role: 'admin' | 'agent'; password?: string },
  createdBy: string | null,
): Promise<InvitationView> {
  const email = input.email.trim().toLowerCase();
  const fields: Record<string, string> = {};
  const problem = emailProblem(email);
  if (problem) fields.email = problem;
  if (input.password !== undefined)
    fields.password = 'Members choose their own password: give them the invitation link instead';
  if (Object.keys(fields).length) throw validationFailed(fields);
  // A member already (the instance owner is an admin of every workspace): an invitation would only change the role
  // behind Members' back. This workspace's members are the admin's to see, so the answer reveals no one new.
  const user = await authRepo.findUserByEmail(db, email);
  if (user && (user.is_owner === 1 || (await workspacesRepo.membership(db, workspaceId, user.id))))
    throw new AppError('CONFLICT', 'This person is already a member of the workspace', {
      fields: { email: 'Already a member of this workspace' },
    });
  // Inviting again replaces the pending invitation (a fresh link; the old one stops working): one row per e-mail,
  // also when the same invitation is sent several times at once.
  await holdUntilCommit(db, dialect, `invite:${workspaceId}:${email}`);
  await invitationsRepo.withdrawPendingFor(db, workspaceId, email);
  const token = randomToken('inv_');
  const now = new Date();
  const row: InvitationsTable = {
    id: newId(),
    workspace_id: workspaceId,
    email,
    name: cleanName(input.name),
    role: input.role,
    token_hash: sha256Hex(token),
    created_by: createdBy,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + INVITATION_DAYS * 864e5).toISOString(),
    accepted_at: null,
  };
  await invitationsRepo.insert(db, row);
  return invitationView(row, invitationLink(publicUrl, token));
}

/** What the invitee sees before accepting: the workspace, the role, and whether to create or confirm an account. */
export async function describeInvitation(db: Db, token: string) {
  const inv = await invitationsRepo.byToken(db, token);
  if (!inv) throw notFound('This invitation was already used, was withdrawn or has expired');
  const ws = await workspacesRepo.byId(db, inv.workspace_id);
  if (!ws) throw notFound('This invitation was already used, was withdrawn or has expired');
  const user = await authRepo.findUserByEmail(db, inv.email);
  return {
    invitation: { email: inv.email, name: inv.name, role: inv.role, workspace: { id: ws.id, name: ws.name } },
    hasAccount: !!user,
  };
}

/**
 * Accepts with a new account (name + password) or with the existing account's password, or as the signed-in user
 * the invitation is for. Returns the user to sign in.
 */
export async function acceptInvitation(
  db: Db,
  token: string,
  input: { name?: string; password?: string; sessionUserId?: string; ip?: string; userAgent?: string },
) {
  const inv = await invitationsRepo.byToken(db, token);
  if (!inv) throw notFound('This invitation was already used, was withdrawn or has expired');
  let user = await authRepo.findUserByEmail(db, inv.email);
  if (user) {
    const signedInAsInvitee = input.sessionUserId === user.id;
    if (!signedInAsInvitee && !(input.password && (await verifyPassword(input.password, user.password_hash))))
      throw validationFailed({ password: 'Wrong password for this account' });
  } else {
    if (!input.password || input.password.length < MIN_PASSWORD)
      throw validationFailed({ password: `Choose a password of at least ${MIN_PASSWORD} characters` });
  }
  const passwordHash = user ? undefined : await hashPassword(input.password!);
  return db.transaction().execute(async (trx) => {
    if (!(await invitationsRepo.markAccepted(trx, inv.id)))
      throw notFound('This invitation was already used, was withdrawn or has expired');
    user ??= await authRepo.insertUser(trx, {
      email: inv.email,
      name: cleanName(input.name) || inv.name || inv.email,
      passwordHash: passwordHash!,
      isOwner: false,
    });
    await workspacesRepo.addMember(trx, inv.workspace_id, user.id, inv.role);
    await recordAudit(
      trx,
      { actorId: user.id, actorRole: inv.role, ip: input.ip ?? null, userAgent: input.userAgent ?? null },
      {
        workspaceId: inv.workspace_id,
        action: 'member.added',
        target: `user:${user.id}`,
        details: { role: inv.role, via: 'invitation' },
      },
    );
    return { user, workspaceId: inv.workspace_id, acceptedAt: nowIso() };
  });
}

export const pendingInvitations = async (db: Db, workspaceId: string) =>
  (await invitationsRepo.pending(db, workspaceId)).map((i) => invitationView(i));

export async function revokeInvitation(db: Db, workspaceId: string, id: string) {
  const r = await invitationsRepo.revoke(db, workspaceId, id);
  if (Number(r.numDeletedRows) === 0) throw notFound('No such invitation');
}
