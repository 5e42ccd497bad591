// The workspace's external callback: its URL (vetted against private networks when saved, and again when sent),
// on/off, and the Standard Webhooks signing secret (encrypted at rest, rotatable).
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Deps } from '../../deps.js';
import { integrationsRepo } from './repo.js';
import { AppError, validationFailed } from '../../errors.js';
import { newId, nowIso } from '../../ids.js';
import { generateSigningSecret } from '../deliveries/targets/signing.js';
import { sendCallback } from '../deliveries/targets/callback.js';
import { assertPublicUrl, SsrfError } from '../deliveries/targets/ssrf.js';

export interface CallbackSettingsView {
  configured: boolean;
  url: string;
  disabled: boolean;
  signingSecret: string | null;
  /** "Also delete forwarded copies": the receiver gets a signed file.deleted event. */
  deleteCopies: boolean;
  updatedAt: string | null;
}

const rows = integrationsRepo.callback;
const row = (deps: Deps, workspaceId: string) => rows.get(deps.db, workspaceId);

export async function getCallbackSettings(deps: Deps, workspaceId: string): Promise<CallbackSettingsView> {
  const r = await row(deps, workspaceId);
  if (!r)
    return { configured: false, url: '', disabled: true, signingSecret: null, deleteCopies: false, updatedAt: null };
  return {
    configured: true,
    url: r.url,
    disabled: r.disabled === 1,
    // Sealed under another PARLEY_SECRET_KEY: unreadable, shown as unset; the next save makes a new one.
    signingSecret: deps.keyring.tryDecrypt(r.signing_secret_enc) ?? null,
    deleteCopies: r.delete_copies === 1,
    updatedAt: r.updated_at,
  };
}

export async function putCallbackSettings(
  deps: Deps,
  workspaceId: string,
  input: { url?: string; disabled?: boolean; rotateSecret?: boolean; deleteCopies?: boolean },
) {
  const current = await row(deps, workspaceId);
  const url = (input.url ?? current?.url ?? '').trim();
  try {
    if (!url) throw new SsrfError('Enter the callback URL', 'invalid-url');
    await assertPublicUrl(url, { allowPrivate: deps.config.allowPrivateCallbacks, what: 'callback URL' });
  } catch (err) {
    throw validationFailed({ url: err instanceof SsrfError ? err.message : 'Enter a valid http(s) URL' });
  }
  const secretEnc =
    !current || input.rotateSecret || deps.keyring.tryDecrypt(current.signing_secret_enc) === undefined
      ? deps.keyring.encrypt(generateSigningSecret())
      : current.signing_secret_enc;
  const values = {
    workspace_id: workspaceId,
    url,
    disabled: (input.disabled ?? current?.disabled === 1) ? 1 : 0,
    signing_secret_enc: secretEnc,
    delete_copies: (input.deleteCopies ?? current?.delete_copies === 1) ? 1 : 0,
    updated_at: nowIso(),
  };
  await rows.put(deps.db, values);
  return getCallbackSettings(deps, workspaceId);
}

/** Sends a small signed test file to the form's (or the saved) URL and reports what the receiver answered. */
export async function testCallback(deps: Deps, workspaceId: string, input: { url?: string } = {}) {
  const saved = await getCallbackSettings(deps, workspaceId);
  // "Test" uses the URL in the form when given (nothing is saved); else the saved one. An unsaved receiver is signed
  // with the saved secret, or a throwaway one before the first save.
  const url = (input.url ?? '').trim();
  if (url) {
    try {
      await assertPublicUrl(url, { allowPrivate: deps.config.allowPrivateCallbacks, what: 'callback URL' });
    } catch (err) {
      throw validationFailed({ url: err instanceof SsrfError ? err.message : 'Enter a valid http(s) URL' });
    }
  }
  const settings = url ? { url, signingSecret: saved.signingSecret ?? generateSigningSecret() } : saved;
  if (!settings.url || !settings.signingSecret)
    throw new AppError('VALIDATION_FAILED', 'Enter the callback URL', { fields: { url: 'Not configured' } });
  const body = Buffer.from('This is a test file sent by Parley to check your callback.\n');
  const result = await sendCallback({
    url: settings.url,
    signingSecret: settings.signingSecret,
    deliveryId: `test_${newId()}`,
    fields: {
      chatID: 'test',
      fileId: 'test',
      fileName: 'parley-test.txt',
      mimeType: 'text/plain',
      size: String(body.length),
      sha256: crypto.createHash('sha256').update(body).digest('hex'),
      uploaderRole: 'agent',
      workspaceId,
      createdAt: nowIso(),
      test: 'true',
    },
    file: {
      name: 'parley-test.txt',
      contentType: 'text/plain',
      size: body.length,
      open: async () => Readable.from([body]),
    },
    allowPrivate: deps.config.allowPrivateCallbacks,
    timeoutMs: 15_000,
  });
  return result.ok
    ? {
        ok: true,
        status: result.httpStatus,
        response: { uid: result.uid, url: result.url },
        ...(result.note ? { note: result.note } : {}),
      }
    : {
        ok: false,
        status: result.httpStatus,
        error: { code: 'CALLBACK_FAILED', message: result.error },
        response: result.responseBody,
      };
}
