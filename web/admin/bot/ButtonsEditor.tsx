// A question's quick-reply buttons: label and (optionally) the step each one leads to.
import type { QuestionButton } from './flow.js';
import { NextSelect } from './NextSelect.js';

export function ButtonsEditor({
  buttons,
  stepIds,
  onChange,
}: {
  buttons: QuestionButton[];
  stepIds: string[];
  onChange: (b: QuestionButton[]) => void;
}) {
  const set = (i: number, b: QuestionButton) => onChange(buttons.map((x, j) => (j === i ? b : x)));
  return (
    <fieldset className="a-sub">
      <legend>Buttons</legend>
      {buttons.map((b, i) => (
        <div key={i} className="a-row">
          <input
            type="text"
            aria-label={`Button ${i + 1} label`}
            value={b.label}
            placeholder="Label"
            onChange={(e) => set(i, { ...b, label: e.target.value })}
          />
          <NextSelect
            label={`Button ${i + 1} leads to`}
            value={b.next}
            stepIds={stepIds}
            onChange={(next) => set(i, { ...b, next })}
          />
          <button
            type="button"
            className="danger a-small"
            onClick={() => onChange(buttons.filter((_, j) => j !== i))}
            aria-label={`Remove button ${i + 1}`}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="a-small" onClick={() => onChange([...buttons, { label: '' }])}>
        Add button
      </button>
    </fieldset>
  );
}
