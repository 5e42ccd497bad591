// A small type badge for a file card: a fixed colour per family of extensions and the extension as text.
// The class comes from a fixed table, never from the file name itself.
import { extensionOf } from './format.js';

const FAMILIES: Record<string, string[]> = {
  pdf: ['pdf'],
  image: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp', 'heic'],
  sheet: ['xls', 'xlsx', 'csv', 'ods'],
  doc: ['doc', 'docx', 'odt', 'rtf', 'txt', 'md'],
  slides: ['ppt', 'pptx', 'odp'],
  archive: ['zip', 'rar', '7z', 'gz', 'tar', 'tgz', 'tar.gz', 'bz2', 'tar.bz2', 'xz', 'tar.xz'],
  media: ['mp3', 'wav', 'mp4', 'mov', 'webm'],
};

function familyOf(ext: string): string {
  for (const [family, exts] of Object.entries(FAMILIES)) if (exts.includes(ext)) return family;
  return 'other';
}

export function FileIcon({ name, extension }: { name: string; extension?: string }) {
  const ext = (extension || extensionOf(name)).toLowerCase();
  return (
    <span className={`p-file-icon p-file-icon--${familyOf(ext)}`} aria-hidden="true">
      {(ext || 'file').slice(0, 4).toUpperCase()}
    </span>
  );
}
