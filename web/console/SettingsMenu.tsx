// The chat's "Settings" menu; its "Files Attachment" item opens the file picker, and the chosen files are sent.
import { useEffect, useRef, useState } from 'react';
import { HiddenFileInput } from '../ui/FilePicker.js';

export function SettingsMenu({
  onFiles,
  accept,
  disabled,
}: {
  onFiles: (files: File[]) => void;
  accept?: string;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  return (
    <div className="c-menu" ref={wrap}>
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        Settings ▾
      </button>
      {open && (
        <div className="c-menu__list" role="menu" aria-label="Chat settings">
          <button
            type="button"
            role="menuitem"
            autoFocus
            onClick={() => {
              setOpen(false);
              input.current?.click();
            }}
          >
            Files Attachment
          </button>
        </div>
      )}
      <HiddenFileInput inputRef={input} onFiles={onFiles} accept={accept} />
    </div>
  );
}
