// A labelled form control with its hint and the server's 422 message for that field right beside it.
import { useId, type ReactElement, type ReactNode } from 'react';
import { cloneElement } from 'react';

export interface FieldProps {
  label: string;
  error?: string;
  hint?: ReactNode;
  check?: boolean;
  children: ReactElement<{ id?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }>;
}

export function Field({ label, error, hint, check, children }: FieldProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
  });
  return (
    <div className={check ? 'p-field p-field--check' : 'p-field'}>
      {check && control}
      <label htmlFor={id}>{label}</label>
      {!check && control}
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
