// WebP: the RIFF header states the file's size before any chunk, so metadata is blanked in place instead of
// removed: the EXIF chunk keeps only the orientation (zeros after it), the XMP chunk becomes an empty packet.
// Sizes and flags stay as they were; image chunks pass through as they arrive.
import { blankExif, blankXmp } from './exif.js';
import { SegmentFilter, type Step } from './segments.js';

const MAX_METADATA = 4 * 1024 * 1024;

export class WebpStripper extends SegmentFilter {
  private started = false;

  protected step(head: Buffer): Step {
    if (!this.started) {
      if (head.length < 12) return { need: 12 };
      this.started = true;
      return { emit: 12 };
    }
    if (head.length < 8) return { need: 8 };
    const type = head.toString('latin1', 0, 4);
    const size = head.readUInt32LE(4);
    const total = 8 + size + (size % 2);
    if ((type !== 'EXIF' && type !== 'XMP ') || size > MAX_METADATA) return { pass: total };
    if (head.length < total) return { need: total };
    const payload = head.subarray(8, 8 + size);
    // EXIF in WebP may or may not carry the "Exif\0\0" prefix.
    const prefix = payload.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
    const blank = type === 'EXIF' ? blankExif(payload, prefix) : blankXmp(size);
    if (type === 'EXIF' && prefix) payload.copy(blank, 0, 0, 6);
    this.out(Buffer.concat([head.subarray(0, 8), blank, head.subarray(8 + size, total)]));
    return { skip: total };
  }
}
