// Storage usage per workspace and the owner-set quota: what is stored (bytes, files, by side, by type) and how much
// room an upload has left. The quota counts the files' own bytes (thumbnails are Parley's, not the workspace's).
import type { Db, Dialect } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { lifecycleRepo } from './repo.js';

export function quotaExceeded(): AppError {
  return new AppError('QUOTA_EXCEEDED', "This workspace's storage quota is full; delete files or ask for more room");
}

/**
 * Inside the commit's transaction: the workspace's quota still holds with `addedBytes` more. Uploads are admitted
 * against the room left when they start; uploads running side by side (or tus uploads created while there was room)
 * would together overrun it without this last, serialised check. Workspaces without a quota pay one read.
 */
export async function holdWorkspaceQuota(db: Db, dialect: Dialect, workspaceId: string, addedBytes: number) {
  if ((await lifecycleRepo.quotaBytes(db, workspaceId)) === null) return;
  const quota = await lifecycleRepo.lockedQuotaBytes(db, dialect, workspaceId);
  if (quota === null) return;
  if ((await lifecycleRepo.storedBytes(db, workspaceId)) + addedBytes > Number(quota)) throw quotaExceeded();
}

/** Bytes an upload may still store in the workspace, or undefined when it has no quota. */
export async function workspaceQuotaLeft(db: Db, workspaceId: string): Promise<number | undefined> {
  const quota = await lifecycleRepo.quotaBytes(db, workspaceId);
  if (quota === null || quota === undefined) return undefined;
  return Number(quota) - (await lifecycleRepo.storedBytes(db, workspaceId));
}

export interface UsageView {
  bytes: number;
  files: number;
  quotaBytes: number | null;
  bySide: Record<'visitor' | 'agent', { bytes: number; files: number }>;
  byType: { type: string; bytes: number; files: number }[];
}

export async function workspaceUsage(db: Db, workspaceId: string): Promise<UsageView> {
  const rows = await lifecycleRepo.usageBreakdown(db, workspaceId);
  const view: UsageView = {
    bytes: 0,
    files: 0,
    quotaBytes: null,
    bySide: { visitor: { bytes: 0, files: 0 }, agent: { bytes: 0, files: 0 } },
    byType: [],
  };
  const byType = new Map<string, { bytes: number; files: number }>();
  for (const r of rows) {
    const bytes = Number(r.bytes ?? 0);
    const files = Number(r.files);
    view.bytes += bytes;
    view.files += files;
    const side = view.bySide[r.uploader_role === 'visitor' ? 'visitor' : 'agent'];
    side.bytes += bytes;
    side.files += files;
    const t = byType.get(r.extension || '(none)') ?? { bytes: 0, files: 0 };
    t.bytes += bytes;
    t.files += files;
    byType.set(r.extension || '(none)', t);
  }
  view.byType = [...byType].map(([type, v]) => ({ type, ...v })).sort((a, b) => b.bytes - a.bytes);
  const quota = await lifecycleRepo.quotaBytes(db, workspaceId);
  view.quotaBytes = quota === null ? null : Number(quota);
  return view;
}
