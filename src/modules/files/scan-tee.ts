// Inline malware scanning: a pass-through stage of the upload pipe that hands each chunk to storage at once and to
// clamd in parallel, so a file up to clamd's stream limit has its verdict when its last byte is stored. A larger
// file, or one whose scan was cut off while the workspace accepts uploads with the scanner down, ends "pending":
// committed, held, and scanned by the files.scan job.
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../../errors.js';
import type { ScanSession, Scanner } from '../../scanner/index.js';

export interface InlineScanOptions {
  scanner: Scanner;
  whenScannerDown: 'refuse' | 'accept';
}

export type ScanOutcome =
  | { scan: 'clean' | 'pending' | 'skipped'; signature?: undefined }
  | { scan: 'infected'; signature: string };

export function malwareDetected(signature: string, name?: string): AppError {
  return new AppError(
    'MALWARE_DETECTED',
    `${name ? `"${name}"` : 'This file'} contains malware (${signature}); it was not sent`,
    { signature },
  );
}

export class ScanTee extends Transform {
  private sent = 0;
  private state: 'scanning' | 'held' | 'off';

  private constructor(
    private readonly session: ScanSession | undefined,
    private readonly maxBytes: number,
    private readonly whenScannerDown: 'refuse' | 'accept',
    off: boolean,
  ) {
    super();
    this.state = off ? 'off' : session ? 'scanning' : 'held';
  }

  /** No scanner is configured: the tee would only pass chunks on, so the pipe leaves it out (outcome() answers). */
  get passThrough(): boolean {
    return this.state === 'off';
  }

  /** Connects to the scanner first: when it is down, the upload is refused before a byte is stored (or held). */
  static async open(opts: InlineScanOptions | undefined): Promise<ScanTee> {
    if (!opts) return new ScanTee(undefined, 0, 'accept', true);
    try {
      const session = await opts.scanner.open();
      return new ScanTee(session, opts.scanner.maxStreamBytes, opts.whenScannerDown, false);
    } catch (err) {
      if (opts.whenScannerDown === 'refuse') throw err;
      return new ScanTee(undefined, 0, 'accept', false);
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.push(chunk);
    if (this.state !== 'scanning') return done();
    this.sent += chunk.length;
    if (this.sent > this.maxBytes) {
      // Too large for one clamd stream: the scan job reads it from storage in windows.
      this.session!.abort();
      this.state = 'held';
      return done();
    }
    this.session!.write(chunk).then(
      () => done(),
      (err) => this.lost(err, done),
    );
  }

  private lost(err: unknown, done: (err?: Error | null) => void) {
    this.session?.abort();
    if (this.whenScannerDown === 'refuse') return done(err as Error);
    this.state = 'held';
    done();
  }

  /** The verdict, once every byte went through; throws SCANNER_UNAVAILABLE when clamd failed and uploads are refused. */
  async outcome(): Promise<ScanOutcome> {
    if (this.state === 'off') return { scan: 'skipped' };
    if (this.state === 'held') return { scan: 'pending' };
    try {
      const verdict = await this.session!.finish();
      return verdict.infected ? { scan: 'infected', signature: verdict.signature } : { scan: 'clean' };
    } catch (err) {
      this.session!.abort();
      if (this.whenScannerDown === 'refuse') throw err;
      return { scan: 'pending' };
    }
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void) {
    // Destroyed after a normal end (autoDestroy), the session waits for outcome(); otherwise the scan is dropped.
    if (err || !this.writableFinished) this.session?.abort();
    done(err);
  }
}
