// A bare tus 1.0 client over fetch, for API tests that look at every request and answer (the browser tests use
// tus-js-client through the real widget and console).
import http from 'node:http';

export interface TusAuth {
  token?: string;
  cookie?: string;
}

export interface TusRes {
  status: number;
  headers: Headers;
  body: any;
}

export const encodeMetadata = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');

function authHeaders(auth: TusAuth): Record<string, string> {
  const h: Record<string, string> = { 'tus-resumable': '1.0.0' };
  if (auth.token) h.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) h.cookie = auth.cookie;
  return h;
}

async function answer(r: Response): Promise<TusRes> {
  const text = await r.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: r.status, headers: r.headers, body };
}

/** POST /api/uploads/: creation (and creation-with-upload when `body` is given). */
export async function tusCreate(
  base: string,
  auth: TusAuth,
  length: number,
  metadata: Record<string, string>,
  body?: Buffer,
): Promise<TusRes & { url?: string }> {
  const headers: Record<string, string> = {
    ...authHeaders(auth),
    'upload-length': String(length),
    'upload-metadata': encodeMetadata(metadata),
  };
  if (body) headers['content-type'] = 'application/offset+octet-stream';
  const r = await answer(
    await fetch(`${base}/api/uploads/`, { method: 'POST', headers, body: body as BodyInit | undefined }),
  );
  const location = r.headers.get('location');
  return { ...r, url: location ? new URL(location, base).toString() : undefined };
}

export async function tusPatch(url: string, auth: TusAuth, offset: number, chunk: Buffer): Promise<TusRes> {
  return answer(
    await fetch(url, {
      method: 'PATCH',
      headers: {
        ...authHeaders(auth),
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body: chunk as unknown as BodyInit,
    }),
  );
}

export async function tusHead(url: string, auth: TusAuth): Promise<TusRes> {
  return answer(await fetch(url, { method: 'HEAD', headers: authHeaders(auth) }));
}

export async function tusDelete(url: string, auth: TusAuth): Promise<TusRes> {
  return answer(await fetch(url, { method: 'DELETE', headers: authHeaders(auth) }));
}

/** Sends `data` in chunks of `chunkSize`; resolves with the final PATCH's answer. */
export async function tusUpload(
  base: string,
  auth: TusAuth,
  data: Buffer,
  metadata: Record<string, string>,
  chunkSize = 256 * 1024,
): Promise<TusRes & { url?: string }> {
  const created = await tusCreate(base, auth, data.length, metadata);
  if (created.status !== 201 || !created.url) return created;
  let offset = 0;
  let last: TusRes = created;
  while (offset < data.length) {
    last = await tusPatch(created.url, auth, offset, data.subarray(offset, offset + chunkSize));
    if (last.status !== 204) return { ...last, url: created.url };
    offset = Number(last.headers.get('upload-offset'));
  }
  return { ...last, url: created.url };
}

/** A PATCH whose body the test sends piece by piece over one connection, and may cut. */
export interface OpenPatch {
  /** Resolves once these bytes were handed to the socket. */
  write(chunk: Buffer): Promise<void>;
  /** Loses the connection, as a train going into a tunnel does. */
  cut(): void;
  /** The server's answer (status), or undefined when the connection ended without one. */
  answer: Promise<number | undefined>;
  /** The answer's body, once it has ended (undefined without an answer). */
  body: Promise<string | undefined>;
}

/** Starts a PATCH at `offset` declaring `length` bytes (Content-Length), sending none yet. */
export function tusPatchOpen(url: string, auth: TusAuth, offset: number, length: number): OpenPatch {
  const req = http.request(url, {
    method: 'PATCH',
    headers: {
      ...authHeaders(auth),
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(length),
    },
  });
  let answered: (body: string | undefined) => void = () => undefined;
  const body = new Promise<string | undefined>((resolve) => {
    answered = resolve;
  });
  const answer = new Promise<number | undefined>((resolve) => {
    let responded = false;
    const none = () => {
      resolve(undefined);
      if (!responded) answered(undefined);
    };
    req.on('error', none);
    req.on('close', none);
    req.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => answered(Buffer.concat(chunks).toString()));
      res.on('error', () => answered(undefined));
      resolve(res.statusCode);
    });
  });
  req.flushHeaders();
  return {
    write: (chunk) => new Promise((resolve, reject) => req.write(chunk, (err) => (err ? reject(err) : resolve()))),
    cut: () => req.destroy(),
    answer,
    body,
  };
}
