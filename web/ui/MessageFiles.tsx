// The files of one message: thumbnails for images, cards for the rest, "File deleted" for removed ones, and a notice
// instead of a download for blocked (infected) or still-scanning files.
import type { MessageFile } from './types.js';
import { isDeleted } from './types.js';
import { FileCard } from './FileCard.js';
import { ImageThumb } from './ImageThumb.js';
import { isBlocked, ScanNotice } from './ScanNotice.js';

const THUMBNAIL_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

export function MessageFiles({ files }: { files: MessageFile[] }) {
  return (
    <ul className="p-files" aria-label="Files">
      {files.map((f) => (
        <li key={f.id}>
          {isDeleted(f) ? (
            <span className="p-file-deleted">File deleted</span>
          ) : isBlocked(f) || f.scan === 'pending' ? (
            <ScanNotice file={f} />
          ) : THUMBNAIL_TYPES.includes(f.mimeType) && f.thumbnailUrl ? (
            <ImageThumb file={f} />
          ) : (
            <FileCard file={f} />
          )}
        </li>
      ))}
    </ul>
  );
}
