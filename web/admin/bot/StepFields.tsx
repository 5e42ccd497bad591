// The fields that depend on a step's kind: message/handoff/end text; question text, variable, expected answer,
// buttons, branches; upload prompt, allowed types, max files, optional, timeout.
import { Field } from '../Field.js';
import { BranchesEditor } from './BranchesEditor.js';
import { ButtonsEditor } from './ButtonsEditor.js';
import { RETRY_TEXTS } from '../../../src/modules/bot/expect.js';
import type { Step } from './flow.js';

export function StepFields({
  step,
  stepIds,
  onChange,
}: {
  step: Step;
  stepIds: string[];
  onChange: (s: Step) => void;
}) {
  const set = <K extends keyof Step>(k: K, v: Step[K]) => onChange({ ...step, [k]: v });
  if (step.kind === 'upload') {
    return (
      <>
        <Field label="Prompt">
          <input type="text" value={step.prompt ?? ''} onChange={(e) => set('prompt', e.target.value)} />
        </Field>
        <div className="a-grid3">
          <Field label="Allowed types" hint="e.g. pdf|png; empty = the workspace's rules">
            <input type="text" value={step.allowedTypes ?? ''} onChange={(e) => set('allowedTypes', e.target.value)} />
          </Field>
          <Field label="Max files">
            <input
              type="number"
              min={1}
              value={step.maxFiles ?? 1}
              onChange={(e) => set('maxFiles', Number(e.target.value))}
            />
          </Field>
          <Field label="Timeout (seconds)" hint="Empty = wait forever">
            <input
              type="number"
              min={1}
              value={step.timeoutSeconds ?? ''}
              onChange={(e) => set('timeoutSeconds', e.target.value === '' ? undefined : Number(e.target.value))}
            />
          </Field>
        </div>
        <div className="a-grid3">
          <Field label="On timeout">
            <select
              value={step.onTimeout ?? 'remind'}
              onChange={(e) => set('onTimeout', e.target.value as Step['onTimeout'])}
            >
              <option value="remind">Remind the visitor</option>
              <option value="next">Go on to the next step</option>
              <option value="handoff">Hand over to an agent</option>
            </select>
          </Field>
          <Field label="Optional (visitor may skip)" check>
            <input type="checkbox" checked={!!step.optional} onChange={(e) => set('optional', e.target.checked)} />
          </Field>
        </div>
      </>
    );
  }
  return (
    <>
      <Field label="Text" hint="May use {{variable}}">
        <textarea rows={2} value={step.text ?? ''} onChange={(e) => set('text', e.target.value)} />
      </Field>
      {step.kind === 'question' && (
        <>
          <Field label="Save the answer as" hint="Variable name, usable later as {{name}}">
            <input type="text" value={step.variable ?? ''} onChange={(e) => set('variable', e.target.value)} />
          </Field>
          <Field label="Expected answer" hint="Anything else is asked again once; the second answer is kept">
            <select
              value={step.expect ?? 'text'}
              onChange={(e) => {
                const expect = e.target.value as NonNullable<Step['expect']>;
                onChange({ ...step, expect: expect === 'text' ? undefined : expect, retryText: undefined });
              }}
            >
              <option value="text">Any text</option>
              <option value="name">A name (“I’m Ada” keeps “Ada”)</option>
              <option value="email">An e-mail address</option>
            </select>
          </Field>
          {step.expect && step.expect !== 'text' && (
            <Field label="Asked again with" hint="Empty: the bot’s own words">
              <input
                type="text"
                value={step.retryText ?? ''}
                placeholder={RETRY_TEXTS[step.expect]}
                onChange={(e) => set('retryText', e.target.value || undefined)}
              />
            </Field>
          )}
          <ButtonsEditor buttons={step.buttons ?? []} stepIds={stepIds} onChange={(b) => set('buttons', b)} />
          <BranchesEditor
            branches={step.branches ?? []}
            stepIds={stepIds}
            onChange={(b) => set('branches', b.length ? b : undefined)}
          />
        </>
      )}
    </>
  );
}
