// Serving stored bytes safely: always an attachment, nosniff, a sandboxing CSP, a content type only from a safe
// list, ETag revalidation and single byte ranges, streamed from storage.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from '../../storage/index.js';
import { AppError } from '../../errors.js';
import { contentDisposition } from './content-disposition.js';

const SAFE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/csv', 'application/zip']);

export function servedType(mimeType: string): string {
  if (!SAFE_TYPES.has(mimeType)) return 'application/octet-stream';
  return mimeType.startsWith('text/') ? `${mimeType}; charset=utf-8` : mimeType;
}

function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = header.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // several ranges or garbage: serve the whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export async function sendStored(storage: BlobStore, request: FastifyRequest, reply: FastifyReply, f: { key: string; name: string; mimeType: string; size: number; etag: string }) {
  const etag = `"${f.etag}"`;
  reply.header('content-disposition', contentDisposition(f.name));
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('cache-control', 'private');
  reply.header('etag', etag);
  reply.header('accept-ranges', 'bytes');
  reply.type(servedType(f.mimeType));
  if (request.headers['if-none-match']?.split(',').map((s) => s.trim()).includes(etag)) return reply.status(304).send();
  const rangeHeader = request.headers.range;
  const ifRange = request.headers['if-range'];
  const range = rangeHeader && (!ifRange || ifRange === etag) ? parseRange(rangeHeader, f.size) : undefined;
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${f.size}`);
    throw new AppError('RANGE_NOT_SATISFIABLE', 'The requested range is outside the file');
  }
  // A missing object rejects with the store's NOT_FOUND AppError, which the error handler answers as 404.
  if (range) {
    reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${f.size}`).header('content-length', String(range.end - range.start + 1));
    return reply.send(await storage.get(f.key, range));
  }
  reply.header('content-length', String(f.size));
  if (f.size === 0) return reply.send('');
  return reply.send(await storage.get(f.key));
}
