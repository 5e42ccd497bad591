// A real S3 protocol server (s3rver) in this process, on a free loopback port, with its files in a temp directory.
// s3rver 3.7 stores multipart parts but answers NotImplemented to ListParts, AbortMultipartUpload and
// ListMultipartUploads, which resumable uploads on S3 (@tus/s3-store) need: they are added here over s3rver's own
// part files (<bucket>/._S3rver_uploads/<uploadId>/{key,<n>,<n>.md5}). Objects and parts are stored only once their
// whole body has arrived (atomicWrites), as S3 does. It would also store an aws-chunked body
// with its framing, so such a body is refused (400) instead of being kept corrupted: Parley's clients compute
// checksums only when an operation requires them (requestChecksumCalculation 'WHEN_REQUIRED').
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Client } from '@aws-sdk/client-s3';
import type { AddressInfo } from 'node:net';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
// @ts-expect-error s3rver ships no types
import S3Error from 's3rver/lib/models/error.js';

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  directory: string;
  /** An outage: closes the listener and every open connection; the stored objects stay. */
  stop(): Promise<void>;
  /** A partial outage: requests the predicate picks (method, object key) answer 500; undefined ends it. */
  failRequests(pick: ((method: string, key: string) => boolean) | undefined): void;
  /** Back after stop(): listens again on the same port, over the same files. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Starts s3rver with the given buckets. Its credentials are always S3RVER/S3RVER. */
export async function startS3rver(buckets: string[]): Promise<S3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-s3rver-'));
  let port = 0;
  let server: any;
  let failing: ((method: string, key: string) => boolean) | undefined;
  const listen = async () => {
    server = new S3rver({
      port,
      address: '127.0.0.1',
      silent: true,
      directory,
      configureBuckets: buckets.map((name) => ({ name })),
    });
    atomicWrites(server.store, directory);
    // Before the router (the last middleware), after the XML encoder of plain-object bodies.
    server.middleware.splice(server.middleware.length - 1, 0, multipartExtras(server.store));
    server.middleware.splice(server.middleware.length - 1, 0, async (ctx: KoaContext, next: () => Promise<void>) => {
      const key = decodeURIComponent(/^\/[^/]+\/(.*)$/.exec(ctx.path)?.[1] ?? '');
      if (failing && ctx.method === 'POST' && 'delete' in ctx.query) return deleteObjects(ctx, server.store, failing);
      if (failing?.(ctx.method, key))
        throw new S3Error('InternalError', 'We encountered an internal error. Please try again.');
      return next();
    });
    port = ((await server.run()) as AddressInfo).port;
  };
  const stop = async () => {
    if (!server) return;
    const closing = server.close();
    server.httpServer?.closeAllConnections?.();
    await closing;
    server = undefined;
  };
  await listen();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    directory,
    stop,
    failRequests(pick) {
      failing = pick;
    },
    async start() {
      if (!server) await listen();
    },
    async close() {
      await stop();
      fs.rmSync(directory, { recursive: true, force: true });
      fs.rmSync(`${directory}-incoming`, { recursive: true, force: true });
    },
  };
}

interface KoaContext {
  req: AsyncIterable<Buffer | string>;
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
}

/**
 * DeleteObjects (POST /<bucket>?delete) while failRequests is on: the keys it picks ('DELETE', key) fail one by one in
 * the answer, as S3 reports per-key failures (in a 200), and the others are deleted.
 */
async function deleteObjects(
  ctx: KoaContext,
  store: FilesystemStore,
  failing: (method: string, key: string) => boolean,
): Promise<void> {
  const bucket = decodeURIComponent(/^\/([^/]+)/.exec(ctx.path)?.[1] ?? '');
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(Buffer.from(chunk));
  const fromXml = (v: string) =>
    v
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const keys = [
    ...Buffer.concat(chunks)
      .toString('utf8')
      .matchAll(/<Key>([^<]*)<\/Key>/g),
  ].map((m) => fromXml(m[1]!));
  const failed = keys.filter((key) => failing('DELETE', key));
  const deleted = keys.filter((key) => !failed.includes(key));
  for (const key of deleted) await store.deleteObject(bucket, key);
  ctx.body = {
    DeleteResult: {
      ...(deleted.length ? { Deleted: deleted.map((Key) => ({ Key })) } : {}),
      ...(failed.length
        ? { Error: failed.map((Key) => ({ Key, Code: 'InternalError', Message: 'We encountered an internal error.' })) }
        : {}),
    },
  };
}

interface FilesystemStore {
  deleteObject(bucket: string, key: string): Promise<unknown>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putObject(object: { content: unknown }): Promise<unknown>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: unknown): Promise<unknown>;
}

/**
 * s3rver writes an object's (or a part's) bytes in place as they arrive: a request cut short by an outage leaves a
 * partial object, or a part file without its checksum, which S3 never does (a PUT that did not complete stores
 * nothing). Here a body is spooled to a temporary file first and handed to s3rver only once it has all arrived.
 */
