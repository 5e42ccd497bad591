// Bot flows without a server: validation names every bad field the way the flow's JSON does, and a walk posts
// messages until the flow waits for the visitor, hands over or ends.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/errors.js';
import { DEFAULT_FLOW, FALLBACK_HANDOFF_TEXT, type Flow } from '../../../../src/modules/bot/flow.js';
import { validateFlow } from '../../../../src/modules/bot/validate.js';
import { walk } from '../../../../src/modules/bot/walk.js';

const ANY_TYPES = 'jpg|jpeg|png|gif|webp|pdf|txt|csv';

function problems(input: unknown): Record<string, string> {
  try {
    validateFlow(input as Flow, ANY_TYPES);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    return (err as AppError).details.fields as Record<string, string>;
  }
  throw new Error('the flow was accepted');
}

describe('validateFlow', () => {
  it('accepts the default flow as it is', () => {
    expect(validateFlow(DEFAULT_FLOW, ANY_TYPES)).toEqual(DEFAULT_FLOW);
  });

  it('names a missing start, an unknown next and an empty flow by their JSON path', () => {
    expect(problems({ steps: [] })).toMatchObject({ steps: expect.any(String), start: expect.any(String) });
    const fields = problems({
      start: 'a',
      steps: [
        { id: 'a', kind: 'message', text: 'Hi', next: 'b' },
        { id: 'b', kind: 'question', text: 'Name?', variable: 'name', next: 'nowhere' },
      ],
    });
    expect(fields['steps[1].next']).toBe('Unknown step id');
  });

  it('refuses duplicate ids, unreachable steps and messages that loop forever', () => {
    const fields = problems({
      start: 'a',
      steps: [
        { id: 'a', kind: 'message', text: 'one', next: 'b' },
        { id: 'b', kind: 'message', text: 'two', next: 'a' },
        { id: 'a', kind: 'end', text: 'dup' },
        { id: 'lost', kind: 'end', text: 'never reached' },
      ],
    });
    expect(fields['steps[2].id']).toBe('Duplicate step id');
    expect(fields['steps[3]']).toMatch(/cannot be reached/);
    expect(fields['steps[0].next']).toMatch(/loop/);
  });
});

describe('walk', () => {
  it('posts messages with variables filled in, then waits at the first question', () => {
    const w = walk(DEFAULT_FLOW, DEFAULT_FLOW.start, {});
    expect(w.posts.map((p) => p.text)).toEqual(["Hi! I'm the Parley assistant.", "What's your name?"]);
    expect(w.stop).toEqual({ kind: 'answer', stepId: 'ask-name' });
    const next = walk(DEFAULT_FLOW, 'ask-choice', { name: 'Ada' });
    expect(next.posts[0]!.text).toBe('Nice to meet you, Ada! What would you like to do?');
    expect(next.posts[0]).toMatchObject({ buttons: [{ label: 'Talk to an agent' }, { label: 'Send us a document' }] });
  });

  it('stops at an upload step and at a handoff', () => {
    expect(walk(DEFAULT_FLOW, 'ask-document', {}).stop).toEqual({ kind: 'upload', stepId: 'ask-document' });
    expect(walk(DEFAULT_FLOW, 'handoff', {}).stop).toEqual({ kind: 'handoff' });
  });

  it('hands over with the fallback text when a step leads nowhere', () => {
    const flow: Flow = { start: 'a', steps: [{ id: 'a', kind: 'message', text: 'Hello', next: 'gone' }] };
    const w = walk(flow, 'a', {});
    expect(w.posts.map((p) => p.text)).toEqual(['Hello', FALLBACK_HANDOFF_TEXT]);
    expect(w.stop).toEqual({ kind: 'handoff' });
  });
});
