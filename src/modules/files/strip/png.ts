// PNG: drops text chunks (tEXt, zTXt, iTXt: XMP and camera notes live there) and the time stamp, and replaces
// eXIf by one holding only the orientation. Image chunks pass through as they arrive.
import zlib from 'node:zlib';
import { orientationOf, orientationTiff } from './exif.js';
import { SegmentFilter, type Step } from './segments.js';

const DROP = new Set(['tEXt', 'zTXt', 'iTXt', 'tIME', 'eXIf']);

export class PngStripper extends SegmentFilter {
  private started = false;

  protected step(head: Buffer): Step {
    if (!this.started) {
      if (head.length < 8) return { need: 8 };
      this.started = true;
      return { emit: 8 };
    }
    if (head.length < 8) return { need: 8 };
    const length = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    const total = 12 + length;
    if (type === 'IEND') return { rest: true };
    if (!DROP.has(type)) return { pass: total };
    if (type === 'eXIf' && length <= 1024 * 1024) {
      if (head.length < total) return { need: total };
      const orientation = orientationOf(head.subarray(8, 8 + length));
      if (orientation && orientation !== 1) this.out(chunk('eXIf', orientationTiff(orientation)));
    }
    return { skip: total };
  }
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
