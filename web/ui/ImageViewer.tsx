// Full-size image overlay: a modal dialog closed with Escape, the Close button or a click outside the image.
import { useEffect, useRef } from 'react';
import type { ChatFile } from './types.js';

export function ImageViewer({ file, onClose }: { file: ChatFile; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCloseRef.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, []);
  return (
    <div className="p-viewer" role="dialog" aria-modal="true" aria-label={file.name} onClick={onClose}>
      <div className="p-viewer__bar" onClick={(e) => e.stopPropagation()}>
        <span className="p-viewer__name">{file.name}</span>
        <a href={file.url} download={file.name}>
          Download
        </a>
        <button type="button" ref={closeRef} onClick={onClose}>
          Close
        </button>
      </div>
      <img className="p-viewer__image" src={file.url} alt={file.name} onClick={(e) => e.stopPropagation()} />
    </div>
  );
}
