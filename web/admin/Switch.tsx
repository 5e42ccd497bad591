// An on/off switch (a checkbox with role="switch") that says its state in words next to it, so a setting named in
// the negative by the reference ("Disable AWS S3 File Store") can be shown the positive way round.
import { useId, type ReactNode } from 'react';

export function Switch({
  label,
  on,
  onChange,
  hint,
  error,
}: {
  label: string;
  on: boolean;
  onChange: (on: boolean) => void;
  hint?: ReactNode;
  error?: string;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="p-field a-switch-field">
      <label className="a-switch" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={on}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span className="a-switch__track" aria-hidden="true" />
        <span className="a-switch__label">{label}</span>
        <span className={`a-switch__state ${on ? 'is-on' : 'is-off'}`} aria-hidden="true">
          {on ? 'On' : 'Off'}
        </span>
      </label>
      {hint && (
        <span id={`${id}-hint`} className="p-field__hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="p-field__error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
