// What the operator does from the command line (`parley create-admin`, `parley reset-password`): the way back in
// when the owner's password is lost. Same rules as sign-up in the API; knows nothing of argv or stdin.
import crypto from 'node:crypto';
import type { Db } from '../../db/index.js';
import { AppError, notFound, validationFailed } from '../../errors.js';
import { hashPassword } from './passwords.js';
import { authRepo } from './repo.js';
import { workspacesRepo } from '../workspaces/repo.js';
import { cleanName } from '../../text.js';
import { emailProblem } from '../../email.js';

export const generatePassword = () => crypto.randomBytes(12).toString('base64url');

function checkPassword(password: string) {
  if (password.length < 8)
    throw validationFailed({ password: 'Use at least 8 characters' }, 'The password must have at least 8 characters');
}

/** A new instance admin (owner rights: admin of every workspace). Refuses an email that is already taken. */
export async function createInstanceAdmin(db: Db, input: { email: string; name?: string; password: string }) {
  const email = input.email.trim().toLowerCase();
  const problem = emailProblem(email);
  if (problem) throw validationFailed({ email: problem }, `${email} is not an email address: ${problem}`);
  checkPassword(input.password);
  if (await authRepo.findUserByEmail(db, email)) throw new AppError('CONFLICT', `${email} already has an account`);
  const user = await authRepo.insertUser(db, {
    email,
    name: cleanName(input.name) || email,
    passwordHash: await hashPassword(input.password),
    isOwner: true,
  });
  const first = await workspacesRepo.first(db);
  if (first) await workspacesRepo.addMember(db, first.id, user.id, 'admin');
  return { id: user.id, email };
}

/** Sets a user's password and signs them out everywhere. */
export async function resetPassword(db: Db, input: { email: string; password: string }) {
  const email = input.email.trim().toLowerCase();
  checkPassword(input.password);
  const user = await authRepo.findUserByEmail(db, email);
  if (!user) throw notFound(`No user with email ${email}`);
  await authRepo.replacePasswordHash(db, user.id, await hashPassword(input.password));
  return { id: user.id, email };
}
