// A button that opens the system file picker (a hidden <input type=file>) and hands over the chosen files.
import { useRef, type ReactNode, type RefObject } from 'react';

export interface FilePickerProps {
  label: string;
  onFiles: (files: File[]) => void;
  multiple?: boolean;
  accept?: string;
  disabled?: boolean;
  className?: string;
  children?: ReactNode;
}

export function FilePicker({
  label,
  onFiles,
  multiple = true,
  accept,
  disabled,
  className,
  children,
}: FilePickerProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className={className}
        aria-label={label}
        title={label}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        {children ?? label}
      </button>
      <HiddenFileInput inputRef={input} onFiles={onFiles} multiple={multiple} accept={accept} />
    </>
  );
}

/** The hidden <input type=file> behind a picker: hands over the chosen files and resets, so the same file can be chosen again. */
export function HiddenFileInput({
  inputRef,
  onFiles,
  multiple = true,
  accept,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  onFiles: (files: File[]) => void;
  multiple?: boolean;
  accept?: string;
}) {
  return (
    <input
      ref={inputRef}
      type="file"
      hidden
      multiple={multiple}
      accept={accept}
      tabIndex={-1}
      aria-hidden="true"
      onChange={(e) => {
        const files = Array.from(e.currentTarget.files ?? []);
        e.currentTarget.value = '';
        if (files.length) onFiles(files);
      }}
    />
  );
}