function atomicWrites(store: FilesystemStore, directory: string) {
  // Beside s3rver's directory, whose entries are its buckets.
  const incoming = `${directory}-incoming`;
  fs.mkdirSync(incoming, { recursive: true });
  const spooled = async <T>(content: unknown, store: (content: unknown) => Promise<T>): Promise<T> => {
    if (Buffer.isBuffer(content) || !(content instanceof Readable)) return store(content);
    const tmp = path.join(incoming, crypto.randomUUID());
    try {
      await pipeline(content, fs.createWriteStream(tmp));
      return await store(fs.createReadStream(tmp));
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  };
  const putObject = store.putObject.bind(store);
  store.putObject = (object) =>
    spooled(object.content, (content) => {
      object.content = content;
      return putObject(object);
    });
  const putPart = store.putPart.bind(store);
  store.putPart = (bucket, uploadId, partNumber, content) =>
    spooled(content, (spool) => putPart(bucket, uploadId, partNumber, spool));
}

const noSuchUpload = (uploadId: string) =>
  new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist: the upload ID may be invalid, or the upload was aborted or completed.',
    { UploadId: uploadId },
  );

function multipartExtras(store: FilesystemStore) {
  const uploadsDir = (bucket: string) => store.getResourcePath(bucket, undefined, 'uploads');
  const uploadDir = (bucket: string, key: string, uploadId: string) => {
    const dir = path.join(uploadsDir(bucket), path.basename(uploadId));
    const keyFile = path.join(dir, 'key');
    if (!fs.existsSync(keyFile) || fs.readFileSync(keyFile, 'utf8') !== key) throw noSuchUpload(uploadId);
    return dir;
  };

  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const chunked =
      String(ctx.headers['content-encoding'] ?? '').includes('aws-chunked') ||
      String(ctx.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
    if (chunked)
      throw new S3Error('NotImplemented', 'aws-chunked bodies are not decoded by this test server', {
        Header: 'Content-Encoding',
      });
    const m = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
    if (!m) return next();
    const bucket = decodeURIComponent(m[1]!);
    const key = m[2] ? decodeURIComponent(m[2]) : undefined;
    const { uploadId } = ctx.query;

    if (key !== undefined && uploadId && ctx.method === 'GET') {
      // ListParts
      const dir = uploadDir(bucket, key, uploadId);
      const marker = Number(ctx.query['part-number-marker'] ?? 0);
      const max = Math.min(Number(ctx.query['max-parts'] ?? 1000), 1000);
      const all = fs
        .readdirSync(dir)
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .filter((n) => n > marker)
        .sort((a, b) => a - b);
      const parts = all.slice(0, max).map((n) => {
        const stat = fs.statSync(path.join(dir, String(n)));
        return {
          PartNumber: n,
          LastModified: stat.mtime.toISOString(),
          ETag: JSON.stringify(fs.readFileSync(path.join(dir, `${n}.md5`), 'utf8')),
          Size: stat.size,
        };
      });
      ctx.body = {
        ListPartsResult: {
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumberMarker: marker,
          NextPartNumberMarker: parts.at(-1)?.PartNumber ?? marker,
          MaxParts: max,
          IsTruncated: all.length > parts.length,
          ...(parts.length ? { Part: parts } : {}),
        },
      };
      return;
    }
    if (key !== undefined && uploadId && ctx.method === 'DELETE') {
      // AbortMultipartUpload
      fs.rmSync(uploadDir(bucket, key, uploadId), { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (key === undefined && 'uploads' in ctx.query && ctx.method === 'GET') {
      // ListMultipartUploads (one page: a test bucket holds few)
      const root = uploadsDir(bucket);
      const ids = fs.existsSync(root) ? fs.readdirSync(root) : [];
      // Prefix is honoured as S3 does: a caller that lists its own prefix must not see other uploads.
      const prefix = ctx.query.prefix ?? '';
      const uploads = ids
        .filter((id) => fs.existsSync(path.join(root, id, 'key')))
        .filter((id) => fs.readFileSync(path.join(root, id, 'key'), 'utf8').startsWith(prefix))
        .map((id) => ({
          Key: fs.readFileSync(path.join(root, id, 'key'), 'utf8'),
          UploadId: id,
          Initiated: fs.statSync(path.join(root, id, 'key')).mtime.toISOString(),
          StorageClass: 'STANDARD',
        }));
      ctx.body = {
        ListMultipartUploadsResult: {
          Bucket: bucket,
          KeyMarker: '',
          UploadIdMarker: '',
          MaxUploads: 1000,
          IsTruncated: false,
          ...(uploads.length ? { Upload: uploads } : {}),
        },
      };
      return;
    }
    return next();
  };
}

/** An SDK client for the test server (path-style, its own credentials); destroy it when done. */
export function s3ClientFor(s3: S3Server): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

/** The environment that makes Parley store its files in `bucket` on the test server (PARLEY_STORAGE=s3). */
export function s3StorageEnv(s3: S3Server, bucket: string): Record<string, string> {
  return {
    PARLEY_STORAGE: 's3',
    PARLEY_S3_BUCKET: bucket,
    PARLEY_S3_ENDPOINT: s3.endpoint,
    PARLEY_S3_FORCE_PATH_STYLE: 'true',
    PARLEY_S3_ACCESS_KEY_ID: s3.accessKeyId,
    PARLEY_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}

/**
 * The same server in a child process: for tests that measure this process's memory, so that the server's own
 * buffers are not counted as the client's. Only endpoint, credentials and close() (no outages).
 */
export async function startS3rverProcess(
  buckets: string[],
): Promise<Pick<S3Server, 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'region' | 'close'>> {
  const { spawn } = await import('node:child_process');
  const main = new URL('./s3rver-main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...buckets], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /^S3RVER (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`s3rver child exited with ${code}`)));
  });
  return {
    endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
