// The bot flow as admins write it (docs/api.md "Bot flows") and the default flow every workspace starts with.
// Pure data and lookups: nothing here reads the database or posts messages.

export type StepKind = 'message' | 'question' | 'upload' | 'handoff' | 'end';
export type OnTimeout = 'remind' | 'next' | 'handoff';

export interface FlowButton {
  label: string;
  next?: string;
}
export interface FlowBranch {
  equals?: string;
  contains?: string;
  next: string;
}

export interface Step {
  id: string;
  kind: StepKind;
  text?: string;
  next?: string;
  // question
  variable?: string;
  /** What the answer must look like (expect.ts): asked again once when it does not. Absent: any text. */
  expect?: 'text' | 'name' | 'email';
  /** Said when the answer is not what `expect` asks for (a default per kind when absent). */
  retryText?: string;
  buttons?: FlowButton[];
  branches?: FlowBranch[];
  // upload
  prompt?: string;
  allowedTypes?: string;
  maxFiles?: number;
  optional?: boolean;
  timeoutSeconds?: number;
  onTimeout?: OnTimeout;
}

export interface Flow {
  start: string;
  steps: Step[];
}

/** The version a workspace without any published flow runs: the default flow, implicitly published. */
export const DEFAULT_FLOW_VERSION = 1;

/** Said when the flow hands over without a handoff step of its own (a step with no next, or "agent" typed). */
export const FALLBACK_HANDOFF_TEXT = 'Thanks! An agent will be with you shortly.';

export const DEFAULT_FLOW: Flow = {
  start: 'greet',
  steps: [
    { id: 'greet', kind: 'message', text: "Hi! I'm the Parley assistant.", next: 'ask-name' },
    {
      id: 'ask-name',
      kind: 'question',
      text: "What's your name?",
      variable: 'name',
      expect: 'name',
      next: 'ask-choice',
    },
    {
      id: 'ask-choice',
      kind: 'question',
      text: 'Nice to meet you, {{name}}! What would you like to do?',
      variable: 'choice',
      buttons: [
        { label: 'Talk to an agent', next: 'handoff' },
        { label: 'Send us a document', next: 'ask-document' },
      ],
    },
    {
      id: 'ask-document',
      kind: 'upload',
      prompt: 'Please upload your document (PDF, JPG or PNG).',
      allowedTypes: 'pdf|jpg|png',
      maxFiles: 1,
      optional: true,
      onTimeout: 'remind',
      next: 'handoff',
    },
    { id: 'handoff', kind: 'handoff', text: 'Thanks! An agent will be with you shortly.' },
  ],
};

export function stepById(flow: Flow, id: string | undefined): Step | undefined {
  return id === undefined ? undefined : flow.steps.find((s) => s.id === id);
}

/** Every step id a step may lead to: its next, its buttons' and its branches' next. */
export function linksOf(step: Step): string[] {
  return [step.next, ...(step.buttons ?? []).map((b) => b.next), ...(step.branches ?? []).map((b) => b.next)].filter(
    (x): x is string => typeof x === 'string' && x.length > 0,
  );
}
