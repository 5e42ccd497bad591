// Real file contents for upload tests: valid PDFs and images of any size, and disguised payloads.
import sharp from 'sharp';

/** A small valid PDF padded to `size` bytes with a comment block (still a PDF by its magic bytes). */
export function pdf(size = 2048, seed = 'x'): Buffer {
  const head = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  if (size <= head.length) return head;
  const pad = Buffer.alloc(size - head.length, `% ${seed} padding\n`);
  return Buffer.concat([head, pad]);
}

export async function png(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toBuffer();
}

/** A JPEG carrying EXIF with GPS coordinates, to prove thumbnails drop it. */
export async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'SpyCam', Model: 'GPS-1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100' } })
    .toBuffer();
}

export const elf = () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4000, 1)]);
export const pe = () => { const b = Buffer.alloc(4096, 0); b.write('MZ', 0); b.writeUInt32LE(0x80, 0x3c); b.write('PE\0\0', 0x80, 'latin1'); return b; };
export const html = () => Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
