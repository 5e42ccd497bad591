// The admin's file upload rules per workspace: on/off per side, allowed extensions per side, one max size in KB.
// Read from the database on every upload (no per-node cache), so a change applies to the very next upload everywhere.
import type { Db } from '../../db/index.js';
import { workspaceRowRepo } from '../../db/workspace-row-repo.js';
import { validationFailed } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { jobsRepo } from '../../jobs/repo.js';

const fileSettingsRows = workspaceRowRepo('file_settings');
export interface FileUploadSettings {
  visitorUploadsEnabled: boolean;
  agentUploadsEnabled: boolean;
  visitorAllowedTypes: string;
  agentAllowedTypes: string;
  maxFileSizeKb: number;
}

export const DEFAULT_ALLOWED_TYPES = 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip';
export const DEFAULT_MAX_FILE_SIZE_KB = 10240;

export function defaultSettings(maxUploadMb: number): FileUploadSettings {
  return {
    visitorUploadsEnabled: true,
    agentUploadsEnabled: true,
    visitorAllowedTypes: DEFAULT_ALLOWED_TYPES,
    agentAllowedTypes: DEFAULT_ALLOWED_TYPES,
    maxFileSizeKb: Math.min(DEFAULT_MAX_FILE_SIZE_KB, maxUploadMb * 1024),
  };
}

/** "PDF| .xlsx |" or "pdf, png" → "pdf|xlsx" / "pdf|png"; undefined for an implausible extension ("p d f"). */
export function normaliseTypes(raw: string): string | undefined {
  const parts = raw
    .split(/[|,;]+/)
    .map((p) => p.trim().replace(/^\.+/, '').toLowerCase())
    .filter((p) => p.length > 0);
  if (parts.some((p) => !/^[a-z0-9][a-z0-9.+_-]{0,19}$/.test(p))) return undefined;
  return [...new Set(parts)].join('|');
}

export function typeList(types: string): string[] {
  return types ? types.split('|') : [];
}

export async function getFileSettings(db: Db, workspaceId: string, maxUploadMb: number): Promise<FileUploadSettings> {
  const row = await fileSettingsRows.get(db, workspaceId);
  if (!row) return defaultSettings(maxUploadMb);
  return {
    visitorUploadsEnabled: row.visitor_uploads_enabled === 1,
    agentUploadsEnabled: row.agent_uploads_enabled === 1,
    visitorAllowedTypes: row.visitor_allowed_types,
    agentAllowedTypes: row.agent_allowed_types,
    // The instance cap applies even to values saved before the operator lowered it.
    maxFileSizeKb: Math.min(row.max_file_size_kb, maxUploadMb * 1024),
  };
}

export async function putFileSettings(
  db: Db,
  workspaceId: string,
  input: Record<string, unknown>,
  maxUploadMb: number,
): Promise<FileUploadSettings> {
  const current = await getFileSettings(db, workspaceId, maxUploadMb);
  const fields: Record<string, string> = {};
  const next = { ...current };
  for (const key of ['visitorUploadsEnabled', 'agentUploadsEnabled'] as const) {
    if (input[key] === undefined) continue;
    if (typeof input[key] !== 'boolean') fields[key] = 'Must be true or false';
    else next[key] = input[key] as boolean;
  }
  for (const key of ['visitorAllowedTypes', 'agentAllowedTypes'] as const) {
    if (input[key] === undefined) continue;
    const raw = input[key];
    const normalised = typeof raw === 'string' ? normaliseTypes(raw) : undefined;
    if (normalised === undefined)
      fields[key] = 'Write extensions joined by |, for example pdf|xlsx (empty allows any type)';
    else next[key] = normalised;
  }
  if (input.maxFileSizeKb !== undefined) {
    const v = input.maxFileSizeKb;
    const capKb = maxUploadMb * 1024;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      fields.maxFileSizeKb = 'Must be a whole number of KB, at least 1';
    else if (v > capKb) fields.maxFileSizeKb = `Must be at most ${capKb} KB (the instance limit)`;
    else next.maxFileSizeKb = v;
  }
  if (Object.keys(fields).length) throw validationFailed(fields);
  const row = {
    workspace_id: workspaceId,
    visitor_uploads_enabled: next.visitorUploadsEnabled ? 1 : 0,
    agent_uploads_enabled: next.agentUploadsEnabled ? 1 : 0,
    visitor_allowed_types: next.visitorAllowedTypes,
    agent_allowed_types: next.agentAllowedTypes,
    max_file_size_kb: next.maxFileSizeKb,
    updated_at: nowIso(),
  };
  await fileSettingsRows.put(db, row);
  // Turned off: the bot's upload requests still open could never be answered; their end is a job of this commit.
  if (current.visitorUploadsEnabled && !next.visitorUploadsEnabled)
    await jobsRepo.enqueue(db, { kind: 'bot.uploads_off', payload: { workspaceId }, runAt: nowIso() });
  return next;
}

/** The visitor side's rules, as the widget session answer carries them. */
export function visitorRules(s: FileUploadSettings) {
  return { enabled: s.visitorUploadsEnabled, allowedTypes: s.visitorAllowedTypes, maxFileSizeKb: s.maxFileSizeKb };
}
export function agentRules(s: FileUploadSettings) {
  return { enabled: s.agentUploadsEnabled, allowedTypes: s.agentAllowedTypes, maxFileSizeKb: s.maxFileSizeKb };
}
