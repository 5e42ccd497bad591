// Refusals sent before the request's body is read reach the client: a capped upload (429 / 503 while the visitor or the
// node is at its limit), an agent upload without credentials (401), a cross-site upload (403). The client is still
// sending a body larger than the socket buffers; a server that closed with unread bytes reset the connection, and the
// client saw "EPIPE" / "ECONNRESET" instead of the answer.
import fs from 'node:fs';
import net from 'node:net';
import { ReadableStream } from 'node:stream/web';
import { Agent, fetch, FormData } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, widgetSession, type VisitorSession } from '../support/client.js';
import { eventually } from '../support/eventually.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { processEnv, TEST_ADMIN } from '../support/server.js';

const METRICS_TOKEN = 'early-refusal-metrics-token-0123';
const BODY = new Blob([Buffer.alloc(20 * 1024 * 1024, 'x')]);
const TRIES = 30;

let server: ServerProcess;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const prepared = await processEnv('parley-early-refusal-', {
    PARLEY_UPLOADS_PER_VISITOR: '1',
    PARLEY_MAX_CONCURRENT_UPLOADS: '2',
    PARLEY_METRICS_TOKEN: METRICS_TOKEN,
    PARLEY_VISITOR_FILES_PER_MINUTE: '10000',
  });
  cleanup = prepared.cleanup;
  server = await spawnServer(prepared.env);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await cleanup?.();
});

/** An upload that sends its head and the start of its body, then holds its slot until destroyed. */
function heldUpload(token: string): net.Socket {
  const { hostname, port, host } = new URL(server.url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  socket.write(
    [
      'POST /api/widget/chat/files HTTP/1.1',
      `Host: ${host}`,
      `Authorization: Bearer ${token}`,
      'Content-Type: multipart/form-data; boundary=b',
      `Content-Length: ${10 * 1024 * 1024}`,
      '',
      '--b\r\nContent-Disposition: form-data; name="file"; filename="held.pdf"\r\n\r\n%PDF-1.4\n',
    ].join('\r\n'),
  );
  return socket;
}

const inProgress = (n: number) =>
  eventually(async () => {
    const text = await (
      await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).toMatch(new RegExp(`^parley_uploads_in_progress ${n}$`, 'm'));
  });

/** A 20 MiB multipart upload of one file. */
function bigForm(fileName = 'big.pdf'): FormData {
  const form = new FormData();
  form.append('file', BODY, fileName);
  return form;
}

/**
 * Sends `body()` `tries` times (a 20 MiB multipart upload by default), each on a new connection (a reused keep-alive
 * connection has a race of its own with the server's keep-alive timeout); counts what the client read: "status
 * CODE" (with " retry-after" when the answer had one) or the failure.
 */
async function outcomes(
  path: string,
  headers: Record<string, string>,
  body: () => FormData | ReadableStream<Uint8Array> = bigForm,
  tries = TRIES,
): Promise<Record<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < tries; i++) {
    const dispatcher = new Agent();
    const sent = { method: 'POST', headers, body: body(), duplex: 'half' as const, dispatcher };
    const outcome = await fetch(`${server.url}${path}`, sent).then(
      async (r) => {
        const answer = (await r.json()) as { error: { code: string } };
        const retry = r.headers.get('retry-after') ? ' retry-after' : '';
        return `${r.status} ${answer.error.code}${retry}`;
      },
      (err: Error) => `failed: ${(err.cause as { code?: string } | undefined)?.code ?? err.message}`,
    );
    await dispatcher.destroy();
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  }
  return Object.fromEntries(seen);
}

