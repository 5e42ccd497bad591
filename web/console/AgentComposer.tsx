// The agent's text box with a paperclip (the system file picker, limited to the agent side's allowed types): Enter
// sends, Shift+Enter adds a line; typing is announced to the visitor (throttled).
import { useRef, type RefObject } from 'react';
import { FilePicker } from '../ui/FilePicker.js';
import { useTextSender } from '../ui/useTextSender.js';
import { PaperclipIcon } from '../ui/PaperclipIcon.js';

const TYPING_SENT_EVERY_MS = 2000;

export function AgentComposer({
  disabled,
  accept,
  inputRef,
  onSend,
  onFiles,
  onTyping,
}: {
  disabled: boolean;
  accept?: string;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  onSend: (text: string) => Promise<void>;
  onFiles: (files: File[]) => void;
  onTyping: () => void;
}) {
  const { text, setText, busy, error, submit, onKeyDown } = useTextSender(onSend, () => inputRef.current?.focus());
  const lastTyping = useRef(0);

  return (
    <form className="c-composer" onSubmit={submit}>
      {error && (
        <p className="p-field__error" role="alert">
          {error}
        </p>
      )}
      <div className="c-composer__row">
        <FilePicker
          label="Attach files"
          className="c-composer__attach"
          accept={accept}
          disabled={disabled}
          onFiles={onFiles}
        >
          <PaperclipIcon />
        </FilePicker>
        <textarea
          ref={inputRef}
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
        <button type="submit" className="primary" disabled={disabled || busy || !text.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
