// SHA-256 of the bytes that reach storage, for pipes that change the bytes after the inspector (metadata removal).
import crypto from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class HashTap extends Transform {
  private readonly hash = crypto.createHash('sha256');

  get sha256(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.hash.update(chunk);
    done(null, chunk);
  }
}
