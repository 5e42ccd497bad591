// The preview worker's request/response protocol, on its stdin and stdout (pool.ts ↔ worker.ts): frames of
// [type: 1 byte][payload length: u32 big-endian][payload]. One job at a time per worker:
//   to the worker:   'J' {"kind"} a job starts · 'D' bytes of its input (many) · 'E' its input ended
//                    or 'J' {"kind","file"}: the worker reads its input from that file itself (no 'D', no 'E')
//   from the worker: 'W' bytes of the WebP (any number) then 'K' {"rss"} done · or 'F' {"error","rss"} no preview
// The worker's stdin ending is its signal to exit. Pipes, not Node's IPC channel: the input streams with backpressure,
// and the pool counts the answer's bytes as they arrive, so a runaway worker is killed before its answer is buffered.

import type { Readable } from 'node:stream';

/** A job's input: a stream piped to the worker, or a local file the worker reads itself. */
export type PreviewInput = Readable | { file: string };
export const isStream = (input: PreviewInput): input is Readable => typeof (input as Readable).pipe === 'function';

export const FRAME = { job: 0x4a, data: 0x44, end: 0x45, webp: 0x57, done: 0x4b, failed: 0x46 } as const;

export interface Frame {
  type: number;
  payload: Buffer;
}

/** The 5 bytes before a payload (written apart from it, so big payloads are not copied). */
export function header(type: number, length: number): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(length, 1);
  return head;
}

export function frame(type: number, payload: Buffer | string | object = Buffer.alloc(0)): Buffer {
  const body = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return Buffer.concat([header(type, body.length), body]);
}

/** Splits a byte stream into frames; push() returns the frames completed by a chunk. */
export class FrameParser {
  private buffered: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Frame[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.size < 5) break;
      if (this.buffered[0]!.length < 5) this.buffered = [Buffer.concat(this.buffered)];
      const length = this.buffered[0]!.readUInt32BE(1);
      if (this.size < 5 + length) break; // joined only once the frame is whole: no copying per chunk
      const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
      frames.push({ type: all[0]!, payload: all.subarray(5, 5 + length) });
      const rest = all.subarray(5 + length);
      this.buffered = rest.length ? [rest] : [];
      this.size = rest.length;
    }
    return frames;
  }

  /** Bytes of a frame not yet complete. */
  get pending(): number {
    return this.size;
  }
}
