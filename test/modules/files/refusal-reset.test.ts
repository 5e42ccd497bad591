// A refused upload's answer reaches the client. The refusal is decided at the first part's headers, while the client
// is still sending the body; a socket closed with unread bytes is reset (RST), and the reset makes the client's kernel
// drop the answer it had already received: Node's fetch then saw "EPIPE" / "socket closed" instead of the 415 (a few
// tries in a hundred against a server in its own process). A small rest of the body is now read and dropped first.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { widgetSession } from '../../support/client.js';
import { spawnServer, type ServerProcess } from '../../support/process.js';
import { processEnv } from '../../support/server.js';

let server: ServerProcess;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const prepared = await processEnv('parley-reset-', { PARLEY_VISITOR_FILES_PER_MINUTE: '10000' });
  cleanup = prepared.cleanup;
  server = await spawnServer(prepared.env);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await cleanup?.();
});

describe('the refusal of a small upload', () => {
  it('reaches the client every time, and the connection is kept', async () => {
    const v = await widgetSession(server.url, (await (await fetch(`${server.url}/api/demo`)).json()).widgetKey);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc([2_000, 20_000, 100_000, 200_000][i % 4]! + i, 'x')]), 'tool.exe');
      const outcome = await fetch(`${server.url}/api/widget/chat/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${v.visitorToken}` },
        body: form,
      }).then(
        async (r) => `${r.status} ${(await r.json()).error.code}`,
        (err: Error) => `failed: ${(err.cause as { code?: string } | undefined)?.code ?? err.message}`,
      );
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ '415 FILE_TYPE_NOT_ALLOWED': 300 });

    // Read to its end, the connection is not closed: the next request may use it.
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const body = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.exe"\r\n\r\nMZ\r\n--b--\r\n';
      const req = http.request(`${server.url}/api/widget/chat/files`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${v.visitorToken}`,
          'content-type': 'multipart/form-data; boundary=b',
          'content-length': Buffer.byteLength(body),
        },
      });
      req.on('response', resolve).on('error', reject);
      req.end(body);
    });
    answer.resume();
    expect(answer.statusCode).toBe(415);
    expect(answer.headers.connection).not.toBe('close');
  }, 120_000);
});
