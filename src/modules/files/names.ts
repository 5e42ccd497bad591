// File names are data: keep the user's name for display (Unicode kept), but drop control characters and path
// separators and cap it at 255 UTF-8 bytes. Storage keys are never derived from it.

const MAX_BYTES = 255;

export function cleanFileName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  // Control characters and invisible format characters: bidi marks, embeddings, overrides and isolates (which
  // disguise extensions: "invoice\u202Efdp.exe"), zero-width spaces and joiners, word joiners, the BOM.
  const visible = raw
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g, '');
  // Nothing but separators, dots and spaces is no name at all.
  if (/^[\s./\\]*$/.test(visible)) return undefined;
  let name = visible.replace(/[/\\]/g, '_').trim();
  if (Buffer.byteLength(name) > MAX_BYTES) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 21 ? name.slice(dot) : '';
    let stem = name.slice(0, name.length - ext.length);
    while (Buffer.byteLength(stem + ext) > MAX_BYTES) stem = [...stem].slice(0, -1).join('');
    name = stem + ext;
  }
  return name;
}

/**
 * A file name as a browser sent it in a multipart form: the HTML form encoding (WHATWG) writes `"` as %22 and CR, LF
 * as %0D, %0A, and escapes nothing else. The quote comes back; line breaks go (cleanFileName drops controls anyway).
 * A name typed with a literal "%22" cannot be told apart and becomes `"` too, as in what browsers mean by it.
 */
export const formFileName = (raw: string | undefined): string | undefined =>
  raw?.replace(/%(22|0D|0A)/g, (_, code: string) => (code === '22' ? '"' : ''));

export { extensionAllowed, extensionOf } from './extensions.js';
