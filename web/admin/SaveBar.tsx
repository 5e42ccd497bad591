// A form's Save button with the outcome of the last save ("Saved" or the error) announced next to it.
import type { ReactNode } from 'react';

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; text?: string }
  | { kind: 'error'; text: string };

export function SaveBar({
  state,
  label = 'Save',
  children,
}: {
  state: SaveState;
  label?: string;
  children?: ReactNode;
}) {
  return (
    <div className="a-savebar">
      <button type="submit" className="primary" disabled={state.kind === 'saving'}>
        {state.kind === 'saving' ? 'Saving…' : label}
      </button>
      {children}
      <span role="status" className={state.kind === 'error' ? 'p-field__error' : 'a-saved'}>
        {state.kind === 'saved' ? (state.text ?? 'Saved') : state.kind === 'error' ? state.text : ''}
      </span>
    </div>
  );
}
