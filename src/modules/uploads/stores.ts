// Where unfinished resumable uploads keep their bytes: @tus/file-store under the data dir on the embedded default,
// @tus/s3-store in the storage bucket (objects named by the upload id) when PARLEY_STORAGE=s3, so that every node sees every upload.
// The chosen store also serves the domain's UploadBytes port (read the finished bytes, remove an upload).
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline as pipelineStreams, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS, type DataStore, type KvStore, Upload } from '@tus/server';
import type { Config } from '../../config.js';
import { type UploadBytes, uploadExpired } from './service.js';

/** No per-node cache of S3 upload metadata: with several nodes, one node's cache would go stale under another's. */
class NoCache<T> implements KvStore<T> {
  async get(): Promise<T | undefined> {
    return undefined;
  }
  async set(): Promise<void> {}
  async delete(): Promise<void> {}
}

/** Read and write buffer of the local upload store's streams (see ParleyFileStore). */
const BUFFER_BYTES = 1024 * 1024;

/**
 * How many uploads the local store keeps a running SHA-256 for (a few hundred bytes each); past it the oldest is
 * dropped, and its commit reads the bytes again.
 */
const HASHED_UPLOADS_MAX = 10_000;

/**
 * Write-backs (fdatasync of an upload's bytes after a PATCH, not awaited) in flight per node; a PATCH finding none free
 * starts none, and the commit's fsync writes what is left.
 */
const WRITE_BACKS_AT_ONCE = 1;

/**
 * The uploads whose every byte so far this node wrote, with their SHA-256 up to `offset`: the commit of such an upload
 * need not read its bytes again. Kept in memory only: a restart, a PATCH on another node (the offsets no longer follow
 * on) or a failed write drops it, and that commit reads the bytes.
 */
class RunningHashes {
  private readonly hashes = new Map<string, { offset: number; hash: crypto.Hash }>();

  /**
   * For a write at `offset`: a tap that hashes the bytes on their way, when the hash so far ends exactly there (or
   * the write is the first), and `end` to call with the offset the write reached. Undefined: this write is not hashed.
   */
  begin(id: string, offset: number): { tap: Transform; end(reached: number): void } | undefined {
    let running = offset === 0 ? { offset, hash: crypto.createHash('sha256') } : this.hashes.get(id);
    this.hashes.delete(id);
    if (running?.offset !== offset) running = undefined;
    if (!running) return undefined;
    const { hash } = running;
    let tapped = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        tapped += chunk.length;
        done(null, chunk);
      },
    });
    return {
      tap,
      // Every byte hashed was stored, and only those: the hash covers the upload up to the offset reached.
      end: (reached) => {
        if (reached !== offset + tapped) return;
        running.offset = reached;
        this.hashes.set(id, running);
        if (this.hashes.size > HASHED_UPLOADS_MAX) this.hashes.delete(this.hashes.keys().next().value!);
      },
    };
  }

  /** The SHA-256 of the upload's first `size` bytes, when they are exactly what was hashed. */
  digestOf(id: string, size: number): string | undefined {
    const running = this.hashes.get(id);
    return running?.offset === size ? running.hash.copy().digest('hex') : undefined;
  }

  forget(id: string) {
    this.hashes.delete(id);
  }
}

/** An upload's own names in a store (`<id>`, `<id>.info`, `<id>.part`, `<id>.json`); ids are newId()'s 23 chars. */
const UPLOAD_NAME = /^([0-9a-z]{23})(?:\.(?:info|part|json))?$/;

const codeIn = (codes: string[]) => (err: unknown) =>
  codes.includes((err as { name?: string })?.name ?? '') || codes.includes((err as { Code?: string })?.Code ?? '');
/** An S3 object or multipart upload that is not there (S3Store's own reading of S3's answers). */
const isMissing = codeIn(['NoSuchKey', 'NoSuchUpload', 'NotFound']);
/** A multipart upload that is not there; not `NotFound`, which the SDK gives any 404 without an S3 error code. */
const isMissingUpload = codeIn(['NoSuchKey', 'NoSuchUpload']);

/** The file system for reading an upload's bytes, where a missing file (ENOENT at open) is the upload gone. */
const openOrGone = {
  open: (file: string, flags: string, mode: number, done: (err: Error | null, fd?: number) => void) =>
    fs.open(file, flags, mode, (err, fd) => done(err?.code === 'ENOENT' ? uploadExpired() : err, fd)),
  read: fs.read,
  close: fs.close,
};

