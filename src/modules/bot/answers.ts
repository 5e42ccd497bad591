// How a visitor's free text is read: a request for a human, and which button or branch of a question it picks.
import type { Step } from './flow.js';
import { fillTemplate } from './template.js';

const HANDOFF_PHRASES = new Set(['agent', 'human', 'talk to an agent', 'talk to a human', 'an agent', 'a human']);

const normalise = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

/** The whole message asks for a person ("agent", "Human!", "talk to an agent"). */
export function asksForHuman(text: string): boolean {
  return HANDOFF_PHRASES.has(normalise(text).replace(/[.!?]+$/, ''));
}

export type Choice = { matched: true; next: string | undefined } | { matched: false };

/** Buttons by label (case-insensitive), then branches in order (equals, or contains), case-insensitive. */
export function chooseAnswer(step: Step, text: string, vars: Record<string, string>): Choice {
  const answer = normalise(text);
  const button = step.buttons?.find((b) => normalise(fillTemplate(b.label, vars)) === answer);
  if (button) return { matched: true, next: button.next ?? step.next };
  for (const branch of step.branches ?? []) {
    if (branch.equals !== undefined && normalise(branch.equals) === answer) return { matched: true, next: branch.next };
    if (branch.contains !== undefined && answer.includes(normalise(branch.contains)))
      return { matched: true, next: branch.next };
  }
  return { matched: false };
}
