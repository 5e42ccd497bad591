// Content verification: do a file's first bytes agree with its extension? Binary formats are recognised with
// file-type (magic bytes); text formats must look like text. Executables and markup never pass as something else.
import { fileTypeFromBuffer } from 'file-type';

export const SNIFF_BYTES = 4100;

/** Extensions we know, with the magic-byte types that may carry them. */
const BINARY: Record<string, string[]> = {
  jpg: ['jpg'],
  jpeg: ['jpg'],
  png: ['png'],
  gif: ['gif'],
  webp: ['webp'],
  bmp: ['bmp'],
  tif: ['tif'],
  tiff: ['tif'],
  heic: ['heic'],
  avif: ['avif'],
  ico: ['ico'],
  pdf: ['pdf'],
  zip: ['zip'],
  docx: ['docx', 'zip'],
  xlsx: ['xlsx', 'zip'],
  pptx: ['pptx', 'zip'],
  odt: ['odt', 'zip'],
  ods: ['ods', 'zip'],
  odp: ['odp', 'zip'],
  doc: ['cfb', 'doc'],
  xls: ['cfb', 'xls'],
  ppt: ['cfb', 'ppt'],
  msg: ['cfb'],
  gz: ['gz', 'tar.gz'],
  tgz: ['gz', 'tar.gz'],
  'tar.gz': ['gz', 'tar.gz'],
  'tar.bz2': ['bz2', 'tar.bz2'],
  tbz2: ['bz2', 'tar.bz2'],
  'tar.xz': ['xz', 'tar.xz'],
  txz: ['xz', 'tar.xz'],
  rar: ['rar'],
  '7z': ['7z'],
  bz2: ['bz2', 'tar.bz2'],
  xz: ['xz', 'tar.xz'],
  tar: ['tar'],
  mp3: ['mp3'],
  wav: ['wav'],
  ogg: ['ogg', 'oga', 'opus'],
  m4a: ['m4a', 'mp4'],
  mp4: ['mp4', 'm4v'],
  mov: ['mov'],
  webm: ['webm'],
  avi: ['avi'],
  exe: ['exe'],
  dll: ['exe'],
  msi: ['cfb', 'msi'],
  elf: ['elf'],
};

const TEXT = new Set([
  'txt',
  'csv',
  'tsv',
  'log',
  'md',
  'json',
  'xml',
  'html',
  'htm',
  'svg',
  'ics',
  'vcf',
  'yaml',
  'yml',
  'rtf',
]);
/** Text formats that are markup: allowed as themselves (served as attachments), never disguised as anything else. */
const MARKUP_EXT = new Set(['html', 'htm', 'svg', 'xml']);

const MIME: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  svg: 'image/svg+xml',
  ics: 'text/calendar',
  vcf: 'text/vcard',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  rtf: 'application/rtf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

const DANGEROUS = new Set([
  'exe',
  'elf',
  'mach',
  'macho',
  'msi',
  'class',
  'swf',
  'dmg',
  'deb',
  'rpm',
  'apk',
  'wasm',
  'lnk',
  'dex',
]);

function looksLikeMarkup(head: Buffer): boolean {
  const text = head
    .subarray(0, 1024)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  return (
    /^<(\?xml|!doctype|html|head|body|script|svg|iframe|object|embed|meta|style|a\s|img\s|div|table|!--)/.test(text) ||
    /<script[\s>]/.test(text)
  );
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return true;
  if (head.includes(0)) {
    // UTF-16 with a BOM is text; otherwise a NUL byte means binary.
    return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  }
  let control = 0;
  for (const b of head) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) control++;
  return control / head.length < 0.01;
}

export interface SniffResult {
  ok: true;
  mimeType: string;
}
export interface SniffRefusal {
  ok: false;
  reason: string;
}

/** Decides from the first SNIFF_BYTES bytes (or the whole file, when shorter) whether they match `ext`. */
export async function sniff(ext: string, head: Buffer): Promise<SniffResult | SniffRefusal> {
  const detected = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  const expected = BINARY[ext];
  const label = ext ? `.${ext}` : 'a file without an extension';
  if (expected) {
    if (detected && expected.includes(detected.ext)) return { ok: true, mimeType: MIME[ext] ?? detected.mime };
    return {
      ok: false,
      reason: detected
        ? `The contents are a ${detected.ext.toUpperCase()} file, not ${label}`
        : `The contents do not look like a ${label} file`,
    };
  }
  if (TEXT.has(ext)) {
    if (detected && !['xml', 'svg'].includes(detected.ext))
      return { ok: false, reason: `The contents are a ${detected.ext.toUpperCase()} file, not ${label} text` };
    if (!looksLikeText(head)) return { ok: false, reason: `The contents are binary, not ${label} text` };
    if (!MARKUP_EXT.has(ext) && looksLikeMarkup(head) && ext !== 'txt' && ext !== 'md') {
      return { ok: false, reason: `The contents are HTML or XML markup, not ${label}` };
    }
    return { ok: true, mimeType: MIME[ext] ?? 'text/plain' };
  }
  // An extension we have no rule for (the admin allowed it): refuse only what is clearly something else.
  if (detected && DANGEROUS.has(detected.ext) && detected.ext !== ext) {
    return { ok: false, reason: `The contents are an executable (${detected.ext.toUpperCase()}), not ${label}` };
  }
  if (!detected && looksLikeMarkup(head))
    return { ok: false, reason: `The contents are HTML or XML markup, not ${label}` };
  return { ok: true, mimeType: detected?.mime ?? 'application/octet-stream' };
}
