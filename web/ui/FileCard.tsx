// A non-image file as a card: its preview (a PDF's first page) or type badge, name, size and a download link.
import type { ChatFile } from './types.js';
import { FilePreview } from './FilePreview.js';
import { formatSize } from './format.js';

export function FileCard({ file }: { file: ChatFile }) {
  return (
    <div className="p-file-card">
      <FilePreview file={file} />
      <div className="p-file-card__text">
        <span className="p-file-card__name" title={file.name}>
          {file.name}
        </span>
        <span className="p-file-card__size">{formatSize(file.size)}</span>
      </div>
      <a className="p-file-card__download" href={file.url} download={file.name} aria-label={`Download ${file.name}`}>
        Download
      </a>
    </div>
  );
}
