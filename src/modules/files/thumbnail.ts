// Thumbnails for png/jpeg/gif/webp: bounded in input pixels, input bytes and time; metadata (EXIF/GPS) is not
// copied. Any failure means "no thumbnail", never a failed upload or a dead process.
import sharp from 'sharp';
import type { BlobStore } from '../../storage/index.js';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const MAX_INPUT_BYTES = 25 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;
sharp.concurrency(1);

export function wantsThumbnail(mimeType: string, size: number): boolean {
  return IMAGE_TYPES.has(mimeType) && size > 0 && size <= MAX_INPUT_BYTES;
}

export async function makeThumbnail(storage: BlobStore, sourceKey: string, thumbKey: string): Promise<boolean> {
  try {
    const source = await storage.get(sourceKey);
    const resizer = sharp({ limitInputPixels: MAX_PIXELS, failOn: 'error', animated: false })
      .rotate() // apply EXIF orientation before the metadata is dropped
      .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .timeout({ seconds: 5 });
    source.on('error', (err) => resizer.destroy(err));
    await storage.put(thumbKey, source.pipe(resizer), { contentType: 'image/webp' });
    return true;
  } catch {
    await storage.delete(thumbKey).catch(() => {});
    return false;
  }
}
