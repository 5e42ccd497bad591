// A base for streaming segment filters: bytes are collected only until the parser can decide about the next segment
// (a header, or one bounded metadata segment); everything else passes straight through. Never buffers the image data.
import { Transform, type TransformCallback } from 'node:stream';

/** What the parser wants next. */
export type Step =
  | { need: number } // wait until this many bytes are buffered, then call step() again
  | { emit: number } // pass this many buffered bytes through
  | { skip: number } // drop this many bytes (they may still be arriving)
  | { pass: number } // pass this many bytes through (they may still be arriving)
  | { rest: true }; // pass everything that follows

export abstract class SegmentFilter extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private skipping = 0;
  private passing = 0;
  private passAll = false;
  /** Bytes of the original consumed so far (offset of buf[0]). */
  protected offset = 0;

  /** Decides from the buffered head (`head`, starting at this.offset) what to do next. */
  protected abstract step(head: Buffer, ended: boolean): Step;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    try {
      this.feed(chunk, false);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback) {
    try {
      this.feed(Buffer.alloc(0), true);
      if (this.buf.length) this.out(this.buf);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** Emits bytes downstream (subclasses may rewrite them on the way). */
  protected out(bytes: Buffer) {
    if (bytes.length) this.push(bytes);
  }

  private feed(chunk: Buffer, ended: boolean) {
    let data = chunk;
    for (;;) {
      if (this.passAll) {
        this.out(this.buf.length ? Buffer.concat([this.buf, data]) : data);
        this.offset += this.buf.length + data.length;
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.skipping > 0 || this.passing > 0) {
        const n = Math.min(this.skipping || this.passing, data.length);
        if (this.passing > 0) this.out(data.subarray(0, n));
        if (this.skipping > 0) this.skipping -= n;
        else this.passing -= n;
        this.offset += n;
        data = data.subarray(n);
        if (this.skipping > 0 || this.passing > 0) return;
      }
      if (data.length) {
        this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
        data = Buffer.alloc(0);
      }
      if (this.buf.length === 0) return;
      const s = this.step(this.buf, ended);
      if ('rest' in s) {
        this.passAll = true;
        continue;
      }
      // Not enough yet: wait for more (at the end, _flush passes a truncated remainder through as it is).
      if ('need' in s) return;
      const n = 'emit' in s ? s.emit : 'skip' in s ? s.skip : s.pass;
      const now = Math.min(n, this.buf.length);
      if (!('skip' in s)) this.out(this.buf.subarray(0, now));
      this.offset += now;
      this.buf = this.buf.subarray(now);
      if ('skip' in s) this.skipping = n - now;
      if ('pass' in s || 'emit' in s) this.passing = n - now;
    }
  }
}
