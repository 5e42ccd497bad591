// The agent's text box: Enter sends, Shift+Enter adds a line; typing is announced to the visitor (throttled).
import { useRef, useState, type FormEvent } from 'react';

const TYPING_SENT_EVERY_MS = 2000;

export function AgentComposer({ disabled, onSend, onTyping }: { disabled: boolean; onSend: (text: string) => Promise<void>; onTyping: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const lastTyping = useRef(0);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSend(body);
      setText('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

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
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" className="primary" disabled={disabled || busy || !text.trim()}>Send</button>
      </div>
    </form>
  );
}