describe('a refusal sent before a large body is read', () => {
  let widgetKey: string;
  const visitor = (): Promise<VisitorSession> => widgetSession(server.url, widgetKey);
  beforeAll(async () => {
    widgetKey = (await call(server.url, 'GET', '/api/demo')).body.widgetKey;
  });

  it('reaches the client every time: uploads at once per visitor (429) and per node (503)', async () => {
    const a = await visitor();
    const held = [heldUpload(a.visitorToken)];
    try {
      await inProgress(1);
      expect(await outcomes('/api/widget/chat/files', { authorization: `Bearer ${a.visitorToken}` })).toEqual({
        '429 TOO_MANY_UPLOADS retry-after': TRIES,
      });
      held.push(heldUpload((await visitor()).visitorToken));
      await inProgress(2);
      const c = await visitor();
      expect(await outcomes('/api/widget/chat/files', { authorization: `Bearer ${c.visitorToken}` })).toEqual({
        '503 UNAVAILABLE retry-after': TRIES,
      });
    } finally {
      for (const socket of held) socket.destroy();
      await inProgress(0);
    }
  }, 120_000);

  it('reaches the client every time: an upload refused at its first part (415)', async () => {
    const v = await visitor();
    expect(
      await outcomes('/api/widget/chat/files', { authorization: `Bearer ${v.visitorToken}` }, () => bigForm('big.exe')),
    ).toEqual({
      '415 FILE_TYPE_NOT_ALLOWED': TRIES,
    });
  }, 120_000);

  it('reaches the client every time: an agent upload without sign-in (401) or from another site (403)', async () => {
    const v = await visitor();
    const cookie = await login(server.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(server.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0].id;
    const path = `/api/workspaces/${ws}/chats/${v.chat.id}/files`;
    expect(await outcomes(path, {})).toEqual({ '401 UNAUTHENTICATED': TRIES });
    expect(await outcomes(path, { cookie, origin: 'http://evil.example' })).toEqual({
      '403 CROSS_SITE_REQUEST': TRIES,
    });
  }, 120_000);
});

describe('a refusal sent to a client that pauses', () => {
  /** A chat's agent uploads, sent without signing in: refused (401) before the body is read. */
  let agentUploads: string;
  beforeAll(async () => {
    const v = await widgetSession(server.url, (await call(server.url, 'GET', '/api/demo')).body.widgetKey);
    const cookie = await login(server.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(server.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0].id;
    agentUploads = `/api/workspaces/${ws}/chats/${v.chat.id}/files`;
  });
  /**
   * A 20 MiB body whose sender stops for `pauseMs` after its first 8 MiB: the whole test process stalls (as a busy or
   * descheduled client, or a lossy network's retransmission back-off, does), then it sends the rest.
   */
  const pausingBody = (pauseMs: number) => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 8) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
        if (sent === 20) controller.close();
        else controller.enqueue(new Uint8Array(1024 * 1024));
        sent++;
      },
    });
  };

  it('still reaches it after a pause of two seconds (the close lingers while the client may still send)', async () => {
    const headers = { 'content-type': 'multipart/form-data; boundary=b' };
    expect(await outcomes(agentUploads, headers, () => pausingBody(2000), 3)).toEqual({ '401 UNAUTHENTICATED': 3 });
  }, 60_000);

  it('keeps only a few such connections open long: a flood of refused, trickling uploads is closed soon', async () => {
    const openFds = () => fs.readdirSync(`/proc/${server.child.pid}/fd`).length;
    const baseline = openFds();
    const { hostname, port, host } = new URL(server.url);
    const answered: boolean[] = [];
    const sockets = Array.from({ length: 100 }, (_, i) => {
      // Half-open: the server's FIN after its answer does not end this side; it goes on sending.
      const socket = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true });
      socket.on('error', () => {});
      socket.on('data', () => {
        answered[i] = true;
      });
      socket.write(
        [
          `POST ${agentUploads} HTTP/1.1`,
          `Host: ${host}`,
          'Content-Type: multipart/form-data; boundary=b',
          `Content-Length: ${10 * 1024 * 1024}`,
          '',
          'x'.repeat(300 * 1024),
        ].join('\r\n'),
      );
      return socket;
    });
    // Each keeps sending a byte now and then, so none is ever idle: only the time bounds close them.
    const trickle = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write('x');
    }, 300);
    try {
      await eventually(() => expect(answered.filter(Boolean).length).toBe(100));
      // The first 64 may linger up to 30 s; the rest at most 5 s.
      await eventually(() => expect(openFds() - baseline).toBeLessThanOrEqual(64 + 4), { timeoutMs: 20_000 });
    } finally {
      clearInterval(trickle);
      for (const socket of sockets) socket.destroy();
    }
  }, 60_000);
});