/**
 * The local store's upload metadata (`<id>.json`), as @tus/file-store's own FileKvStore except that only a missing
 * file is a missing upload: FileKvStore answers "no such upload" (404, the client starts over) for any failure to read
 * it — no file descriptors left under load, an I/O error. Those stay themselves here (503 STORAGE_UNAVAILABLE: retry
 * and resume). A file that does not parse (cut short by a crash while it was written) is still a missing upload.
 */
class UploadMetadataFiles<T> implements KvStore<T> {
  constructor(private readonly fileOf: (id: string) => string) {}
  async get(id: string): Promise<T | undefined> {
    let text: string;
    try {
      text = await fsp.readFile(`${this.fileOf(id)}.json`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }
  async set(id: string, value: T): Promise<void> {
    await fsp.writeFile(`${this.fileOf(id)}.json`, JSON.stringify(value));
  }
  async delete(id: string): Promise<void> {
    await fsp.rm(`${this.fileOf(id)}.json`);
  }
}

/** Async so that @tus/s3-store (and the AWS SDK under it) loads only when PARLEY_STORAGE=s3. */
export async function createUploadStore(config: Config): Promise<DataStore & UploadBytes> {
  const expirationPeriodInMilliseconds = config.uploadExpiryHours * 3_600_000;
  if (config.storage === 's3' && config.s3) {
    const s3 = config.s3;
    const { S3Store } = await import('@tus/s3-store');
    /**
     * S3Store.remove stops at an upload already completed (AbortMultipartUpload answers NoSuchUpload), leaving the
     * assembled object and its .info, and never deletes the incomplete last part (<id>.part): here every object
     * of the upload goes, whatever state it was in.
     */
    class ParleyS3Store extends S3Store {
      /**
       * As S3Store.getUpload, which answers "no such upload" (404) for any failure to read the upload's metadata, an
       * S3 outage included, and so tells a client to start over: only a missing `.info` means that here; S3 being
       * unreachable stays itself (503 STORAGE_UNAVAILABLE, the client retries and resumes). Written out whole rather
       * than checked before calling it: an outage beginning between a check and S3Store's own read lost uploads
       * (the chaos suite's "vanished upload", HEAD 404 after storage outages during PATCHes).
       */
      override async getUpload(id: string): Promise<Upload> {
        const stored = await this.partsOf(id);
        if (!stored) throw ERRORS.FILE_NOT_FOUND;
        const { file } = stored.metadata;
        // The multipart upload is gone while its .info is there: it was completed (S3Store's own reading).
        if (!stored.parts) return new Upload({ ...file, offset: file.size ?? 0, size: file.size });
        const incomplete = (await this.getIncompletePartSize(id)) ?? 0;
        return new Upload({ ...file, offset: stored.bytes + incomplete, size: file.size });
      }
      /**
       * An upload's metadata and its multipart upload's parts with the bytes they hold; `parts` undefined when the
       * multipart upload is gone (completed, or aborted); undefined when the .info is missing. S3 failing throws.
       */
      private async partsOf(id: string) {
        let metadata: Awaited<ReturnType<typeof this.getMetadata>>;
        try {
          metadata = await this.getMetadata(id);
        } catch (err) {
          if (isMissing(err)) return undefined;
          throw err;
        }
        try {
          const parts = await this.retrieveParts(id);
          return { metadata, parts, bytes: parts.reduce((sum, part) => sum + (part.Size ?? 0), 0) };
        } catch (err) {
          if (isMissingUpload(err)) return { metadata, parts: undefined, bytes: undefined };
          throw err;
        }
      }
      /**
       * A PATCH at the end of an upload whose multipart upload an earlier PATCH already completed (its commit then
       * failed, or its node died): S3Store would answer NoSuchUpload (500) forever. The object holds every byte, so
       * this (empty) PATCH finishes it and the commit runs again.
       */
      override async write(src: Readable, id: string, offset: number): Promise<number> {
        // Hashed on the way while this node stored every byte before (the commit then copies inside the bucket).
        const hashing = this.hashes.begin(id, offset);
        const source = hashing ? pipelineStreams(src, hashing.tap, () => {}) : src;
        try {
          const reached = await super.write(source, id, offset);
          hashing?.end(reached);
          return reached;
        } catch (err) {
          if (!isMissing(err)) throw err;
          const upload = await this.getUpload(id);
          if (upload.size === undefined || upload.offset !== upload.size || offset !== upload.size) throw err;
          source.resume();
          return offset;
        }
      }
      private readonly hashes = new RunningHashes();
      digestOf(id: string, size: number): string | undefined {
        return this.hashes.digestOf(id, size);
      }
      /**
       * The bytes of a completed upload (or those up to `range.end`, inclusive). Its object missing: every part
       * stored but the multipart upload never completed (CompleteMultipartUpload failed, or the node died between
       * the last part and it) is completed here; an upload whose parts are gone too (removed by hand or by a
       * lifecycle rule) is gone (410, refused), as on the local store — not a fault to retry for ever.
       */
      override async read(id: string, range?: { end: number }) {
        const Range = range ? `bytes=0-${range.end}` : undefined;
        const get = () => this.client.getObject({ Bucket: s3.bucket, Key: id, Range });
        const data = await get().catch(async (err: unknown) => {
          if (!isMissing(err)) throw err;
          if (!(await this.completeIfWhole(id))) throw uploadExpired();
          return get().catch((again: unknown) => {
            throw isMissing(again) ? uploadExpired() : again;
          });
        });
        return data.Body as Readable;
      }
      /**
       * Completes the multipart upload of an upload whose parts hold every byte. False when there is nothing to
       * complete: its .info is gone. True when it is complete now (or was already: its multipart upload is gone).
       * Parts that do not add up to the size are a store out of step with itself: an error, nothing removed.
       */
      private async completeIfWhole(id: string): Promise<boolean> {
        const stored = await this.partsOf(id);
        if (!stored) return false;
        if (!stored.parts) return true;
        const { metadata, parts, bytes } = stored;
        if (bytes !== metadata.file.size) throw new Error(`Upload ${id}: its parts hold ${bytes} bytes, not its size`);
        await this.finishMultipartUpload(metadata, parts).catch((err: unknown) => {
          if (!isMissingUpload(err)) throw err; // completed meanwhile by another request
        });
        await this.completeMetadata(metadata.file);
        return true;
      }
      /** The bucket's object that holds a completed upload (for a copy inside the bucket). */
      objectKey(id: string) {
        return id;
      }
      /** Uploads (objects at the bucket's root: <id>, <id>.info, <id>.part) untouched since `before`. */
      async listOlderThan(before: number): Promise<string[]> {
        const newest = new Map<string, number>();
        let ContinuationToken: string | undefined;
        do {
          const page = await this.client.listObjectsV2({ Bucket: s3.bucket, Delimiter: '/', ContinuationToken });
          for (const o of page.Contents ?? []) {
            // Only names an upload would have: anything else at the bucket's root is not ours to judge.
            const id = UPLOAD_NAME.exec(o.Key ?? '')?.[1];
            if (!id) continue;
            newest.set(id, Math.max(newest.get(id) ?? 0, o.LastModified?.getTime() ?? 0));
          }
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
        return [...newest].filter(([, at]) => at < before).map(([id]) => id);
      }
      override async remove(id: string): Promise<void> {
        this.hashes.forget(id);
        let uploadId: string | undefined;
        try {
          uploadId = (await this.getMetadata(id))['upload-id'];
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
        if (uploadId)
          await this.client
            .abortMultipartUpload({ Bucket: s3.bucket, Key: id, UploadId: uploadId })
            .catch((err: unknown) => {
              if (!isMissing(err)) throw err;
            });
        const { Errors } = await this.client.deleteObjects({
          Bucket: s3.bucket,
          Delete: { Objects: [{ Key: id }, { Key: `${id}.info` }, { Key: `${id}.part` }], Quiet: true },
        });
        // S3 answers a key it could not delete in the body of a 200: the upload is not removed (its job retries).
        if (Errors?.length)
          throw new Error(`S3 did not delete ${Errors.map((e) => `${e.Key} (${e.Code}: ${e.Message})`).join(', ')}`);
      }
    }
    return new ParleyS3Store({
      partSize: 8 * 1024 * 1024,
      expirationPeriodInMilliseconds,
      cache: new NoCache(),
      s3ClientConfig: {
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: s3.forcePathStyle,
        credentials: s3.accessKeyId
          ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey ?? '' }
          : undefined,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
    }) as unknown as DataStore & UploadBytes;
  }
  const directory = path.join(config.dataDir, 'uploads');
  /** An upload's bytes, never outside the directory (as FileStore's own private resolve). */
  const fileOf = (id: string) => {
    const file = path.join(directory, id);
    if (path.dirname(file) !== directory) throw ERRORS.FILE_NOT_FOUND;
    return file;
  };
  class ParleyFileStore extends FileStore {
    private readonly hashes = new RunningHashes();

    /**
     * As FileStore.write, without its byte-counting Transform (the stream counts what it wrote) and with a 1 MiB
     * buffer: chunks that arrive while a write is in flight go out together in one writev, instead of the 16 KiB
     * default pausing the body after every chunk (one fs.write per network chunk). The bytes are hashed on their way
     * when this node hashed every byte before them.
     */
    override async write(readable: Readable, id: string, offset: number): Promise<number> {
      const out = fs.createWriteStream(fileOf(id), { flags: 'r+', start: offset, highWaterMark: BUFFER_BYTES });
      const hashing = this.hashes.begin(id, offset);
      try {
        await (hashing ? pipeline(readable, hashing.tap, out) : pipeline(readable, out));
      } catch {
        throw ERRORS.FILE_WRITE_ERROR;
      }
      hashing?.end(offset + out.bytesWritten);
      this.writeBack(id);
      return offset + out.bytesWritten;
    }
    /** Uploads whose bytes are being written back to disk. */
    private readonly writingBack = new Set<string>();
    /**
     * Starts writing the upload's bytes to disk without waiting for it (the PATCH answers meanwhile): the disk works
     * while the next PATCH arrives, and the commit's fsync finds little left to write. Durability is still the
     * commit's fsync; this only spreads the work.
     */
    private writeBack(id: string) {
      // One at a time per node: each holds a thread of libuv's pool (4), which every file operation shares.
      if (this.writingBack.size >= WRITE_BACKS_AT_ONCE) return;
      this.writingBack.add(id);
      void fsp
        .open(fileOf(id), 'r')
        .then((handle) => handle.datasync().finally(() => handle.close()))
        .catch(() => {})
        .finally(() => this.writingBack.delete(id));
    }
    digestOf(id: string, size: number): string | undefined {
      return this.hashes.digestOf(id, size);
    }
    /**
     * The upload's bytes and metadata, whichever are left: FileStore.remove answered "no such upload" for any failure
     * to remove the bytes, a missing file included, and then left the metadata for ever (every expiry sweep found it
     * again). Only nothing left to remove is "no such upload" here; a disk failing stays itself.
     */
    override async remove(id: string): Promise<void> {
      this.hashes.forget(id);
      const removed = async (file: string) =>
        fsp.unlink(file).then(
          () => true,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return false;
            throw err;
          },
        );
      const bytes = await removed(fileOf(id));
      if (!(await removed(`${fileOf(id)}.json`)) && !bytes) throw ERRORS.FILE_NOT_FOUND;
    }
    /**
     * The finished bytes (or those up to `range.end`, inclusive) for the copy into the blob store, read 1 MiB at a
     * time (64 KiB by default). Bytes missing here were removed under the commit (a DELETE racing the last PATCH):
     * the upload is gone (410, refused), as the library says of a missing upload, not the disk failing (503 and an
     * error line).
     */
    override read(id: string, range?: { end: number }) {
      return fs.createReadStream(fileOf(id), { highWaterMark: BUFFER_BYTES, fs: openOrGone, end: range?.end });
    }
    /** A finished upload's bytes, linked into the local blob store at its commit rather than copied. */
    localPath(id: string) {
      return fileOf(id);
    }
    /** Uploads (<id> and <id>.json in the directory) untouched since `before`. */
    async listOlderThan(before: number): Promise<string[]> {
      const names = await fsp.readdir(directory).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [] as string[];
        throw err;
      });
      const newest = new Map<string, number>();
      for (const name of names) {
        const id = UPLOAD_NAME.exec(name)?.[1];
        const stat = id ? await fsp.stat(path.join(directory, name)).catch(() => undefined) : undefined;
        if (!id || !stat?.isFile()) continue;
        newest.set(id, Math.max(newest.get(id) ?? 0, stat.mtimeMs));
      }
      return [...newest].filter(([, at]) => at < before).map(([id]) => id);
    }
  }
  const configstore = new UploadMetadataFiles<Upload>(fileOf);
  return new ParleyFileStore({ directory, expirationPeriodInMilliseconds, configstore }) as unknown as DataStore &
    UploadBytes;
}
