// The workspace's own S3 bucket: saved with the secret key encrypted at rest and never shown again (write-only).
import type { Deps } from '../../deps.js';
import { integrationsRepo } from './repo.js';
import { AppError, validationFailed } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { testS3Connection, type S3Target } from '../deliveries/targets/s3.js';
import { assertPublicUrl, SsrfError } from '../deliveries/targets/ssrf.js';

export interface S3SettingsView {
  configured: boolean;
  accessKeyId: string;
  secretAccessKeySet: boolean;
  region: string;
  bucket: string;
  folder: string;
  endpoint: string | null;
  forcePathStyle: boolean;
  disabled: boolean;
  /** "Also delete forwarded copies". */
  deleteCopies: boolean;
  updatedAt: string | null;
}

export interface S3SettingsInput {
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  bucket?: string;
  folder?: string;
  endpoint?: string | null;
  forcePathStyle?: boolean;
  disabled?: boolean;
  deleteCopies?: boolean;
}

const rows = integrationsRepo.s3;
const row = (deps: Deps, workspaceId: string) => rows.get(deps.db, workspaceId);

export async function getS3Settings(deps: Deps, workspaceId: string): Promise<S3SettingsView> {
  const r = await row(deps, workspaceId);
  if (!r)
    return {
      configured: false,
      accessKeyId: '',
      secretAccessKeySet: false,
      region: '',
      bucket: '',
      folder: '',
      endpoint: null,
      forcePathStyle: false,
      disabled: true,
      deleteCopies: false,
      updatedAt: null,
    };
  return {
    configured: true,
    accessKeyId: r.access_key_id,
    secretAccessKeySet: !!r.secret_enc,
    region: r.region,
    bucket: r.bucket,
    folder: r.folder,
    endpoint: r.endpoint,
    forcePathStyle: r.force_path_style === 1,
    disabled: r.disabled === 1,
    deleteCopies: r.delete_copies === 1,
    updatedAt: r.updated_at,
  };
}

/** "/exports//chats/" → "exports/chats"; path segments "." and ".." are refused by validation. */
export function cleanFolder(folder: string): string {
  return folder
    .trim()
    .split('/')
    .filter((p) => p.length > 0)
    .join('/');
}

/** The form's values over the saved ones, checked like a save (422 naming each field); nothing is written. */
async function formValues(deps: Deps, workspaceId: string, input: S3SettingsInput) {
  const current = await row(deps, workspaceId);
  const fields: Record<string, string> = {};
  const accessKeyId = (input.accessKeyId ?? current?.access_key_id ?? '').trim();
  const region = (input.region ?? current?.region ?? '').trim();
  const bucket = (input.bucket ?? current?.bucket ?? '').trim();
  const folder = cleanFolder(input.folder ?? current?.folder ?? '');
  const endpoint = input.endpoint === undefined ? (current?.endpoint ?? null) : input.endpoint?.trim() || null;
  if (!accessKeyId) fields.accessKeyId = 'Enter the Access Key';
  if (!input.secretAccessKey && !current?.secret_enc) fields.secretAccessKey = 'Enter the Secret Key';
  if (!/^[a-z0-9-]{2,32}$/.test(region)) fields.region = 'Enter a region such as eu-west-1';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    fields.bucket = 'Enter a valid bucket name (3-63 lower-case letters, digits, dots, hyphens)';
  if (folder.split('/').some((p) => p === '.' || p === '..') || folder.length > 512)
    fields.folder = 'The folder may not contain "." or ".." parts';
  if (endpoint) {
    try {
      await assertPublicUrl(endpoint, { allowPrivate: deps.config.allowPrivateCallbacks, what: 'S3 endpoint' });
    } catch (err) {
      fields.endpoint = err instanceof SsrfError ? err.message : 'Enter a valid http(s) URL';
    }
  }
  if (Object.keys(fields).length) throw validationFailed(fields);
  const values = {
    workspace_id: workspaceId,
    access_key_id: accessKeyId,
    secret_enc: input.secretAccessKey ? deps.keyring.encrypt(input.secretAccessKey) : current!.secret_enc,
    region,
    bucket,
    folder,
    endpoint,
    force_path_style: (input.forcePathStyle ?? current?.force_path_style === 1) ? 1 : 0,
    disabled: (input.disabled ?? current?.disabled === 1) ? 1 : 0,
    delete_copies: (input.deleteCopies ?? current?.delete_copies === 1) ? 1 : 0,
    updated_at: nowIso(),
  };
  return values;
}

export async function putS3Settings(deps: Deps, workspaceId: string, input: S3SettingsInput): Promise<S3SettingsView> {
  const values = await formValues(deps, workspaceId, input);
  await rows.put(deps.db, values);
  return getS3Settings(deps, workspaceId);
}

async function formTarget(deps: Deps, workspaceId: string, input: S3SettingsInput) {
  const v = await formValues(deps, workspaceId, input);
  const secretAccessKey = input.secretAccessKey || (v.secret_enc ? deps.keyring.tryDecrypt(v.secret_enc) : undefined);
  if (secretAccessKey === undefined) throw validationFailed({ secretAccessKey: 'Enter the Secret Key' });
  return {
    accessKeyId: v.access_key_id,
    secretAccessKey,
    region: v.region,
    bucket: v.bucket,
    endpoint: v.endpoint ?? undefined,
    forcePathStyle: v.force_path_style === 1,
    folder: v.folder,
  };
}

/** The decrypted target for a delivery or a connection test; undefined when not configured. */
export async function s3Target(
  deps: Deps,
  workspaceId: string,
): Promise<(S3Target & { folder: string; disabled: boolean }) | undefined> {
  const r = await row(deps, workspaceId);
  // A secret sealed under another PARLEY_SECRET_KEY cannot be used: as good as not configured until re-entered.
  const secretAccessKey = r?.secret_enc ? deps.keyring.tryDecrypt(r.secret_enc) : undefined;
  if (!r || secretAccessKey === undefined) return undefined;
  return {
    accessKeyId: r.access_key_id,
    secretAccessKey,
    region: r.region,
    bucket: r.bucket,
    endpoint: r.endpoint ?? undefined,
    forcePathStyle: r.force_path_style === 1,
    folder: r.folder,
    disabled: r.disabled === 1,
  };
}

/** "Test connection": with form values, those (over the saved ones, nothing saved); without, the saved settings. */
export async function testS3Settings(deps: Deps, workspaceId: string, input: S3SettingsInput = {}) {
  const target = Object.keys(input).length
    ? await formTarget(deps, workspaceId, input)
    : await s3Target(deps, workspaceId);
  if (!target)
    throw new AppError('VALIDATION_FAILED', 'Save the AWS S3 settings first', {
      fields: { accessKeyId: 'Not configured' },
    });
  return testS3Connection(target, { allowPrivate: deps.config.allowPrivateCallbacks, folder: target.folder });
}
