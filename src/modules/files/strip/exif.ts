// The one EXIF fact kept when a photo's metadata is removed: its orientation. Reads it from a TIFF structure and
// writes the smallest TIFF that carries only it, so the picture still shows the right way up.

/** Orientation (1–8) from a TIFF block (EXIF without the "Exif\0\0" prefix), or undefined. */
export function orientationOf(tiff: Buffer): number | undefined {
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const at = ifd + 2 + i * 12;
    if (at + 12 > tiff.length) return undefined;
    if (u16(at) === 0x0112) {
      const value = u16(at + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** A big-endian TIFF with one IFD entry: Orientation. */
export function orientationTiff(orientation: number): Buffer {
  const b = Buffer.alloc(26);
  b.write('MM', 0, 'latin1');
  b.writeUInt16BE(42, 2);
  b.writeUInt32BE(8, 4);
  b.writeUInt16BE(1, 8);
  b.writeUInt16BE(0x0112, 10);
  b.writeUInt16BE(3, 12);
  b.writeUInt32BE(1, 14);
  b.writeUInt16BE(orientation, 18);
  b.writeUInt32BE(0, 22);
  return b;
}

/** Same-size replacement for an EXIF payload: the orientation alone, then zeros. */
export function blankExif(payload: Buffer, prefix = 0): Buffer {
  const out = Buffer.alloc(payload.length);
  const tiff = orientationTiff(orientationOf(payload.subarray(prefix)) ?? 1);
  if (out.length >= prefix + tiff.length) tiff.copy(out, prefix);
  return out;
}

const EMPTY_XMP = '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/>';
/** Same-size replacement for an XMP packet: an empty packet padded with spaces (XMP's own padding). */
export function blankXmp(length: number): Buffer {
  const end = '<?xpacket end="w"?>';
  if (length < EMPTY_XMP.length + end.length) return Buffer.alloc(length, 0x20);
  return Buffer.from(EMPTY_XMP + ' '.repeat(length - EMPTY_XMP.length - end.length) + end, 'latin1');
}
