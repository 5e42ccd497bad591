// The S3 blob store: each object is an S3 object under an optional key prefix, written by a streaming multipart upload.
// Holds at most a few parts in memory, never a whole file; a failed put leaves no object behind.
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobStore } from './index.js';
import { blobMissing } from '../errors.js';
import { asS3StorageFault } from './faults.js';

export interface S3StoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Without it, the SDK's default credential chain (environment, profile, instance role) applies. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Namespace inside the bucket; a trailing '/' is added when missing. */
  prefix?: string;
}

/** Memory per put is about (QUEUE_SIZE + 1) parts: the ones in flight and the one filling. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
const CONNECT_TIMEOUT_MS = 5000;

export function createS3Store(opts: S3StoreOptions): BlobStore {
  if (opts.accessKeyId && !opts.secretAccessKey) {
    throw new Error('S3 storage: accessKeyId given without secretAccessKey');
  }
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint || undefined,
    forcePathStyle: opts.forcePathStyle ?? false,
    credentials: opts.accessKeyId
      ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey ?? '' }
      : undefined,
    // Only what S3 requires: many S3-compatible stores reject the newer default streaming checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A readiness check against an unreachable endpoint should fail in seconds, not hang.
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS },
  });
  const Bucket = opts.bucket;
  const base = opts.prefix && !opts.prefix.endsWith('/') ? `${opts.prefix}/` : (opts.prefix ?? '');
  const objectKey = (key: string): string => {
    if (key.length === 0) throw new Error('Empty storage key');
    return base + key;
  };

  const deleteQuietly = (Key: string) => client.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => {});

  return {
    kind: 's3',

    async put(key, source, putOpts) {
      const Key = objectKey(key);
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(null, chunk);
        },
      });
      // Errors reach us through the pipeline and the upload; this only stops a late one from crashing the process.
      counter.on('error', () => {});
      const upload = new Upload({
        client,
        params: { Bucket, Key, Body: counter, ContentType: putOpts?.contentType },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      });
      const piping = pipeline(source, counter);
      // If the upload fails first, stop the pipeline with its error; if the source failed first, the pipeline
      // already holds the source's error and this is a no-op. Either way both promises settle.
      const uploading = upload.done().catch((err: unknown) => {
        if (!counter.destroyed) counter.destroy(err as Error);
        throw err;
      });
      const [piped, uploaded] = await Promise.allSettled([piping, uploading]);
      if (piped.status === 'fulfilled' && uploaded.status === 'fulfilled') return { size };

      // done() has settled, so no part is still in flight: abort (lib-storage also aborts the multipart upload) and
      // delete, in case a single-part PUT or the completion landed before the failure was seen.
      await upload.abort().catch(() => {});
      await deleteQuietly(Key);
      // The pipeline carries the upload's own error when S3 failed first: only a different one is the source's.
      const s3Error = uploaded.status === 'rejected' ? uploaded.reason : undefined;
      if (piped.status === 'rejected' && piped.reason !== s3Error) throw piped.reason;
      throw asS3StorageFault(s3Error);
    },

    async copyIn(key, sourceKey) {
      const Key = objectKey(key);
      try {
        await client.send(
          // REPLACE: the copy carries no metadata of the tus upload's object, like an object put() wrote.
          new CopyObjectCommand({
            MetadataDirective: 'REPLACE',
            Bucket,
            Key,
            CopySource: `${Bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`,
          }),
        );
        const res = await client.send(new HeadObjectCommand({ Bucket, Key }));
        return { size: res.ContentLength ?? 0 };
      } catch (err) {
        await deleteQuietly(Key);
        // The source missing (only the source can be: the copy writes the target) is the port's "no such object".
        throw isNotFound(err) ? notFound(sourceKey, err) : asS3StorageFault(err);
      }
    },

    async get(key, range) {
      if (range && (!Number.isSafeInteger(range.start) || range.start < 0 || !(range.end >= range.start))) {
        throw new RangeError(`Invalid byte range ${range.start}-${range.end}`);
      }
      try {
        const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
        const res = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key), Range }));
        if (!(res.Body instanceof Readable)) throw new Error('S3 GetObject returned no Node stream body');
        return res.Body;
      } catch (err) {
        throw isNotFound(err) ? notFound(key, err) : asS3StorageFault(err);
      }
    },

    async stat(key) {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: objectKey(key) }));
        return { size: res.ContentLength ?? 0 };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw asS3StorageFault(err);
      }
    },

    async delete(key) {
      // S3 answers 204 for a missing key too, so "missing is fine" needs no special case.
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },

    async check() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },

    async listOlderThan(prefix, before) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: base + prefix, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          if (!object.Key?.startsWith(base) || (object.LastModified?.getTime() ?? before) >= before) continue;
          keys.push(object.Key.slice(base.length));
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys;
    },

    async sweepPartial(before) {
      // Only put()'s own uploads (keys under ws/): resumable (tus) uploads in the same bucket expire by their job.
      let removed = 0;
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      do {
        const page = await client
          .send(new ListMultipartUploadsCommand({ Bucket, Prefix: `${base}ws/`, KeyMarker, UploadIdMarker }))
          .catch((err: { $metadata?: { httpStatusCode?: number } }) => {
            // An S3-compatible store without this API (501) has nothing to list; the bucket's lifecycle rule
            // (AbortIncompleteMultipartUpload) is then the only cleanup.
            if (err.$metadata?.httpStatusCode === 501) return { Uploads: [], IsTruncated: false } as const;
            throw err;
          });
        for (const upload of page.Uploads ?? []) {
          if (!upload.Key || !upload.UploadId || (upload.Initiated?.getTime() ?? before) >= before) continue;
          // Never trust Prefix alone (an S3-compatible store may ignore it): a tus upload must not be aborted here.
          if (!upload.Key.startsWith(`${base}ws/`)) continue;
          await client.send(new AbortMultipartUploadCommand({ Bucket, Key: upload.Key, UploadId: upload.UploadId }));
          removed += 1;
        }
        KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        UploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
      } while (KeyMarker);
      return removed;
    },

    async list(prefix) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: base + prefix, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          if (object.Key?.startsWith(base)) keys.push(object.Key.slice(base.length));
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys;
    },
  };
}

/** A missing object, not a missing bucket: a misconfigured bucket must surface as itself, not as "no such file". */
function isNotFound(err: unknown): boolean {
  const { name, $metadata } = (err ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
}

/** The port's "no such object" (see storage/index.ts): a typed error, so callers never inspect vendor codes. */
function notFound(key: string, cause?: unknown): Error {
  return blobMissing(cause ?? new Error(`No stored object ${JSON.stringify(key)}`));
}
