// Pasted images wait here before sending: a preview and a name field each (the extension is kept), then
// "Send image" or "Cancel". Enter in a name field sends, Escape cancels. Used by the widget and the console.
import { useEffect, useMemo, useRef, useState } from 'react';
import { extensionOf } from './format.js';

export interface PastedImage {
  file: File;
  key: number;
}

let nextKey = 1;
export const pasted = (files: File[]): PastedImage[] => files.map((file) => ({ file, key: nextKey++ }));

const pad = (n: number) => String(n).padStart(2, '0');

/** The name offered for a pasted image: its own when it has a real one, else "screenshot-YYYY-MM-DD-HHMMSS". */
export function suggestedBase(file: File, now = new Date()): string {
  const ext = extensionOf(file.name);
  const base = ext ? file.name.slice(0, -(ext.length + 1)) : file.name;
  if (base && !/^image$/i.test(base)) return base;
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  return `screenshot-${day}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

function extensionFor(file: File): string {
  return extensionOf(file.name) || file.type.replace(/^image\//, '').replace('jpeg', 'jpg') || 'png';
}

/** The file renamed to `base` + its extension (separators and control characters taken out). */
export function renamed(file: File, base: string): File {
  const clean = base.replace(/[\\/\u0000-\u001f]/g, '').trim() || suggestedBase(file);
  return new File([file], `${clean}.${extensionFor(file)}`, { type: file.type, lastModified: file.lastModified });
}

export function PastePreview({
  images,
  onSend,
  onCancel,
  className = '',
}: {
  images: PastedImage[];
  onSend: (files: File[]) => void;
  onCancel: () => void;
  className?: string;
}) {
  const [names, setNames] = useState<Record<number, string>>({});
  const first = useRef<HTMLInputElement>(null);
  const urls = useMemo(() => images.map((i) => URL.createObjectURL(i.file)), [images]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  useEffect(() => {
    first.current?.focus();
    first.current?.select();
  }, [images.length]);

  if (images.length === 0) return null;
  const nameOf = (i: PastedImage) => names[i.key] ?? suggestedBase(i.file);
  const send = () => onSend(images.map((i) => renamed(i.file, nameOf(i))));
  const many = images.length > 1;

  return (
    <section
      className={`p-paste ${className}`}
      aria-label={many ? 'Pasted images' : 'Pasted image'}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <ul className="p-paste__list">
        {images.map((img, n) => (
          <li key={img.key} className="p-paste__item">
            <img src={urls[n]} alt={`Preview of pasted image ${n + 1}`} className="p-paste__img" />
            <label className="p-paste__name">
              <span>{many ? `File name ${n + 1}` : 'File name'}</span>
              <span className="p-paste__field">
                <input
                  ref={n === 0 ? first : undefined}
                  value={nameOf(img)}
                  maxLength={200}
                  onChange={(e) => setNames((s) => ({ ...s, [img.key]: e.target.value }))}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      send();
                    }
                  }}
                />
                <span className="p-paste__ext">.{extensionFor(img.file)}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <div className="p-paste__actions">
        <button type="button" className="primary" onClick={send}>
          {many ? 'Send images' : 'Send image'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
