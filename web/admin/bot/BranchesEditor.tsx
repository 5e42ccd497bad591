// A question's branches: when the answer equals / contains a text, go to a step.
import type { Branch } from './flow.js';
import { NextSelect } from './NextSelect.js';

export function BranchesEditor({
  branches,
  stepIds,
  onChange,
}: {
  branches: Branch[];
  stepIds: string[];
  onChange: (b: Branch[]) => void;
}) {
  const set = (i: number, b: Branch) => onChange(branches.map((x, j) => (j === i ? b : x)));
  return (
    <fieldset className="a-sub">
      <legend>Branches</legend>
      {branches.map((b, i) => {
        const mode = b.contains !== undefined ? 'contains' : 'equals';
        const value = (mode === 'contains' ? b.contains : b.equals) ?? '';
        return (
          <div key={i} className="a-row">
            <select
              aria-label={`Branch ${i + 1} match`}
              value={mode}
              onChange={(e) =>
                set(
                  i,
                  e.target.value === 'contains' ? { contains: value, next: b.next } : { equals: value, next: b.next },
                )
              }
            >
              <option value="equals">equals</option>
              <option value="contains">contains</option>
            </select>
            <input
              type="text"
              aria-label={`Branch ${i + 1} text`}
              value={value}
              onChange={(e) =>
                set(
                  i,
                  mode === 'contains'
                    ? { contains: e.target.value, next: b.next }
                    : { equals: e.target.value, next: b.next },
                )
              }
            />
            <NextSelect
              label={`Branch ${i + 1} leads to`}
              value={b.next}
              stepIds={stepIds}
              onChange={(next) => set(i, { ...b, next: next ?? '' })}
            />
            <button
              type="button"
              className="danger a-small"
              onClick={() => onChange(branches.filter((_, j) => j !== i))}
              aria-label={`Remove branch ${i + 1}`}
            >
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" className="a-small" onClick={() => onChange([...branches, { equals: '', next: '' }])}>
        Add branch
      </button>
    </fieldset>
  );
}
