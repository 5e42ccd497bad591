// A destructive action that asks first: the danger button, once pressed, gives way to the question with
// "Yes, …" and Cancel (a group named for screen readers), and closes again once the action has run.
import { useState, type ReactNode } from 'react';

export function ConfirmButton({
  children,
  ariaLabel,
  groupLabel,
  question,
  yes,
  onConfirm,
  disabled,
  busy,
}: {
  children: ReactNode;
  /** The button's accessible name when its text alone is ambiguous (one per row). */
  ariaLabel?: string;
  groupLabel: string;
  question: ReactNode;
  yes: string;
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
  busy?: boolean;
}) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button type="button" className="danger" onClick={() => setOpen(true)} disabled={disabled} aria-label={ariaLabel}>
        {children}
      </button>
    );
  async function confirm() {
    try {
      await onConfirm();
    } finally {
      setOpen(false);
    }
  }
  return (
    <span className="a-confirm" role="group" aria-label={groupLabel}>
      <span>{question}</span>
      <button type="button" className="danger" onClick={confirm} disabled={busy}>
        {yes}
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </span>
  );
}
