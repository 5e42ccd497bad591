// Runs a flow from one step until it must wait (a question or an upload) or leaves the bot (handoff, end),
// collecting what the bot says on the way. Pure: the runtime commits the result, the preview just shows it.
import { FALLBACK_HANDOFF_TEXT, stepById, type Flow, type Step } from './flow.js';
import { fillTemplate } from './template.js';

export type BotPost =
  | { kind: 'text'; stepId?: string; text: string; buttons?: { label: string }[] }
  | {
      kind: 'upload_request';
      stepId: string;
      text: string;
      prompt: string;
      allowedTypes: string;
      maxFiles: number;
      optional: boolean;
      timeoutSeconds?: number;
    };

export type Stop =
  | { kind: 'answer'; stepId: string }
  | { kind: 'upload'; stepId: string }
  | { kind: 'handoff' }
  | { kind: 'end' };

export interface Walk {
  posts: BotPost[];
  stop: Stop;
}

/** A bound on steps per walk; validation forbids message loops, this keeps a bad stored flow from spinning. */
const MAX_STEPS = 100;

/**
 * Runs the flow from `from`. `visitorUploads: false` (the workspace turned visitor uploads off): the bot does not ask
 * for a file the visitor could not send — an optional upload step is passed over to its next step, a required one
 * hands the chat over to an agent.
 */
export function walk(
  flow: Flow,
  from: string | undefined,
  vars: Record<string, string>,
  { visitorUploads = true }: { visitorUploads?: boolean } = {},
): Walk {
  const posts: BotPost[] = [];
  let step = stepById(flow, from);
  for (let n = 0; step && n < MAX_STEPS; n++) {
    const text = step.text ? fillTemplate(step.text, vars) : undefined;
    if (step.kind === 'upload' && !visitorUploads) {
      if (!step.optional) return handoff(flow, vars, posts);
      step = stepById(flow, step.next);
      continue;
    }
    switch (step.kind) {
      case 'message':
        if (text) posts.push({ kind: 'text', stepId: step.id, text });
        step = stepById(flow, step.next);
        continue;
      case 'question':
        posts.push(questionPost(step, vars));
        return { posts, stop: { kind: 'answer', stepId: step.id } };
      case 'upload':
        posts.push(uploadPost(step, vars));
        return { posts, stop: { kind: 'upload', stepId: step.id } };
      case 'handoff':
        if (text) posts.push({ kind: 'text', stepId: step.id, text });
        return { posts, stop: { kind: 'handoff' } };
      case 'end':
        if (text) posts.push({ kind: 'text', stepId: step.id, text });
        return { posts, stop: { kind: 'end' } };
    }
  }
  // A step with nowhere to go hands the visitor over rather than leaving them with a silent bot.
  return handoff(flow, vars, posts);
}

/** Hands over at once, saying the flow's own handoff text when it has one. */
export function handoff(flow: Flow, vars: Record<string, string>, posts: BotPost[] = []): Walk {
  const own = flow.steps.find((s) => s.kind === 'handoff' && s.text);
  posts.push({ kind: 'text', stepId: own?.id, text: own?.text ? fillTemplate(own.text, vars) : FALLBACK_HANDOFF_TEXT });
  return { posts, stop: { kind: 'handoff' } };
}

export function questionPost(step: Step, vars: Record<string, string>, text?: string): BotPost {
  const post: BotPost = { kind: 'text', stepId: step.id, text: text ?? fillTemplate(step.text ?? '', vars) };
  if (step.buttons?.length) post.buttons = step.buttons.map((b) => ({ label: fillTemplate(b.label, vars) }));
  return post;
}

function uploadPost(step: Step, vars: Record<string, string>): BotPost {
  const prompt = fillTemplate(step.prompt ?? '', vars);
  return {
    kind: 'upload_request',
    stepId: step.id,
    text: step.text ? fillTemplate(step.text, vars) : prompt,
    prompt,
    allowedTypes: step.allowedTypes ?? '',
    maxFiles: step.maxFiles ?? 1,
    optional: step.optional === true,
    timeoutSeconds: step.timeoutSeconds,
  };
}
