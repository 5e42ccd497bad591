// "Remove location and camera data from photos": the streaming segment filter for a photo's format, placed in the
// upload pipe before storage (so the stored bytes, and their sha256, are the stripped ones). Pixels are never
// decoded or re-encoded; the orientation is kept. JPEG, PNG, WebP and HEIC/HEIF/AVIF.
import type { Transform } from 'node:stream';
import { HeifStripper } from './heif.js';
import { JpegStripper } from './jpeg.js';
import { PngStripper } from './png.js';
import { WebpStripper } from './webp.js';

export function metadataStripper(extension: string): Transform | undefined {
  switch (extension) {
    case 'jpg':
    case 'jpeg':
      return new JpegStripper();
    case 'png':
      return new PngStripper();
    case 'webp':
      return new WebpStripper();
    case 'heic':
    case 'heif':
    case 'avif':
      return new HeifStripper();
    default:
      return undefined;
  }
}
