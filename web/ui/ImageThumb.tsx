// An image file as a thumbnail with its name and size under it; activating it shows the full-size image in an overlay
// with a download link.
import { useState } from 'react';
import type { ChatFile } from './types.js';
import { ImageViewer } from './ImageViewer.js';
import { formatSize } from './format.js';

export function ImageThumb({ file }: { file: ChatFile }) {
  const [open, setOpen] = useState(false);
  return (
    <figure className="p-thumb">
      <button
        type="button"
        className="p-thumb__button"
        onClick={() => setOpen(true)}
        aria-label={`Open image ${file.name}`}
      >
        <img src={file.thumbnailUrl} alt={file.name} loading="lazy" />
      </button>
      <figcaption className="p-thumb__caption">
        <span className="p-thumb__name" title={file.name}>
          {file.name}
        </span>
        <span className="p-thumb__size">{formatSize(file.size)}</span>
        <a href={file.url} download={file.name} aria-label={`Download ${file.name}`}>
          Download
        </a>
      </figcaption>
      {open && <ImageViewer file={file} onClose={() => setOpen(false)} />}
    </figure>
  );
}
