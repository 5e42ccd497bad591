// A file's small picture: its thumbnail or first-page preview (images, PDFs) when the server made one, else the type
// badge. Decorative: the file's name is always next to it.
import { FileIcon } from './FileIcon.js';

export function FilePreview({ file }: { file: { name: string; extension?: string; thumbnailUrl?: string } }) {
  if (file.thumbnailUrl) return <img className="p-file-preview" src={file.thumbnailUrl} alt="" loading="lazy" />;
  return <FileIcon name={file.name} extension={file.extension} />;
}
