// Checks a flow before it is saved or published and returns it normalised (only the fields its kind uses).
// Field names in errors follow the flow's JSON: "start", "steps[2].next", "steps[1].buttons[0].next".
import { validationFailed } from '../../errors.js';
import { normaliseTypes, typeList } from '../settings/file-upload.js';
import { linksOf, type Flow, type FlowBranch, type FlowButton, type Step, type StepKind } from './flow.js';
import { stripInvisible, stripInvisibleKeepLines } from '../../text.js';

const KINDS: StepKind[] = ['message', 'question', 'upload', 'handoff', 'end'];
const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** The upload pipeline takes at most this many files in one message. */
export const MAX_FILES_PER_REQUEST = 10;
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

type Input = { start?: unknown; steps?: unknown };
type Fields = Record<string, string>;

const present = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const optionalId = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Returns the normalised flow, or throws 422 VALIDATION_FAILED with every problem found. */
export function validateFlow(input: Input, visitorAllowedTypes: string): Flow {
  const fields: Fields = {};
  const rawSteps = Array.isArray(input.steps) ? (input.steps as Record<string, unknown>[]) : [];
  if (rawSteps.length === 0) fields.steps = 'Add at least one step';
  const steps = rawSteps.map((raw, i) => normaliseStep(raw ?? {}, `steps[${i}]`, visitorAllowedTypes, fields));

  const seen = new Map<string, number>();
  steps.forEach((s, i) => {
    if (!s.id) return;
    if (seen.has(s.id)) fields[`steps[${i}].id`] = 'Duplicate step id';
    else seen.set(s.id, i);
  });
  const known = (id: string) => seen.has(id);
  const start = optionalId(input.start);
  if (!start) fields.start = 'Choose the first step';
  else if (!known(start)) fields.start = 'Unknown step id';

  steps.forEach((s, i) => {
    const at = `steps[${i}]`;
    if (s.next && !known(s.next)) fields[`${at}.next`] = 'Unknown step id';
    s.buttons?.forEach((b, j) => {
      if (b.next && !known(b.next)) fields[`${at}.buttons[${j}].next`] = 'Unknown step id';
    });
    s.branches?.forEach((b, j) => {
      if (b.next && !known(b.next)) fields[`${at}.branches[${j}].next`] = 'Unknown step id';
    });
  });

  if (start && known(start)) {
    checkReachable(steps, start, seen, fields);
    checkMessageLoops(steps, seen, fields);
  }
  if (Object.keys(fields).length) throw validationFailed(fields, 'The bot flow has problems');
  return { start: start!, steps };
}

function normaliseStep(raw: Record<string, unknown>, at: string, visitorAllowedTypes: string, fields: Fields): Step {
  const id = typeof raw.id === 'string' ? raw.id.trim() : '';
  if (!id) fields[`${at}.id`] = 'Give the step an id';
  else if (!STEP_ID.test(id)) fields[`${at}.id`] = 'Use letters, digits, "-", "_" or "." (at most 64)';
  const kind = raw.kind as StepKind;
  if (!KINDS.includes(kind)) {
    fields[`${at}.kind`] = `Choose one of ${KINDS.join(', ')}`;
    return { id, kind: 'message' };
  }
  const step: Step = { id, kind };
  // The bot's texts (its greeting first) show in the widget and the console: no invisible controls (text.ts).
  const cleaned = typeof raw.text === 'string' ? stripInvisibleKeepLines(raw.text) : '';
  const text = cleaned.trim() ? cleaned : undefined;
  if (text !== undefined) step.text = text;
  const next = optionalId(raw.next);
  if (next && kind !== 'handoff' && kind !== 'end') step.next = next;

  if (kind === 'message' && !text) fields[`${at}.text`] = 'A message needs text';
  if (kind === 'question') normaliseQuestion(raw, step, at, fields);
  if (kind === 'upload') normaliseUpload(raw, step, at, visitorAllowedTypes, fields);
  return step;
}

