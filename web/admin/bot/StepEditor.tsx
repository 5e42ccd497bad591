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
  isStart: boolean;
  onChange: (s: Step) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

export function StepEditor({ step, index, count, stepIds, errors, isStart, onChange, onMove, onRemove }: StepEditorProps) {
  const others = stepIds.filter((id) => id !== step.id);
  return (
    <li className="a-card a-step" aria-label={`Step ${index + 1}: ${step.id}`}>
      <div className="a-step__head">
        <span className="a-step__num">{index + 1}</span>
        <strong>{KIND_LABELS[step.kind]}</strong>
        {isStart && <span className="p-badge">start</span>}
        <span className="a-step__spacer" />
        <button type="button" className="a-small" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move step ${step.id} up`}>↑</button>
        <button type="button" className="a-small" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move step ${step.id} down`}>↓</button>
        <button type="button" className="a-small danger" onClick={onRemove} aria-label={`Remove step ${step.id}`}>Remove</button>
      </div>
      <div className="a-grid3">
        <Field label="Step id">
          <input type="text" value={step.id} onChange={(e) => onChange({ ...step, id: e.target.value })} />
        </Field>
        {step.kind !== 'end' && step.kind !== 'handoff' && (
          <div className="p-field">
            <span className="a-label">Next step</span>
            <NextSelect label={`Next step after ${step.id}`} value={step.next} stepIds={others} onChange={(next) => onChange({ ...step, next })} />
          </div>
        )}
      </div>
      <StepFields step={step} stepIds={others} onChange={onChange} />
      {errors.length > 0 && (
        <ul className="a-errors" role="alert">
          {errors.map(([k, v]) => <li key={k}><code>{k}</code>: {v}</li>)}
        </ul>
      )}
    </li>
  );
}
