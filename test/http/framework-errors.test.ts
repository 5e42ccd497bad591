// Every answer, the framework's own included, has the contract's {error:{code,message}} shape and never echoes the
// request back: too-long parameters, bad JSON, prototype poisoning, bad URL encoding, media types, wrong methods.
import http from 'node:http';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';

const s = useServer();

/** A raw HTTP request (fetch would normalise some of the paths below). */
function raw(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const url = new URL(s.url);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { cookie: s.owner, origin: s.url, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const MARK = 'zq7echo';
const json = { 'content-type': 'application/json' };

describe('framework errors in the contract shape', () => {
  const cases: [string, () => Parameters<typeof raw>, number, string][] = [
    [
      'a path parameter over 100 characters on a POST',
      () => ['POST', `/api/workspaces/${MARK}${'a'.repeat(120)}/tokens`, '{}', json],
      414,
      'URI_TOO_LONG',
    ],
    [
      'a path parameter over 100 characters on a DELETE',
      () => ['DELETE', `/api/workspaces/${s.workspaceId}/members/${MARK}${'a'.repeat(120)}`],
      414,
      'URI_TOO_LONG',
    ],
    [
      'a body that is not JSON',
      () => ['PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, `{"${MARK}": tru`, json],
      400,
      'BAD_REQUEST',
    ],
    [
      'a body with a __proto__ key',
      () => ['PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, `{"__proto__": {"${MARK}": 1}}`, json],
      422,
      'VALIDATION_FAILED',
    ],
    [
      'a body with constructor.prototype',
      () => [
        'PUT',
        `/api/workspaces/${s.workspaceId}/settings/file-upload`,
        `{"constructor": {"prototype": {"${MARK}": 1}}}`,
        json,
      ],
      422,
      'VALIDATION_FAILED',
    ],
    ['bad percent-encoding in the path', () => ['GET', `/api/files/${MARK}%zz`], 400, 'BAD_REQUEST'],
    ['a NUL byte in the path', () => ['GET', `/${MARK}%00`], 400, 'BAD_REQUEST'],
    [
      'a body in an unsupported media type',
      () => [
        'PUT',
        `/api/workspaces/${s.workspaceId}/settings/file-upload`,
        `${MARK}=1`,
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a JSON body sent as text/plain',
      () => [
        'PUT',
        `/api/workspaces/${s.workspaceId}/settings/file-upload`,
        `{"${MARK}": 1}`,
        { 'content-type': 'text/plain;charset=UTF-8' },
      ],
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a gzip-compressed JSON body',
      () => [
        'PUT',
        `/api/workspaces/${s.workspaceId}/settings/file-upload`,
        zlib.gzipSync(`{"maxFileSizeKb": 1, "${MARK}": 1}`),
        { ...json, 'content-encoding': 'gzip' },
      ],
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a compressed multipart upload',
      () => [
        'POST',
        `/api/workspaces/${s.workspaceId}/chats/${MARK}/files`,
        zlib.gzipSync(`--b\r\ncontent-disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-\r\n--b--\r\n`),
        { 'content-type': 'multipart/form-data; boundary=b', 'content-encoding': 'gzip' },
      ],
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a JSON body in UTF-16',
      () => [
        'PUT',
        `/api/workspaces/${s.workspaceId}/settings/file-upload`,
        Buffer.from(`{"maxFileSizeKb": 1, "${MARK}": 1}`, 'utf16le'),
        { 'content-type': 'application/json; charset=utf-16le' },
      ],
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a JSON body over 1 MiB',
      () => [
        'PUT',
        `/api/workspaces/${s.workspaceId}/settings/file-upload`,
        `{"${MARK}": "${'x'.repeat(1024 * 1024 + 10)}"}`,
        json,
      ],
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['an unknown API path', () => ['GET', `/api/${MARK}`], 404, 'NOT_FOUND'],
    [
      'a known path with another method',
      () => ['DELETE', `/api/workspaces/${s.workspaceId}/settings/file-upload?${MARK}`],
      405,
      'METHOD_NOT_ALLOWED',
    ],
    [
      'an invalid query parameter',
      () => ['GET', `/api/workspaces/${s.workspaceId}/chats?status=${MARK}`],
      400,
      'BAD_REQUEST',
    ],
  ];

  it.each(cases.map(([name, request, status, code]) => [name, status, code, request] as const))(
    '%s → %i %s, without echoing the request',
    async (_name, status, code, request) => {
      const r = await raw(...request());
      expect(r.status).toBe(status);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(r.text);
      expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
      expect(r.text).not.toContain(MARK);
    },
  );

  it('takes JSON declared as UTF-8 in any spelling, and an identity Content-Encoding', async () => {
    const path = `/api/workspaces/${s.workspaceId}/settings/file-upload`;
    const current = JSON.parse((await raw('GET', path)).text);
    for (const headers of [
      { 'content-type': 'application/json; charset=UTF-8' },
      { 'content-type': 'application/json;charset="utf8"' },
      { ...json, 'content-encoding': 'identity' },
    ]) {
      const r = await raw('PUT', path, JSON.stringify(current), headers);
      expect(r.status, JSON.stringify(headers)).toBe(200);
    }
  });

  it('names the allowed methods of a known path in Allow', async () => {
    const r = await raw('PATCH', `/api/workspaces/${s.workspaceId}/settings/file-upload`, '{}', json);
    expect(r.status).toBe(405);
    expect(String(r.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD', 'PUT']);
  });

  it('keeps the prototype untouched by a __proto__ body', async () => {
    await raw('PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, '{"__proto__": {"polluted": 1}}', json);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
