// The Transform every uploaded file streams through: counts bytes (refusing past the limit the moment it is
// passed), hashes with SHA-256 (a large file's on a worker thread: off-thread-hash.ts), and holds back the first
// bytes until their content has been verified.
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../../errors.js';
import { type StreamSha256, streamSha256 } from './off-thread-hash.js';
import { SNIFF_BYTES, sniff } from './sniff.js';
import { fileTooLarge, hourlyQuotaReached } from './rules.js';

export interface Budget {
  /** Bytes this request may still take before an upload quota is hit (Infinity when none applies). */
  remainingBytes: number;
  /** The refusal when the budget runs out (default: the visitor's hourly quota). */
  refusal?: () => AppError;
}

export class FileInspector extends Transform {
  size = 0;
  mimeType = 'application/octet-stream';
  private readonly hash: StreamSha256;
  /** The digest, asked for when the last byte went through. */
  private asked?: Promise<string>;
  private head: Buffer[] = [];
  private headBytes = 0;
  private verified = false;
  private presumedSha256?: string;
  private unreadBytes = 0;

  constructor(
    private readonly ext: string,
    private readonly maxBytes: number,
    private readonly maxFileSizeKb: number,
    private readonly budget: Budget,
    opts: { hashOffThread?: boolean } = {},
  ) {
    super();
    this.hash = streamSha256(opts.hashOffThread ?? false);
  }

  /** The SHA-256 of the bytes that went through (or the one presumed), once the stream has ended. */
  async digest(): Promise<string> {
    if (this.presumedSha256 !== undefined) return this.presumedSha256;
    return (this.asked ??= this.hash.digest());
  }

  /**
   * For bytes hashed as they were written (a resumable upload whose PATCHes a node hashed): only the file's head
   * streams through, for its magic bytes; the `unreadBytes` after it are counted against the size limit and the
   * budget when the stream ends, and the digest is the one given.
   */
  presume(unreadBytes: number, sha256: string): this {
    this.unreadBytes = unreadBytes;
    this.presumedSha256 = sha256;
    this.hash.drop();
    return this;
  }

  /** Counts `bytes` more against the size limit and the budget: the refusal, if they do not fit. */
  private count(bytes: number): AppError | undefined {
    this.size += bytes;
    if (this.size > this.maxBytes) return fileTooLarge(this.maxFileSizeKb);
    this.budget.remainingBytes -= bytes;
    if (this.budget.remainingBytes < 0) return (this.budget.refusal ?? hourlyQuotaReached)();
    return undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    const refusal = this.count(chunk.length);
    if (refusal) return done(refusal);
    let caughtUp: Promise<void> | undefined;
    if (this.presumedSha256 === undefined) {
      try {
        caughtUp = this.hash.update(chunk);
      } catch (err) {
        return done(err as Error);
      }
    }
    // The worker is behind: the next chunk waits for it (the stream's backpressure holds the rest).
    if (caughtUp) caughtUp.then(() => this.pass(chunk, done), done);
    else this.pass(chunk, done);
  }

  private pass(chunk: Buffer, done: TransformCallback) {
    if (this.verified) return done(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) return done();
    this.verify().then(() => done(), done);
  }

  override _flush(done: TransformCallback) {
    const refusal = this.unreadBytes ? this.count(this.unreadBytes) : undefined;
    if (refusal) return done(refusal);
    if (this.presumedSha256 === undefined) {
      // Asked for now, while the bytes are still on their way to the disk: a worker finishes meanwhile.
      this.asked = this.hash.digest();
      this.asked.catch(() => {}); // a failure is the digest() caller's
    }
    if (this.verified) return done();
    this.verify().then(() => done(), done);
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void) {
    // Refused or failed before the end: a worker lets the stream's hash go (after the end, drop() does nothing).
    this.hash.drop();
    done(err);
  }

  private async verify() {
    const head = Buffer.concat(this.head);
    this.head = [];
    const verdict = await sniff(this.ext, head.subarray(0, SNIFF_BYTES));
    if (!verdict.ok) throw new AppError('CONTENT_MISMATCH', verdict.reason);
    this.mimeType = verdict.mimeType;
    this.verified = true;
    this.push(head);
  }
}
