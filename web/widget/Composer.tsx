// The typing area: an attach button (when uploads are on), the text box, Send. Enter sends, Shift+Enter adds a line.
import type { RefObject } from 'react';
import { useTextSender } from '../ui/useTextSender.js';
import { FilePicker } from '../ui/FilePicker.js';

export interface ComposerProps {
  uploadsEnabled: boolean;
  disabled: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  onSend: (text: string) => Promise<void>;
  onFiles: (files: File[]) => void;
  onTyping: () => void;
}

export function Composer({ uploadsEnabled, disabled, inputRef, onSend, onFiles, onTyping }: ComposerProps) {
  const { text, setText, busy, error, submit, onKeyDown } = useTextSender(onSend, () => inputRef.current?.focus());

  return (
    <form className="w-composer" onSubmit={submit}>
      {error && <p className="w-composer__error" role="alert">{error}</p>}
      <div className="w-composer__row">
        {uploadsEnabled && (
          <div className="w-composer__menu">
            <FilePicker label="Attach files" className="w-icon-button" onFiles={onFiles} disabled={disabled}>
              <PaperclipIcon />
            </FilePicker>
          </div>
        )}
        <textarea
          ref={inputRef}
          className="w-composer__input"
          rows={1}
          placeholder="Write a message…"
          aria-label="Message"
          value={text}
          disabled={disabled}
          onChange={(e) => {
            setText(e.target.value);
            onTyping();
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary w-composer__send" disabled={disabled || busy || !text.trim()} aria-label="Send">
          Send
        </button>
      </div>
    </form>
  );
}

function PaperclipIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48" />
    </svg>
  );
}
