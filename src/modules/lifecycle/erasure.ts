// A visitor's erasure (GDPR art. 17): the request revokes the visitor's token, writes the audit entry (no personal
// data: the visitor's opaque id and counts) and the durable erasure job in one transaction; the job then removes the
// files (with their forwarded copies, per the integrations' settings), chats, messages, uploads in progress and the
// visitor, in batches that each commit, so a crash resumes with what is left.
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { jobsRepo } from '../../jobs/repo.js';
import { type AuditActor, withAudit } from '../audit/record.js';
import { afterPurge, purgeRows } from '../files/purge.js';
import { lifecycleRepo } from './repo.js';
import { visitorRepo } from './visitor-repo.js';

const BATCH = 100;

/** Starts erasing a visitor of the workspace (NOT_FOUND for anyone else's); their sockets are dropped on every node. */
export async function requestErasure(deps: Deps, workspaceId: string, visitorId: string, who: AuditActor) {
  const visitor = await visitorRepo.visitor(deps.db, workspaceId, visitorId);
  if (!visitor) throw notFound();
  const chats = await visitorRepo.chatsOf(deps.db, [visitorId]);
  const entry = {
    workspaceId,
    action: 'visitor.erased' as const,
    target: `visitor:${visitorId}`,
    details: { chats: chats.length },
  };
  await withAudit(deps.db, who, entry, async (trx) => {
    // From now on the widget's token signs nothing in: no new chat, message or upload can slip past the erasure.
    // Already being erased (a request at the same moment, or before the job finished): nothing more to start.
    if (!(await visitorRepo.revokeToken(trx, visitorId))) throw notFound();
    await jobsRepo.enqueueOnce(trx, `erase:${visitorId}`, {
      kind: 'lifecycle.erase_visitor',
      payload: { workspaceId, visitorId },
    });
  });
  for (const c of chats) deps.realtime.disconnectChat(c.id);
  deps.jobs.wake();
  return { chats: chats.length };
}

/** The erasure job; idempotent (an already erased visitor is nothing to do). */
export const eraseVisitorJob = (deps: Deps) => ({
  async run({ workspaceId, visitorId }: { workspaceId: string; visitorId: string }) {
    const chats = (await visitorRepo.chatsOf(deps.db, [visitorId])).filter((c) => c.workspace_id === workspaceId);
    const chatIds = chats.map((c) => c.id);
    for (;;) {
      const files = await lifecycleRepo.filesOfChats(deps.db, chatIds, BATCH);
      if (files.length === 0) break;
      await deps.db.transaction().execute((trx) => purgeRows(trx, files, SYSTEM_ERASURE, 'erasure'));
      await afterPurge(deps, files, { announce: false });
    }
    const uploads = await visitorRepo.uploadsOf(deps.db, chatIds);
    await deps.db.transaction().execute(async (trx) => {
      for (const u of uploads) await jobsRepo.enqueue(trx, { kind: 'uploads.remove', payload: { uploadId: u.id } });
      await lifecycleRepo.deleteChats(trx, chatIds);
      await visitorRepo.deleteUploadsAndVisitor(trx, chatIds, visitorId);
    });
    deps.jobs.wake();
    for (const c of chats) {
      deps.realtime.disconnectChat(c.id);
      deps.realtime.toWorkspaceAgents(workspaceId, 'chat.deleted', { chatId: c.id });
    }
  },
});

/** purgeRows writes no per-file entries for an erasure; the request's entry is the record. */
const SYSTEM_ERASURE: AuditActor = { actorId: null, actorRole: 'system', ip: null, userAgent: null };
