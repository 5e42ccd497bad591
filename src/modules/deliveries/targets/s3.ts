// Copies one file into a workspace's own S3 bucket, checks a bucket configuration on the admin's request, and names
// the objects. The secret key goes to the SDK and nowhere else: never into a result, a message or a log.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
// The AWS SDK is imported on first use only (it costs ~30 MiB of RSS): an instance without S3 never loads it.
import type { S3Client } from '@aws-sdk/client-s3';
import { contentDisposition } from '../../files/content-disposition.js';
import { assertPublicUrl, createGuardedLookup, SsrfError } from './ssrf.js';
import { exactBytes, FileReadError } from './exact-bytes.js';
import type { DeliveryTarget } from './index.js';

export interface S3Target {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
  endpoint?: string;
  forcePathStyle?: boolean;
}

export interface S3Source {
  open: () => Promise<Readable>;
  contentType: string;
  fileName: string;
  size: number;
}

export type S3ForwardResult = { ok: true; key: string; etag?: string } | { ok: false; error: string };
export type S3TestResult = { ok: true } | { ok: false; error: { code: string; message: string } };

const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
const CONNECT_TIMEOUT_MS = 5000;
const MAX_NAME_BYTES = 255;

/** A client for the target. The endpoint is vetted first, and every connection re-checks its address (rebinding). */
async function openClient(target: S3Target, allowPrivate: boolean): Promise<S3Client> {
  if (target.endpoint) await assertPublicUrl(target.endpoint, { allowPrivate, what: 'S3 endpoint' });
  const guarded = allowPrivate ? {} : { lookup: createGuardedLookup() };
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    region: target.region,
    endpoint: target.endpoint || undefined,
    forcePathStyle: target.forcePathStyle ?? false,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    // The delivery queue retries with backoff; one quick SDK retry covers a dropped connection mid-part.
    maxAttempts: 2,
    // Only what S3 requires: many S3-compatible stores reject the newer default streaming checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      httpAgent: new http.Agent({ keepAlive: true, ...guarded }),
      httpsAgent: new https.Agent({ keepAlive: true, ...guarded }),
    },
  });
}

/** The first error code and any SSRF refusal along an error's causes. */
function findCause(err: unknown): { code?: string; name?: string; ssrf?: SsrfError; file?: FileReadError } {
  const found: { code?: string; name?: string; ssrf?: SsrfError; file?: FileReadError } = {};
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof SsrfError) found.ssrf ??= current;
    if (current instanceof FileReadError) found.file ??= current;
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === 'string') found.code ??= code;
    if (typeof name === 'string') found.name ??= name;
    queue.push((current as { cause?: unknown }).cause, ...((current as { errors?: unknown[] }).errors ?? []));
  }
  return found;
}

const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** How messages name the endpoint: its host, or AWS's regional S3 when none is configured. */
function endpointName(target: S3Target): string {
  if (!target.endpoint) return `S3 (${target.region})`;
  return URL.canParse(target.endpoint) ? new URL(target.endpoint).host : 'S3';
}

