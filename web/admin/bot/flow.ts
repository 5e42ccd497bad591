// The bot flow as the admin edits it (docs/api.md "Bot flows"), and pure helpers to change it.
// Helpers return new objects: React state is never mutated in place.

// The shapes are the server's own (src/modules/bot/flow.ts).
import type { Flow, FlowBranch, FlowButton, Step, StepKind } from '../../../src/modules/bot/flow.js';
// The server's own (pure) link walk, so the editor's "goes to" and "reached from" match what validation checks.
import { linksOf } from '../../../src/modules/bot/flow.js';

export { linksOf };

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
      return {
        id,
        kind,
        prompt: 'Please upload your file',
        allowedTypes: 'pdf',
        maxFiles: 1,
        optional: false,
        onTimeout: 'remind',
      };
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

/** Removes a step; links to it (start, next, buttons, branches) are cleared rather than left dangling. */
export function removeStep(flow: Flow, index: number): Flow {
  const removed = flow.steps[index]!.id;
  const steps = flow.steps
    .filter((_, i) => i !== index)
    .map((s) => ({
      ...s,
      next: s.next === removed ? undefined : s.next,
      buttons: s.buttons?.map((b) => (b.next === removed ? { ...b, next: undefined } : b)),
      branches: s.branches?.filter((b) => b.next !== removed),
    }));
  return { start: flow.start === removed ? (steps[0]?.id ?? '') : flow.start, steps };
}

/** The steps (by position) that lead to `id`. */
export function referrersOf(flow: Flow, id: string): { index: number; id: string }[] {
  return flow.steps.flatMap((s, index) => (s.id !== id && linksOf(s).includes(id) ? [{ index, id: s.id }] : []));
}

/**
 * A 422 field name as the editor shows it, counted from 1 like the cards: "steps[2].buttons[0].next" becomes
 * "Step 3 (ask-choice) › button 1 › next step". Names it does not know are shown as they are.
 */
export function describeField(key: string, flow: Flow): string {
  const m = /^steps(?:\[(\d+)\]|\.(\d+))(.*)$/.exec(key);
  if (!m) return key === 'start' ? 'Start at' : key;
  const index = Number(m[1] ?? m[2]);
  const id = flow.steps[index]?.id;
  const parts = [`Step ${index + 1}${id ? ` (${id})` : ''}`];
  const words: Record<string, string> = { next: 'next step', allowedTypes: 'allowed types', maxFiles: 'max files' };
  for (const [, name, , i1, i2] of m[3]!.matchAll(/\.?([A-Za-z]+)((?:\[(\d+)\]|\.(\d+))?)/g)) {
    const n = i1 ?? i2;
    const singular = name === 'buttons' ? 'button' : name === 'branches' ? 'branch' : name!;
    parts.push(n !== undefined ? `${singular} ${Number(n) + 1}` : (words[name!] ?? name!));
  }
  return parts.join(' › ');
}

export function addStep(flow: Flow, kind: StepKind): Flow {
  const step = newStep(
    kind,
    flow.steps.map((s) => s.id),
  );
  return { start: flow.start || step.id, steps: [...flow.steps, step] };
}

/** The 422 messages that belong to one step ("steps.2.text", "steps[2].text" or "<step id>.text"). */
export function stepErrors(fields: Record<string, string>, index: number, id: string): [string, string][] {
  return Object.entries(fields).filter(
    ([k]) =>
      k.startsWith(`steps.${index}.`) ||
      k.startsWith(`steps[${index}]`) ||
      k === `steps.${index}` ||
      k.startsWith(`${id}.`),
  );
}
