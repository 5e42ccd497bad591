// The admin's side of the bot: read the draft and the published flow, save a validated draft, publish it as the
// next version. Running chats keep the version they started with (chats.bot_flow_version).
import type { Deps } from '../../deps.js';
import { type AuditActor, withAudit } from '../audit/record.js';
import { getFileSettings } from '../settings/file-upload.js';
import type { Flow } from './flow.js';
import { botRepo } from './repo.js';
import { validateFlow } from './validate.js';

export async function getBot(deps: Deps, workspaceId: string) {
  const published = await botRepo.published(deps.db, workspaceId);
  const draft = (await botRepo.draft(deps.db, workspaceId)) ?? published.flow;
  return { draft, published: { ...published.flow, version: published.version } };
}

async function validated(deps: Deps, workspaceId: string, flow: { start?: unknown; steps?: unknown }): Promise<Flow> {
  const settings = await getFileSettings(deps.db, workspaceId, deps.config.maxUploadMb);
  return validateFlow(flow, settings.visitorAllowedTypes);
}

export async function saveDraft(deps: Deps, workspaceId: string, flow: { start?: unknown; steps?: unknown }) {
  await botRepo.saveDraft(deps.db, workspaceId, await validated(deps, workspaceId, flow));
  return getBot(deps, workspaceId);
}

/** Validates the draft again (the visitor allow-list may have narrowed since it was saved) and publishes it. */
export async function publish(deps: Deps, workspaceId: string, who: AuditActor): Promise<{ version: number }> {
  const { draft } = await getBot(deps, workspaceId);
  const flow = await validated(deps, workspaceId, draft);
  const entry = (version: number) => ({
    workspaceId,
    action: 'settings.changed' as const,
    target: 'settings:bot',
    details: { published: version },
  });
  for (let attempt = 1; ; attempt++) {
    try {
      // One transaction per attempt (a version number taken meanwhile aborts it), the audit entry in it.
      return {
        version: await withAudit(deps.db, who, entry, (trx) =>
          botRepo.insertVersion(trx, deps.dialect, workspaceId, flow),
        ),
      };
    } catch (err) {
      // Another admin took this version number a moment ago; take the next one.
      if (attempt >= 3) throw err;
    }
  }
}
