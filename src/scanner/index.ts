// The malware scanner port: a scan session takes a file's bytes as they stream and answers clean or infected with
// the signature's name. clamd.ts is the adapter (app.ts chooses it when PARLEY_CLAMAV is set); a scanner that cannot
// be reached rejects with AppError SCANNER_UNAVAILABLE, so callers never look at socket errors.
import type { Readable } from 'node:stream';

export type ScanVerdict = { infected: false } | { infected: true; signature: string };

export interface ScanSession {
  /** Sends one chunk; resolves when the scanner has taken it (backpressure). */
  write(chunk: Buffer): Promise<void>;
  /** Ends the stream and resolves to the verdict. */
  finish(): Promise<ScanVerdict>;
  /** Drops the scan (the file is too large to scan inline, or the upload failed). */
  abort(): void;
}

export interface Scanner {
  /** The most bytes one session takes (clamd's StreamMaxLength). */
  readonly maxStreamBytes: number;
  /** Opens a session; rejects with SCANNER_UNAVAILABLE when the scanner cannot be reached. */
  open(): Promise<ScanSession>;
  /** Throws when the scanner does not answer (readiness check). */
  ping(): Promise<void>;
}

/** Streams a whole readable through one session. */
export async function scanReadable(scanner: Scanner, source: Readable): Promise<ScanVerdict> {
  const session = await scanner.open();
  try {
    for await (const chunk of source) await session.write(chunk as Buffer);
    return await session.finish();
  } catch (err) {
    session.abort();
    source.destroy();
    throw err;
  }
}
