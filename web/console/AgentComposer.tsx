// The agent's text box: Enter sends, Shift+Enter adds a line; typing is announced to the visitor (throttled).
import { useRef } from 'react';
import { useTextSender } from '../ui/useTextSender.js';

const TYPING_SENT_EVERY_MS = 2000;

export function AgentComposer({ disabled, onSend, onTyping }: { disabled: boolean; onSend: (text: string) => Promise<void>; onTyping: () => void }) {
  const { text, setText, busy, error, submit, onKeyDown } = useTextSender(onSend);
  const lastTyping = useRef(0);

  return (
    <form className="c-composer" onSubmit={submit}>
      {error && <p className="p-field__error" role="alert">{error}</p>}
      <div className="c-composer__row">
        <textarea
          aria-label="Reply"
          placeholder={disabled ? 'This chat is closed' : 'Write a reply…'}
          rows={2}
          value={text}
          disabled={disabled}
          onChange={(e) => {
            setText(e.target.value);
            if (Date.now() - lastTyping.current > TYPING_SENT_EVERY_MS) {
              lastTyping.current = Date.now();
              onTyping();
            }
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary" disabled={disabled || busy || !text.trim()}>Send</button>
      </div>
    </form>
  );
}
