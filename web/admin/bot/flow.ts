// The bot flow as the admin edits it (docs/api.md "Bot flows"), and pure helpers to change it.
// Helpers return new objects: React state is never mutated in place.

// The shapes are the server's own (src/modules/bot/flow.ts), imported as types only.
import type { Flow, FlowBranch, FlowButton, Step, StepKind } from '../../../src/modules/bot/flow.js';

export type { Flow, Step, StepKind };
export type QuestionButton = FlowButton;
export type Branch = FlowBranch;

export const KIND_LABELS: Record<StepKind, string> = {
  message: 'Message',
  question: 'Question',
  upload: 'Ask for a file',
  handoff: 'Hand over to an agent',
  end: 'End',
};

export function newStep(kind: StepKind, taken: string[]): Step {
  let n = 1;
  while (taken.includes(`${kind}-${n}`)) n++;
  const id = `${kind}-${n}`;
  switch (kind) {
    case 'message':
      return { id, kind, text: '' };
    case 'question':
      return { id, kind, text: '', variable: `answer${n}`, buttons: [] };
    case 'upload':
      return { id, kind, prompt: 'Please upload your file', allowedTypes: 'pdf', maxFiles: 1, optional: false, onTimeout: 'remind' };
    case 'handoff':
      return { id, kind, text: 'Let me connect you with an agent.' };
    case 'end':
      return { id, kind, text: 'Thank you!' };
  }
}

export function replaceStep(flow: Flow, index: number, step: Step): Flow {
  const old = flow.steps[index]!;
  const steps = flow.steps.map((s, i) => (i === index ? step : s));
  // Renaming a step keeps the links to it.
  if (old.id !== step.id) return renameLinks({ ...flow, steps }, old.id, step.id);
  return { ...flow, steps };
}

function renameLinks(flow: Flow, from: string, to: string): Flow {
  const fix = (id?: string) => (id === from ? to : id);
  return {
    start: fix(flow.start) ?? '',
    steps: flow.steps.map((s) => ({
      ...s,
      next: fix(s.next),
      buttons: s.buttons?.map((b) => ({ ...b, next: fix(b.next) })),
      branches: s.branches?.map((b) => ({ ...b, next: fix(b.next) ?? '' })),
    })),
  };
}

export function moveStep(flow: Flow, index: number, by: -1 | 1): Flow {
  const to = index + by;
  if (to < 0 || to >= flow.steps.length) return flow;
  const steps = flow.steps.slice();
  [steps[index], steps[to]] = [steps[to]!, steps[index]!];
  return { ...flow, steps };
}

export function removeStep(flow: Flow, index: number): Flow {
  const steps = flow.steps.filter((_, i) => i !== index);
  const removed = flow.steps[index]!.id;
  return { start: flow.start === removed ? steps[0]?.id ?? '' : flow.start, steps };
}

export function addStep(flow: Flow, kind: StepKind): Flow {
  const step = newStep(kind, flow.steps.map((s) => s.id));
  return { start: flow.start || step.id, steps: [...flow.steps, step] };
}

/** The 422 messages that belong to one step ("steps.2.text", "steps[2].text" or "<step id>.text"). */
export function stepErrors(fields: Record<string, string>, index: number, id: string): [string, string][] {
  return Object.entries(fields).filter(([k]) => k.startsWith(`steps.${index}.`) || k.startsWith(`steps[${index}]`) || k === `steps.${index}` || k.startsWith(`${id}.`));
}