/** Turns an SDK, network or SSRF error into a stable code and words an admin can act on. */
function describeS3Error(err: unknown, target: S3Target): { code: string; message: string } {
  const { code, name, ssrf, file } = findCause(err);
  if (file) return { code: 'S3_SOURCE_ERROR', message: file.message };
  if (ssrf) {
    const codes = { 'private-address': 'S3_PRIVATE_ENDPOINT', unresolvable: 'S3_UNREACHABLE' } as const;
    const code = ssrf.reason in codes ? codes[ssrf.reason as keyof typeof codes] : 'S3_BAD_ENDPOINT';
    return { code, message: ssrf.message };
  }
  switch (name) {
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
      return { code: 'S3_BAD_CREDENTIALS', message: 'the access key or secret key is wrong' };
    case 'NoSuchBucket':
      return { code: 'S3_NO_SUCH_BUCKET', message: `no bucket named ${target.bucket}` };
    case 'AccessDenied':
      return { code: 'S3_ACCESS_DENIED', message: `access denied: the key may not write to bucket ${target.bucket}` };
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return { code: 'S3_WRONG_REGION', message: `bucket ${target.bucket} is not in region ${target.region}` };
    case 'TimeoutError': {
      const message = `the S3 endpoint ${endpointName(target)} cannot be reached (timed out)`;
      return { code: 'S3_UNREACHABLE', message };
    }
  }
  if (code && UNREACHABLE_CODES[code]) {
    const message = `the S3 endpoint ${endpointName(target)} cannot be reached (${UNREACHABLE_CODES[code]})`;
    return { code: 'S3_UNREACHABLE', message };
  }
  // An unknown failure keeps the SDK's words, with the secret scrubbed should any service ever echo it.
  const raw = `${name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
  const message = target.secretAccessKey ? raw.split(target.secretAccessKey).join('***') : raw;
  return { code: 'S3_ERROR', message: `S3 error: ${message}` };
}

/** Streams the file to `key` in the target bucket (multipart above 8 MiB, two parts in flight at most). */
export async function forwardToS3(
  target: S3Target,
  key: string,
  source: S3Source,
  options: { allowPrivate: boolean },
): Promise<S3ForwardResult> {
  let client: S3Client | undefined;
  try {
    client = await openClient(target, options.allowPrivate);
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client,
      params: {
        Bucket: target.bucket,
        Key: key,
        Body: Readable.from(exactBytes(source), { objectMode: false }),
        ContentType: source.contentType.replace(/[^\x20-\x7e]/g, '') || 'application/octet-stream',
        ContentDisposition: contentDisposition(source.fileName),
      },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false, // abort the multipart upload so no orphaned parts are billed to the customer
    });
    const output = await upload.done();
    const etag = 'ETag' in output && output.ETag ? output.ETag : undefined;
    return { ok: true, key, etag };
  } catch (err) {
    return { ok: false, error: describeS3Error(err, target).message };
  } finally {
    client?.destroy();
  }
}

function joinFolder(folder: string): string {
  return folder
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
    .join('/');
}

/** Writes then deletes `<folder>/.parley-connection-test-<random>`: proves the credentials, bucket and endpoint. */
export async function testS3Connection(
  target: S3Target,
  options: { allowPrivate: boolean; folder: string },
): Promise<S3TestResult> {
  const prefix = joinFolder(options.folder);
  const key = `${prefix ? `${prefix}/` : ''}.parley-connection-test-${crypto.randomBytes(8).toString('hex')}`;
  let client: S3Client | undefined;
  const { DeleteObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    client = await openClient(target, options.allowPrivate);
    const body = 'Parley connection test\n';
    await client.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body, ContentType: 'text/plain' }));
  } catch (err) {
    client?.destroy();
    return { ok: false, error: describeS3Error(err, target) };
  }
  try {
    await client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key }));
    return { ok: true };
  } catch (err) {
    const reason = describeS3Error(err, target).message;
    return {
      ok: false,
      error: { code: 'S3_DELETE_FAILED', message: `Parley could write ${key} but not delete it (${reason})` },
    };
  } finally {
    client.destroy();
  }
}

/**
 * One path segment from a user's name: "/" and "\" become "_", so are control characters, and a name of only dots
 * ("..") becomes underscores, so no name can add, climb or hide a segment. Kept under 255 bytes, extension intact.
 */
function safeSegment(raw: string): string {
  let name = raw.replace(/[/\\\x00-\x1f\x7f]/g, '_');
  if (/^\.*$/.test(name)) name = name.replace(/\./g, '_') || 'file';
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const [base, ext] = splitExtension(name);
  const keptExt = Buffer.byteLength(ext) <= 32 ? ext : '';
  const chars = Array.from(keptExt ? base : name); // whole code points, never half a surrogate pair
  while (chars.length > 1 && Buffer.byteLength(chars.join('') + keptExt) > MAX_NAME_BYTES) chars.pop();
  return chars.join('') + keptExt;
}

/**
 * Splits "report.pdf" into ["report", ".pdf"]. Compound tarball extensions stay whole ("archive.tar.gz" →
 * ["archive", ".tar.gz"]) so a copy reads "archive (2).tar.gz"; a leading dot (".env") is a name, not an extension.
 */
function splitExtension(name: string): [string, string] {
  const tarball = /\.tar\.[a-z0-9]{1,4}$/i.exec(name);
  const dot = tarball ? tarball.index : name.lastIndexOf('.');
  return dot <= 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot)];
}

/**
 * The object key for a file: `<folder>/<chatId>/<name>` (no leading folder when it is empty). `takenNames` holds the
 * names already used in this chat's folder; a repeat becomes "name (2).ext", "name (3).ext", … and the chosen name
 * is added to the set, so consecutive calls with the same set never collide.
 */
export function buildS3Key(folder: string, chatId: string, fileName: string, takenNames: Set<string>): string {
  const name = safeSegment(fileName);
  let chosen = name;
  if (takenNames.has(chosen)) {
    const [base, ext] = splitExtension(name);
    for (let copy = 2; takenNames.has(chosen); copy++) chosen = `${base} (${copy})${ext}`;
  }
  takenNames.add(chosen);
  return [joinFolder(folder), safeSegment(chatId), chosen].filter(Boolean).join('/');
}

/** The workspace's bucket as a delivery target; the object key was fixed when the delivery was planned. */
export function createS3Target(target: S3Target, options: { allowPrivate: boolean }): DeliveryTarget {
  return {
    kind: 's3',
    async send(request) {
      if (!request.key) return { ok: false, error: 'no object key was planned for this delivery', final: true };
      const { file } = request;
      const r = await forwardToS3(
        target,
        request.key,
        { open: file.open, contentType: file.contentType, fileName: file.name, size: file.size },
        options,
      );
      return r.ok ? { ok: true } : { ok: false, error: r.error };
    },
    async deleteCopy(request) {
      if (!request.key) return { ok: false, error: 'no object key was recorded for this copy', final: true };
      let client: S3Client | undefined;
      try {
        client = await openClient(target, options.allowPrivate);
        const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
        // S3 answers 204 for a missing key too: deleting twice (a retry) is harmless.
        await client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: request.key }));
        return { ok: true };
      } catch (err) {
        return { ok: false, error: describeS3Error(err, target).message };
      } finally {
        client?.destroy();
      }
    },
  };
}
