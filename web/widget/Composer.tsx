// The typing area: an attach button (when uploads are on), the text box, Send. Enter sends, Shift+Enter adds a line.
import type { RefObject } from 'react';
import { useTextSender } from '../ui/useTextSender.js';
import { FilePicker } from '../ui/FilePicker.js';
import { PaperclipIcon } from '../ui/PaperclipIcon.js';

export interface ComposerProps {
  uploadsEnabled: boolean;
  /** The file picker's `accept`, from the visitor side's allowed types. */
  accept?: string;
  disabled: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  onSend: (text: string) => Promise<void>;
  onFiles: (files: File[]) => void;
  onTyping: () => void;
}

export function Composer({ uploadsEnabled, accept, disabled, inputRef, onSend, onFiles, onTyping }: ComposerProps) {
  const { text, setText, busy, error, submit, onKeyDown } = useTextSender(onSend, () => inputRef.current?.focus());

  return (
    <form className="w-composer" onSubmit={submit}>
      {error && (
        <p className="w-composer__error" role="alert">
          {error}
        </p>
      )}
      <div className="w-composer__row">
        {uploadsEnabled && (
          <div className="w-composer__menu">
            <FilePicker
              label="Attach files"
              className="w-icon-button"
              accept={accept}
              onFiles={onFiles}
              disabled={disabled}
            >
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
        <button
          type="submit"
          className="primary w-composer__send"
          disabled={disabled || busy || !text.trim()}
          aria-label="Send"
        >
          Send
        </button>
      </div>
    </form>
  );
}
