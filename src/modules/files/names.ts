// File names are data: keep the user's name for display (Unicode kept), but drop control characters and path
// separators and cap it at 255 UTF-8 bytes. Storage keys are never derived from it.

const MAX_BYTES = 255;

export function cleanFileName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  // control characters, including bidi overrides that disguise extensions
  const visible = raw.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
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

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  return name.slice(dot + 1).toLowerCase();
}
