// The Range header of a download: one byte range (RFC 9110 §14.1.2) or none. Several ranges are served as the whole
// file rather than as multipart/byteranges, which no client of ours asks for.

export interface ByteRangeRequest {
  start: number;
  end: number;
}

/** The inclusive range asked for, 'unsatisfiable' (answered 416), or undefined to serve the whole file. */
export function parseRange(header: string, size: number): ByteRangeRequest | 'unsatisfiable' | undefined {
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
