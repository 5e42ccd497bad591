// Files dropped onto a chat or pasted into it go to `onFiles`; pasted images (a screenshot) go to `onPastedImages`
// when given, so they can be previewed and named before sending. `dragging` drives the drop overlay.
import { useRef, useState, type ClipboardEvent, type DragEvent } from 'react';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

export function useDropAndPaste(onFiles: (files: File[]) => void, onPastedImages?: (images: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0); // dragenter/dragleave fire for every child; count them to know when we really left

  const handlers = {
    onDragEnter(e: DragEvent) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setDragging(true);
    },
    onDragOver(e: DragEvent) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave(e: DragEvent) {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop(e: DragEvent) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer.files);
      if (files.length) onFiles(files);
    },
    onPaste(e: ClipboardEvent) {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (files.length === 0) return;
      e.preventDefault();
      const images = onPastedImages ? files.filter((f) => f.type.startsWith('image/')) : [];
      const others = files.filter((f) => !images.includes(f));
      if (images.length) onPastedImages!(images);
      if (others.length) onFiles(others);
    },
  };
  return { dragging, handlers };
}
