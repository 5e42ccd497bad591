// A dry run of a flow for the admin: what a new visitor would see until the bot first waits for them.
// Writes nothing; variables are empty because the pretend visitor has answered nothing yet.
import type { Deps } from '../../deps.js';
import { getBot } from './flows.js';
import { walk } from './walk.js';

export async function previewFlow(deps: Deps, workspaceId: string, source: 'draft' | 'published') {
  const bot = await getBot(deps, workspaceId);
  const flow = source === 'draft' ? bot.draft : bot.published;
  const { posts, stop } = walk(flow, flow.start, {});
  return {
    source,
    ...(source === 'published' ? { version: bot.published.version } : {}),
    transcript: posts.map((p) => ({
      stepId: p.stepId,
      kind: p.kind,
      text: p.text,
      ...(p.kind === 'text' && p.buttons ? { buttons: p.buttons } : {}),
      ...(p.kind === 'upload_request' ? { request: { prompt: p.prompt, allowedTypes: p.allowedTypes, maxFiles: p.maxFiles, optional: p.optional } } : {}),
    })),
    waitsFor: stop.kind === 'answer' ? 'answer' : stop.kind === 'upload' ? 'upload' : stop.kind === 'handoff' ? 'agent' : 'end',
    ...('stepId' in stop ? { stepId: stop.stepId } : {}),
  };
}
