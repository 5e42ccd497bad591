// HEIC/HEIF/AVIF (ISO base media files): the photo's metadata are items of the `meta` box — an `Exif` item and an
// XMP item (`mime`, application/rdf+xml) — whose bytes `iloc` places elsewhere in the file (usually `mdat`, or
// `idat` inside `meta`). Items cannot be removed without rewriting every offset, so their bytes are blanked in place:
// the Exif item keeps only the orientation (zeros after it), the XMP item becomes an empty packet. The `meta` box
// is read whole (it is small, and comes first in photos from cameras and phones); everything else streams through.
// A file whose `meta` comes after the bytes it points at cannot be filtered in one pass and is stored as it came.
import { blankExif, blankXmp } from './exif.js';
import { SegmentFilter, type Step } from './segments.js';

const MAX_META = 4 * 1024 * 1024;
const MAX_ITEM = 4 * 1024 * 1024;

interface Blank {
  /** Where the item's bytes are, as file offsets. */
  start: number;
  length: number;
  kind: 'exif' | 'xmp';
}

/** The children of a box's payload as [type, start, end] (offsets into `b`). */
function children(b: Buffer, from: number, to: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) break;
      size = Number(b.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) break;
    out.push([type, at + header, at + size]);
    at += size;
  }
  return out;
}

/** Item ids of the Exif and XMP items (iinf → infe version 2 or 3). */
function metadataItems(b: Buffer, start: number, end: number): Map<number, 'exif' | 'xmp'> {
  const items = new Map<number, 'exif' | 'xmp'>();
  const version = b[start]!;
  const first = start + 4 + (version === 0 ? 2 : 4);
  for (const [type, s, e] of children(b, first, end)) {
    if (type !== 'infe') continue;
    const v = b[s]!;
    if (v < 2) continue;
    let at = s + 4;
    const id = v === 2 ? b.readUInt16BE(at) : b.readUInt32BE(at);
    at += (v === 2 ? 2 : 4) + 2; // item_ID, item_protection_index
    const itemType = b.toString('latin1', at, at + 4);
    at += 4;
    if (itemType === 'Exif') items.set(id, 'exif');
    else if (itemType === 'mime') {
      const nameEnd = b.indexOf(0, at);
      if (nameEnd < 0 || nameEnd >= e) continue;
      const typeEnd = b.indexOf(0, nameEnd + 1);
      const contentType = b.toString('latin1', nameEnd + 1, typeEnd < 0 || typeEnd > e ? e : typeEnd);
      if (contentType.trim() === 'application/rdf+xml') items.set(id, 'xmp');
    }
  }
  return items;
}

/** Extents of the wanted items (iloc), as file offsets (method 0) or offsets into idat (method 1). */
function locations(b: Buffer, start: number, end: number, wanted: Map<number, 'exif' | 'xmp'>, idat?: number) {
  const out: Blank[] = [];
  const version = b[start]!;
  let at = start + 4;
  const sizes = b.readUInt16BE(at);
  at += 2;
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 0xf;
  const baseSize = (sizes >> 4) & 0xf;
  const indexSize = version === 1 || version === 2 ? sizes & 0xf : 0;
  const uint = (n: number) => {
    const v = n === 0 ? 0 : n === 4 ? b.readUInt32BE(at) : n === 8 ? Number(b.readBigUInt64BE(at)) : Number.NaN;
    at += n;
    return v;
  };
  const count = version < 2 ? b.readUInt16BE(at) : b.readUInt32BE(at);
  at += version < 2 ? 2 : 4;
  for (let i = 0; i < count && at < end; i++) {
    const id = version < 2 ? b.readUInt16BE(at) : b.readUInt32BE(at);
    at += version < 2 ? 2 : 4;
    const method = version === 1 || version === 2 ? b.readUInt16BE(at) & 0xf : 0;
    if (version === 1 || version === 2) at += 2;
    at += 2; // data_reference_index
    const base = uint(baseSize);
    const extents = b.readUInt16BE(at);
    at += 2;
    for (let x = 0; x < extents; x++) {
      uint(indexSize);
      const offset = uint(offsetSize);
      const length = uint(lengthSize);
      const kind = wanted.get(id);
      if (!kind || !(length > 0) || Number.isNaN(offset)) continue;
      if (method === 0) out.push({ start: base + offset, length, kind });
      else if (method === 1 && idat !== undefined) out.push({ start: idat + base + offset, length, kind });
    }
  }
  return out;
}

/** Same-size replacement of an item's bytes. Exif items start with the offset of their TIFF header. */
function replacement(bytes: Buffer, kind: 'exif' | 'xmp'): Buffer {
  if (kind === 'xmp') return blankXmp(bytes.length);
  const tiffAt = bytes.length >= 4 ? 4 + bytes.readUInt32BE(0) : 0;
  const out = blankExif(bytes, tiffAt <= bytes.length ? tiffAt : 0);
  bytes.copy(out, 0, 0, Math.min(tiffAt, bytes.length));
  return out;
}

export class HeifStripper extends SegmentFilter {
  private blanks: Blank[] | undefined;

  protected step(head: Buffer): Step {
    if (this.blanks) return this.next(head);
    if (head.length < 8) return { need: 8 };
    let size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (size === 1) {
      if (head.length < 16) return { need: 16 };
      size = Number(head.readBigUInt64BE(8));
    }
    // Image data (or a box to the end of the file) before any `meta`: nothing can be located any more.
    if (size === 0 || type === 'mdat') return { rest: true };
    if (type !== 'meta') return { pass: size };
    if (size > MAX_META) return { rest: true };
    if (head.length < size) return { need: size };
    const meta = Buffer.from(head.subarray(0, size));
    this.blanks = this.parseMeta(meta);
    this.out(meta);
    return { skip: size };
  }

  /** Blanks idat items inside `meta` now; returns the file ranges still to come, in order. */
  private parseMeta(meta: Buffer): Blank[] {
    try {
      const boxes = children(meta, 12, meta.length); // after the box header and the full-box version/flags
      const iinf = boxes.find(([t]) => t === 'iinf');
      const iloc = boxes.find(([t]) => t === 'iloc');
      const idat = boxes.find(([t]) => t === 'idat');
      if (!iinf || !iloc) return [];
      const wanted = metadataItems(meta, iinf[1], iinf[2]);
      if (wanted.size === 0) return [];
      const all = locations(meta, iloc[1], iloc[2], wanted, idat ? this.offset + idat[1] : undefined);
      const later: Blank[] = [];
      for (const blank of all) {
        const inMeta = blank.start - this.offset;
        if (inMeta >= 0 && inMeta + blank.length <= meta.length) {
          const bytes = meta.subarray(inMeta, inMeta + blank.length);
          replacement(Buffer.from(bytes), blank.kind).copy(bytes);
        } else if (blank.start >= this.offset + meta.length && blank.length <= MAX_ITEM) later.push(blank);
      }
      return later.sort((a, b) => a.start - b.start);
    } catch {
      return []; // a malformed meta box: the file is stored as it came, like any file we cannot parse
    }
  }

  private next(head: Buffer): Step {
    const blank = this.blanks!.find((b) => b.start + b.length > this.offset);
    if (!blank) return { rest: true };
    if (blank.start > this.offset) return { pass: blank.start - this.offset };
    // Overlapping an earlier range: this one is given up.
    if (blank.start < this.offset) return { pass: blank.start + blank.length - this.offset };
    if (head.length < blank.length) return { need: blank.length };
    this.out(replacement(Buffer.from(head.subarray(0, blank.length)), blank.kind));
    return { skip: blank.length };
  }
}
