// A zip of stored files, streamed: each file's bytes are opened from storage only when the zip reaches it (never
// all at once) and stored uncompressed (files are mostly compressed already), so memory stays flat whatever the total
// size; entries past 4 GiB or 65535 files use ZIP64. Names inside are made unique ("a.pdf", "a (2).pdf").
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ZipFile } from 'yazl';
import type { BlobStore } from '../../storage/index.js';

// yazl computes each entry's CRC-32 with buffer-crc32, a byte-at-a-time JavaScript loop (~100–200 MB/s here, on the
// event loop); zlib's native crc32 (Node ≥ 20.15) gives the same value ~10× faster. yazl calls
// `unsigned(chunk, previousCrc)` for every chunk of a file; buffer-crc32's other forms are left as they are.
const bufferCrc32 = createRequire(import.meta.url)('buffer-crc32') as {
  unsigned: (buf: Buffer, previous?: number) => number;
};
bufferCrc32.unsigned = (buf, previous) => zlib.crc32(buf, previous ?? 0);

export interface ZipEntry {
  /** Path inside the zip ("folder/name.pdf"). */
  path: string;
  /** Stored bytes under this key, or literal contents (a transcript). */
  key?: string;
  size?: number;
  contents?: Buffer;
  mtime?: Date;
}

/** "a.pdf" → "a (2).pdf" for the second use of one path (compared case-insensitively, as unzip tools do). */
export function uniquePaths(): (path: string) => string {
  const used = new Set<string>();
  return (p) => {
    const slash = p.lastIndexOf('/');
    const dot = p.lastIndexOf('.');
    const cut = dot > slash + 1 ? dot : p.length;
    let candidate = p;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${p.slice(0, cut)} (${n})${p.slice(cut)}`;
    used.add(candidate.toLowerCase());
    return candidate;
  };
}

/**
 * The zip's byte stream. `entries` is read as the zip is written (an async generator may page through a table).
 * A storage failure mid-way destroys the stream (the client sees a broken download, never a silently short zip);
 * the consumer going away stops reading from storage.
 */
export function zipStream(storage: BlobStore, entries: AsyncIterable<ZipEntry>): Readable {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  let current: Readable | undefined;
  let stopped = false;
  out.on('close', () => {
    stopped = true;
    current?.destroy();
  });
  const fail = (err: Error) => {
    stopped = true;
    current?.destroy();
    out.destroy(err);
  };
  zip.on('error', fail);
  void (async () => {
    for await (const e of entries) {
      if (stopped) return;
      const options = { mtime: e.mtime ?? new Date(), mode: 0o100644, compress: false };
      if (e.contents) zip.addBuffer(e.contents, e.path, { ...options, compress: true });
      else if (e.key) {
        const key = e.key;
        zip.addReadStreamLazy(e.path, { ...options, size: e.size }, (cb) => {
          storage.get(key).then(
            (stream) => {
              current = stream;
              if (stopped) stream.destroy();
              cb(null, stream);
            },
            (err: Error) => cb(err, undefined as never),
          );
        });
      }
      // Add entries only as fast as the zip drains them: a million files never sit queued in memory.
      while (!stopped && pendingEntries(zip) > 8) await new Promise((r) => setTimeout(r, 20));
    }
    if (!stopped) zip.end();
  })().catch(fail);
  return out;
}

/** Entries yazl has been given but not yet written (its queue). */
function pendingEntries(zip: ZipFile): number {
  const z = zip as unknown as { entries: { state: number }[]; outputStreamCursor?: number };
  let waiting = 0;
  for (let i = z.entries.length - 1; i >= 0 && waiting <= 8; i--) {
    // yazl: 0 = WAITING_FOR_METADATA, 1 = READY_TO_PUMP_FILE_DATA, 2 = FILE_DATA_IN_PROGRESS, 3 = FILE_DATA_DONE
    if (z.entries[i]!.state < 3) waiting++;
    else break;
  }
  return waiting;
}
