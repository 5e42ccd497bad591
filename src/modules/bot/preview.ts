// A dry run of a flow for the admin: what a new visitor would see until the bot first waits for them.
// Writes nothing; the pretend visitor has answered nothing, so variables stay visible as {{name}}.
import type { Deps } from '../../deps.js';
import { validationFailed } from '../../errors.js';
import { stepById } from './flow.js';
import { getBot } from './flows.js';
import { walkFor } from './runtime.js';

export async function previewFlow(deps: Deps, workspaceId: string, source: 'draft' | 'published', from?: string) {
  const bot = await getBot(deps, workspaceId);
  const flow = source === 'draft' ? bot.draft : bot.published;
  if (from !== undefined && !stepById(flow, from))
    throw validationFailed({ from: `The ${source} flow has no step of that id` });
  const unanswered = new Proxy({} as Record<string, string>, { get: (_t, name) => `{{${String(name)}}}` });
  // As a visitor would see it now: with visitor uploads off, the bot asks for no file.
  const { posts, stop } = await walkFor(deps, workspaceId, flow, from ?? flow.start, unanswered);
  return {
    source,
    ...(source === 'published' ? { version: bot.published.version } : {}),
    transcript: posts.map((p) => ({
      stepId: p.stepId,
      kind: p.kind,
      text: p.text,
      ...(p.kind === 'text' && p.buttons ? { buttons: p.buttons } : {}),
      ...(p.kind === 'upload_request'
        ? { request: { prompt: p.prompt, allowedTypes: p.allowedTypes, maxFiles: p.maxFiles, optional: p.optional } }
        : {}),
    })),
    waitsFor:
      stop.kind === 'answer' ? 'answer' : stop.kind === 'upload' ? 'upload' : stop.kind === 'handoff' ? 'agent' : 'end',
    ...('stepId' in stop ? { stepId: stop.stepId } : {}),
  };
}
