// Serving stored bytes safely: always an attachment, nosniff, a sandboxing CSP, a content type only from a safe
// list, ETag revalidation and single byte ranges, streamed from storage.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from '../../storage/index.js';
import { AppError } from '../../errors.js';
import { contentDisposition } from './content-disposition.js';
import { parseRange } from './range.js';

const SAFE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
]);

export function servedType(mimeType: string): string {
  if (!SAFE_TYPES.has(mimeType)) return 'application/octet-stream';
  return mimeType.startsWith('text/') ? `${mimeType}; charset=utf-8` : mimeType;
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/"x" matches "x", and * matches any stored file. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/**
 * Answers a download. `onBytes` runs only when bytes go out (a GET answered 200 or 206, once the store gave them):
 * a 304, a 416, a HEAD or a missing blob is no download.
 */
export async function sendStored(
  storage: BlobStore,
  request: FastifyRequest,
  reply: FastifyReply,
  f: { key: string; name: string; mimeType: string; size: number; etag: string },
  onBytes?: (ranged: boolean) => Promise<void>,
) {
  const etag = `"${f.etag}"`;
  reply.header('content-disposition', contentDisposition(f.name));
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('cache-control', 'private');
  reply.header('etag', etag);
  reply.header('accept-ranges', 'bytes');
  reply.type(servedType(f.mimeType));
  if (noneMatch(request.headers['if-none-match'], etag)) return reply.status(304).send();
  const rangeHeader = request.headers.range;
  const ifRange = request.headers['if-range'];
  const range = rangeHeader && (!ifRange || ifRange === etag) ? parseRange(rangeHeader, f.size) : undefined;
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${f.size}`);
    throw new AppError('RANGE_NOT_SATISFIABLE', 'The requested range is outside the file');
  }
  const sent = onBytes && request.method === 'GET' ? () => onBytes(!!range) : async () => {};
  // A missing object rejects with the store's NOT_FOUND AppError, which the error handler answers as 404.
  if (range) {
    reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${f.size}`)
      .header('content-length', String(range.end - range.start + 1));
    return reply.send(await opened(await storage.get(f.key, range), sent));
  }
  reply.header('content-length', String(f.size));
  if (f.size === 0) return sent().then(() => reply.send(''));
  return reply.send(await opened(await storage.get(f.key), sent));
}

/** The opened stream once `sent` is done; closed if `sent` fails, so no blob stream is left open. */
async function opened(body: Readable, sent: () => Promise<void>): Promise<Readable> {
  try {
    await sent();
  } catch (err) {
    body.destroy();
    throw err;
  }
  return body;
}
