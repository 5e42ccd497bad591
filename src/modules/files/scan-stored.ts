// Scans a stored object with clamd after the fact (the files.scan job). An object larger than one clamd stream is
// scanned in overlapping windows, so a signature straddling two windows is still inside one of them (up to the
// overlap's length); clamd unpacks an archive only within the window it sees.
import { Readable } from 'node:stream';
import type { ScanVerdict, Scanner } from '../../scanner/index.js';
import { scanReadable } from '../../scanner/index.js';
import type { BlobStore } from '../../storage/index.js';

const MAX_OVERLAP = 1024 * 1024;

export async function scanStored(
  scanner: Scanner,
  storage: BlobStore,
  key: string,
  size: number,
): Promise<ScanVerdict> {
  const window = scanner.maxStreamBytes;
  if (size <= window) return scanReadable(scanner, await storage.get(key));
  const overlap = Math.min(MAX_OVERLAP, Math.floor(window / 4));
  for (let start = 0; ; start += window - overlap) {
    const end = Math.min(size, start + window) - 1;
    let verdict = await scanReadable(scanner, await storage.get(key, { start, end }));
    // The first window starts with the file's own header: clamd parses it as that format (a zip by its central
    // directory, which lies beyond the window) and so misses a member inside the window. One byte later the window
    // is raw data, in which clamd finds embedded archives by their local headers, as in every later window. (Its
    // last byte is in the next window's overlap: the window stays within clamd's limit.)
    if (!verdict.infected && start === 0)
      verdict = await scanReadable(scanner, oneByteLater(await storage.get(key, { start: 0, end: window - 2 })));
    if (verdict.infected || end === size - 1) return verdict;
  }
}

function oneByteLater(source: Readable): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.alloc(1);
      yield* source;
    })(),
  );
}
