// Inline refusals of files (why, and what is allowed), announced to screen readers with role="alert".
import type { Refusal } from './useUploads.js';

export function RefusalList({ refusals, onDismiss }: { refusals: Refusal[]; onDismiss: (key: string) => void }) {
  if (refusals.length === 0) return null;
  return (
    <div className="p-refusals" role="alert">
      {refusals.map((r) => (
        <div key={r.key} className="p-refusal">
          <span className="p-refusal__text">
            {r.name && <strong className="p-refusal__name">{r.name}: </strong>}
            {r.message}
          </span>
          <button
            type="button"
            className="p-refusal__dismiss"
            onClick={() => onDismiss(r.key)}
            aria-label="Dismiss message"
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
