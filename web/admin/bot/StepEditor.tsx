// One step of the flow as a card: id, kind, kind-specific fields, next step, move up/down, remove, its 422 errors.
import { Field } from '../Field.js';
import { KIND_LABELS, type Step } from './flow.js';
import { NextSelect } from './NextSelect.js';
import { StepFields } from './StepFields.js';

export interface StepEditorProps {
  step: Step;
  index: number;
  count: number;
  stepIds: string[];
  errors: [string, string][];
  /** How a 422 field name reads (describeField): step numbers counted from 1, like the cards. */
  describe: (field: string) => string;
  /** The steps that lead here, and the steps this one leads to, by position. */
  referrers: { index: number; id: string }[];
  links: { index: number; id: string }[];
  isStart: boolean;
  onChange: (s: Step) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

export function StepEditor({
  step,
  index,
  count,
  stepIds,
  errors,
  describe,
  referrers,
  links,
  isStart,
  onChange,
  onMove,
  onRemove,
}: StepEditorProps) {
  const others = stepIds.filter((id) => id !== step.id);
  return (
    <li className="a-card a-step" aria-label={`Step ${index + 1}: ${step.id}`}>
      <div className="a-step__head">
        <span className="a-step__num">{index + 1}</span>
        <strong>{KIND_LABELS[step.kind]}</strong>
        {isStart && <span className="p-badge">start</span>}
        <span className="a-step__spacer" />
        <button
          type="button"
          className="a-small"
          disabled={index === 0}
          onClick={() => onMove(-1)}
          aria-label={`Move step ${step.id} up`}
        >
          ↑
        </button>
        <button
          type="button"
          className="a-small"
          disabled={index === count - 1}
          onClick={() => onMove(1)}
          aria-label={`Move step ${step.id} down`}
        >
          ↓
        </button>
        <button type="button" className="a-small danger" onClick={onRemove} aria-label={`Remove step ${step.id}`}>
          Remove
        </button>
      </div>
      <p className="a-step__links">
        <span className="p-muted">Reached from</span> {isStart && <span className="a-chip">start</span>}
        {referrers.map((r) => (
          <span key={r.id} className="a-chip">
            step {r.index + 1} · {r.id}
          </span>
        ))}
        {!isStart && referrers.length === 0 && <span className="a-chip a-chip--warn">no step (never reached)</span>}
        {links.length > 0 && (
          <>
            {' '}
            <span className="p-muted">→ goes to</span>{' '}
            {links.map((l) => (
              <span key={l.id} className="a-chip">
                step {l.index + 1} · {l.id}
              </span>
            ))}
          </>
        )}
      </p>
      <div className="a-grid3">
        <Field label="Step id">
          <input type="text" value={step.id} onChange={(e) => onChange({ ...step, id: e.target.value })} />
        </Field>
        {step.kind !== 'end' && step.kind !== 'handoff' && (
          <div className="p-field">
            <span className="a-label">Next step</span>
            <NextSelect
              label={`Next step after ${step.id}`}
              value={step.next}
              stepIds={others}
              onChange={(next) => onChange({ ...step, next })}
            />
          </div>
        )}
      </div>
      <StepFields step={step} stepIds={others} onChange={onChange} />
      {errors.length > 0 && (
        <ul className="a-errors" role="alert">
          {errors.map(([k, v]) => (
            <li key={k}>
              <strong>{describe(k)}</strong>: {v}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