function normaliseQuestion(raw: Record<string, unknown>, step: Step, at: string, fields: Fields) {
  if (!step.text) fields[`${at}.text`] = 'A question needs text';
  if (!present(raw.variable)) fields[`${at}.variable`] = 'Name the variable that keeps the answer';
  else if (!VARIABLE.test(raw.variable.trim()))
    fields[`${at}.variable`] = 'Use letters, digits and "_", not starting with a digit';
  else step.variable = raw.variable.trim();
  if (raw.expect === 'name' || raw.expect === 'email') step.expect = raw.expect;
  else if (raw.expect !== undefined && raw.expect !== null && raw.expect !== 'text')
    fields[`${at}.expect`] = 'Choose text, name or email';
  const retry = typeof raw.retryText === 'string' ? stripInvisibleKeepLines(raw.retryText).trim() : '';
  if (retry && step.expect) step.retryText = retry;
  const buttons = Array.isArray(raw.buttons) ? (raw.buttons as FlowButton[]) : [];
  if (buttons.length) {
    step.buttons = buttons.map((b, j) => {
      if (!present(b?.label)) fields[`${at}.buttons[${j}].label`] = 'A button needs a label';
      const button: FlowButton = { label: stripInvisible(b?.label ?? '').trim() };
      if (optionalId(b?.next)) button.next = b.next;
      return button;
    });
  }
  const branches = Array.isArray(raw.branches) ? (raw.branches as Partial<FlowBranch>[]) : [];
  if (branches.length) {
    step.branches = branches.map((b, j) => {
      const branch: FlowBranch = { next: optionalId(b?.next) ?? '' };
      if (present(b?.equals)) branch.equals = b.equals;
      if (present(b?.contains)) branch.contains = b.contains;
      if (!branch.equals && !branch.contains) fields[`${at}.branches[${j}]`] = 'Give "equals" or "contains"';
      else if (branch.equals && branch.contains)
        fields[`${at}.branches[${j}]`] = 'Give either "equals" or "contains", not both';
      if (!branch.next) fields[`${at}.branches[${j}].next`] = 'Choose the step this answer leads to';
      return branch;
    });
  }
}

function normaliseUpload(
  raw: Record<string, unknown>,
  step: Step,
  at: string,
  visitorAllowedTypes: string,
  fields: Fields,
) {
  if (!present(raw.prompt)) fields[`${at}.prompt`] = 'Tell the visitor what to upload';
  else step.prompt = raw.prompt;
  // "" on the step means "whatever the visitor may send"; the workspace's list still applies at upload time.
  const types = typeof raw.allowedTypes === 'string' ? normaliseTypes(raw.allowedTypes) : undefined;
  if (types === undefined) fields[`${at}.allowedTypes`] = 'Write extensions joined by |, for example pdf|png';
  else {
    const visitor = typeList(visitorAllowedTypes);
    const outside = typeList(types).filter((t) => visitor.length > 0 && !visitor.includes(t));
    if (outside.length)
      fields[`${at}.allowedTypes`] = `Visitors may not upload ${outside.join(', ')} (allowed: ${visitor.join(', ')})`;
    step.allowedTypes = types;
  }
  const maxFiles = raw.maxFiles;
  if (typeof maxFiles !== 'number' || !Number.isInteger(maxFiles) || maxFiles < 1 || maxFiles > MAX_FILES_PER_REQUEST) {
    fields[`${at}.maxFiles`] = `Must be a whole number from 1 to ${MAX_FILES_PER_REQUEST}`;
  } else step.maxFiles = maxFiles;
  step.optional = raw.optional === true;
  if (raw.timeoutSeconds !== undefined && raw.timeoutSeconds !== null) {
    const t = raw.timeoutSeconds;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_TIMEOUT_SECONDS)
      fields[`${at}.timeoutSeconds`] = `Must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`;
    else step.timeoutSeconds = t;
  }
  const onTimeout = raw.onTimeout ?? 'remind';
  if (onTimeout !== 'remind' && onTimeout !== 'next' && onTimeout !== 'handoff')
    fields[`${at}.onTimeout`] = 'Choose remind, next or handoff';
  else step.onTimeout = onTimeout;
}

function checkReachable(steps: Step[], start: string, index: Map<string, number>, fields: Fields) {
  const reached = new Set<string>([start]);
  const queue = [start];
  while (queue.length) {
    const step = steps[index.get(queue.shift()!)!]!;
    for (const id of linksOf(step))
      if (index.has(id) && !reached.has(id)) {
        reached.add(id);
        queue.push(id);
      }
  }
  steps.forEach((s, i) => {
    if (s.id && index.get(s.id) === i && !reached.has(s.id))
      fields[`steps[${i}]`] = 'This step cannot be reached from the start';
  });
}

/** Messages that lead back to themselves would post forever without waiting for the visitor. */
function checkMessageLoops(steps: Step[], index: Map<string, number>, fields: Fields) {
  steps.forEach((s, i) => {
    if (s.kind !== 'message' || index.get(s.id) !== i) return;
    const path = new Set<string>();
    let cur: Step | undefined = s;
    while (cur && cur.kind === 'message' && !path.has(cur.id)) {
      path.add(cur.id);
      cur = cur.next !== undefined && index.has(cur.next) ? steps[index.get(cur.next)!] : undefined;
    }
    if (cur && path.has(cur.id) && cur.id === s.id)
      fields[`steps[${i}].next`] ??= 'These messages loop without ever waiting for the visitor';
  });
}
