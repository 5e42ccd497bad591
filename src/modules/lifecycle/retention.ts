// Retention per workspace: files older than N days (optionally per side), closed chats' messages after M days, and
// the audit log after its own number of days. Applied by one durable hourly job in batches: every batch commits on
// its own, so a crash resumes with what is still due, and a pass with more to do re-queues itself at once.
import type { Deps } from '../../deps.js';
import type { Db } from '../../db/index.js';
import type { FilesTable, RetentionSettingsTable } from '../../db/types.js';
import { validationFailed } from '../../errors.js';
import { newId, nowIso } from '../../ids.js';
import { jobsRepo } from '../../jobs/repo.js';
import { recordAudit, SYSTEM_ACTOR } from '../audit/record.js';
import { afterPurge, purgeRows } from '../files/purge.js';
import { lifecycleRepo } from './repo.js';
import { auditRepo } from '../audit/repo.js';

export interface RetentionSettings {
  filesDays: number;
  visitorFilesDays: number | null;
  agentFilesDays: number | null;
  closedChatsDays: number | null;
  auditDays: number;
}

const DAY_MS = 86_400_000;
const BATCH = 100;
/** Batches per workspace per pass; more is left to the next pass, queued at once. */
const BATCHES_PER_PASS = 10;
const HOUR_MS = 3_600_000;

export function retentionView(r: RetentionSettingsTable | undefined): RetentionSettings {
  return {
    filesDays: r?.files_days ?? 0,
    visitorFilesDays: r?.visitor_files_days ?? null,
    agentFilesDays: r?.agent_files_days ?? null,
    closedChatsDays: r?.closed_chats_days ?? null,
    auditDays: r?.audit_days ?? 0,
  };
}

export async function getRetention(db: Db, workspaceId: string): Promise<RetentionSettings> {
  return retentionView(await lifecycleRepo.retention(db, workspaceId));
}

export async function putRetention(db: Db, workspaceId: string, input: Partial<RetentionSettings>) {
  const next = { ...(await getRetention(db, workspaceId)), ...input };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(next)) {
    const optional = k === 'visitorFilesDays' || k === 'agentFilesDays' || k === 'closedChatsDays';
    if (v === null && optional) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 36_500)
      fields[k] = 'A whole number of days from 0 (keep forever) to 36500';
  }
  if (Object.keys(fields).length) throw validationFailed(fields);
  await lifecycleRepo.putRetention(db, {
    workspace_id: workspaceId,
    files_days: next.filesDays,
    visitor_files_days: next.visitorFilesDays,
    agent_files_days: next.agentFilesDays,
    closed_chats_days: next.closedChatsDays,
    audit_days: next.auditDays,
    updated_at: nowIso(),
  });
  // Apply the new rules soon rather than at the next hour.
  await jobsRepo.enqueueOnce(db, `retention:now:${newId()}`, { kind: 'lifecycle.retention', payload: {} });
  return next;
}

/** Days a side's files are kept (0 = forever): the side's own setting when set, else the workspace's. */
export function keepDays(s: RetentionSettings, side: FilesTable['uploader_role']): number {
  const own = side === 'visitor' ? s.visitorFilesDays : s.agentFilesDays;
  return own !== null && own !== undefined && own > 0 ? own : s.filesDays;
}

/** When retention will delete this file, or null when it is kept forever. */
export function deletionDate(s: RetentionSettings, f: Pick<FilesTable, 'uploader_role' | 'created_at'>): string | null {
  const days = keepDays(s, f.uploader_role);
  return days > 0 ? new Date(Date.parse(f.created_at) + days * DAY_MS).toISOString() : null;
}

/** Sets up the hourly schedule (each node may; the id makes it one job per hour). */
export async function scheduleRetention(db: Db, at = Date.now()) {
  const hour = new Date(Math.ceil(at / HOUR_MS) * HOUR_MS).toISOString();
  await jobsRepo.enqueueOnce(db, `retention:${hour}`, { kind: 'lifecycle.retention', payload: {} });
}

/** One workspace's due work, at most BATCHES_PER_PASS batches; true when more is left. */
async function applyToWorkspace(deps: Deps, row: RetentionSettingsTable): Promise<boolean> {
  const s = retentionView(row);
  const now = Date.now();
  const cutoff = (days: number) => new Date(now - days * DAY_MS).toISOString();
  let filesDeleted = 0;
  let chatsDeleted = 0;
  let batches = 0;
  const sides = (['visitor', 'agent'] as const).filter((side) => keepDays(s, side) > 0);
  for (const side of sides) {
    for (;;) {
      if (batches++ >= BATCHES_PER_PASS) return true;
      const files = await lifecycleRepo.filesOlderThan(
        deps.db,
        row.workspace_id,
        side,
        cutoff(keepDays(s, side)),
        BATCH,
      );
      if (files.length === 0) break;
      await deps.db.transaction().execute((trx) => purgeRows(trx, files, SYSTEM_ACTOR, 'retention'));
      await afterPurge(deps, files, { announce: true });
      filesDeleted += files.length;
      if (files.length < BATCH) break;
    }
  }
  if (s.closedChatsDays && s.closedChatsDays > 0) {
    for (;;) {
      if (batches++ >= BATCHES_PER_PASS) return true;
      const chats = await lifecycleRepo.closedChatsBefore(deps.db, row.workspace_id, cutoff(s.closedChatsDays), 20);
      if (chats.length === 0) break;
      const ids = chats.map((c) => c.id);
      const files = await lifecycleRepo.filesOfChats(deps.db, ids);
      await deps.db.transaction().execute(async (trx) => {
        await purgeRows(trx, files, SYSTEM_ACTOR, 'retention');
        await lifecycleRepo.deleteChats(trx, ids);
      });
      await afterPurge(deps, files, { announce: false });
      filesDeleted += files.length;
      chatsDeleted += chats.length;
    }
  }
  let auditPruned = 0;
  if (s.auditDays > 0)
    auditPruned = Number((await auditRepo.prune(deps.db, row.workspace_id, cutoff(s.auditDays))).numDeletedRows);
  if (filesDeleted + chatsDeleted > 0)
    await recordAudit(deps.db, SYSTEM_ACTOR, {
      workspaceId: row.workspace_id,
      action: 'retention.applied',
      details: { filesDeleted, chatsDeleted, auditPruned },
    });
  return false;
}

export const retentionJob = (deps: Deps) => ({
  async run() {
    // The next hour first: a run that fails for good does not end the hourly passes.
    await scheduleRetention(deps.db, Date.now() + 1000);
    let more = false;
    for (const row of await lifecycleRepo.retainingWorkspaces(deps.db)) {
      if (await applyToWorkspace(deps, row)) more = true;
    }
    if (more)
      await jobsRepo.enqueueOnce(deps.db, `retention:more:${newId()}`, { kind: 'lifecycle.retention', payload: {} });
  },
});
