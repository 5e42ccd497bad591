// JPEG: drops XMP, IPTC/Photoshop, MPF and comment segments and replaces EXIF (camera, GPS, dates) by an EXIF that
// holds only the orientation. Colour profiles and the pixels (every scan's entropy-coded data) pass untouched; the
// scans are walked only to find the markers between them (a progressive JPEG's tables and further scans) and the end
// of the image. Whatever follows the end of the image is dropped: phones append more there — a Motion Photo's video,
// an Ultra HDR gain map, MPF's secondary images — each with metadata of its own (a video's location atom, EXIF).
import { orientationOf, orientationTiff } from './exif.js';
import { SegmentFilter, type Step } from './segments.js';

const EXIF = Buffer.from('Exif\0\0', 'latin1');
const XMP = Buffer.from('http://ns.adobe.com/', 'latin1');
const MPF = Buffer.from('MPF\0', 'latin1');

export class JpegStripper extends SegmentFilter {
  private started = false;
  /** Inside a scan's entropy-coded data (after an SOS header). */
  private inScan = false;
  /** Past the end of the image. */
  private done = false;

  protected step(head: Buffer, ended: boolean): Step {
    if (this.done) return { skip: Number.POSITIVE_INFINITY };
    if (!this.started) {
      if (head.length < 2) return { need: 2 };
      this.started = true;
      return { emit: 2 }; // SOI
    }
    if (this.inScan) {
      const until = scanEnd(head);
      if (until === undefined) return ended ? { rest: true } : { need: head.length + 1 };
      if (until > 0) return { emit: until };
      this.inScan = false; // a marker at head[0]
    }
    if (head.length < 2) return { need: 2 };
    if (head[0] !== 0xff) return { rest: true }; // not a marker: leave the rest alone
    const marker = head[1]!;
    if (marker === 0xff) return { emit: 1 }; // fill byte
    if (marker === 0xd9) {
      this.done = true;
      return { emit: 2 }; // EOI
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) return { emit: 2 };
    if (head.length < 4) return { need: 4 };
    const length = head.readUInt16BE(2);
    const total = 2 + length;
    if (marker === 0xda) {
      this.inScan = true; // the scan's header passes, then its data
      return { pass: total };
    }
    if (marker === 0xe2 && head.length < 8) return { need: 8 };
    if (marker === 0xe2 && head.subarray(4, 8).equals(MPF)) return { skip: total }; // the index of appended images
    const droppable = marker === 0xe1 || marker === 0xed || marker === 0xfe;
    if (!droppable) return { pass: total };
    if (marker === 0xe1 && head.length < total) return { need: total }; // EXIF or XMP: read it whole (≤ 64 KiB)
    if (marker === 0xe1 && head.subarray(4, 10).equals(EXIF)) {
      const orientation = orientationOf(head.subarray(10, total));
      if (orientation && orientation !== 1) this.out(app1(orientation));
      return { skip: total };
    }
    if (marker === 0xe1 && !head.subarray(4, 4 + XMP.length).equals(XMP)) return { pass: total };
    return { skip: total };
  }
}

function app1(orientation: number): Buffer {
  const body = Buffer.concat([EXIF, orientationTiff(orientation)]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/**
 * How many bytes of entropy-coded data lead `head` before the next marker (0 when one starts it); undefined when all
 * of it is scan data, bar a last 0xFF whose next byte has not arrived. Inside a scan 0xFF is followed by 0x00 (a
 * stuffed byte), a restart marker (D0–D7) or more fill bytes; anything else is a marker that ends the scan.
 */
function scanEnd(head: Buffer): number | undefined {
  let from = 0;
  for (;;) {
    const at = head.indexOf(0xff, from);
    if (at === -1) return head.length || undefined;
    if (at + 1 >= head.length) return at || undefined;
    const next = head[at + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) from = at + 2;
    else if (next === 0xff) from = at + 1;
    else return at;
  }
}
