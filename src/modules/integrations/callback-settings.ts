// The workspace's external callback: its URL (vetted against private networks when saved, and again when sent),
// on/off, and the Standard Webhooks signing secret (encrypted at rest, rotatable).
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Deps } from '../../deps.js';
import { AppError, validationFailed } from '../../errors.js';
import { newId, nowIso } from '../../ids.js';
import { generateSigningSecret } from '../deliveries/targets/signing.js';
import { sendCallback } from '../deliveries/targets/callback.js';
import { assertPublicUrl, SsrfError } from '../deliveries/targets/ssrf.js';

export interface CallbackSettingsView { configured: boolean; url: string; disabled: boolean; signingSecret: string | null; updatedAt: string | null }

const row = (deps: Deps, workspaceId: string) =>
  deps.db.selectFrom('callback_integrations').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();

export async function getCallbackSettings(deps: Deps, workspaceId: string): Promise<CallbackSettingsView> {
  const r = await row(deps, workspaceId);
  if (!r) return { configured: false, url: '', disabled: true, signingSecret: null, updatedAt: null };
  return { configured: true, url: r.url, disabled: r.disabled === 1, signingSecret: deps.keyring.decrypt(r.signing_secret_enc), updatedAt: r.updated_at };
}

export async function putCallbackSettings(deps: Deps, workspaceId: string, input: { url?: string; disabled?: boolean; rotateSecret?: boolean }) {
  const current = await row(deps, workspaceId);
  const url = (input.url ?? current?.url ?? '').trim();
  try {
    if (!url) throw new SsrfError('Enter the callback URL', 'invalid-url');
    await assertPublicUrl(url, { allowPrivate: deps.config.allowPrivateCallbacks, what: 'callback URL' });
  } catch (err) {
    throw validationFailed({ url: err instanceof SsrfError ? err.message : 'Enter a valid http(s) URL' });
  }
  const secretEnc = !current || input.rotateSecret ? deps.keyring.encrypt(generateSigningSecret()) : current.signing_secret_enc;
  const values = { workspace_id: workspaceId, url, disabled: (input.disabled ?? current?.disabled === 1) ? 1 : 0, signing_secret_enc: secretEnc, updated_at: nowIso() };
  await deps.db.insertInto('callback_integrations').values(values)
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ ...values, workspace_id: undefined } as never)).execute();
  return getCallbackSettings(deps, workspaceId);
}

/** Sends a small signed test file to the saved URL and reports what the receiver answered. */
export async function testCallback(deps: Deps, workspaceId: string) {
  const settings = await getCallbackSettings(deps, workspaceId);
  if (!settings.configured || !settings.signingSecret) throw new AppError('VALIDATION_FAILED', 'Save the callback URL first', { fields: { url: 'Not configured' } });
  const body = Buffer.from('This is a test file sent by Parley to check your callback.\n');
  const result = await sendCallback({
    url: settings.url,
    signingSecret: settings.signingSecret,
    deliveryId: `test_${newId()}`,
    fields: { chatID: 'test', fileId: 'test', fileName: 'parley-test.txt', mimeType: 'text/plain', size: String(body.length), sha256: crypto.createHash('sha256').update(body).digest('hex'), uploaderRole: 'agent', workspaceId, createdAt: nowIso(), test: 'true' },
    file: { name: 'parley-test.txt', contentType: 'text/plain', size: body.length, open: async () => Readable.from([body]) },
    allowPrivate: deps.config.allowPrivateCallbacks,
    timeoutMs: 15_000,
  });
  return result.ok
    ? { ok: true, status: result.httpStatus, response: { uid: result.uid, url: result.url } }
    : { ok: false, status: result.httpStatus, error: { code: 'CALLBACK_FAILED', message: result.error }, response: result.responseBody };
}
