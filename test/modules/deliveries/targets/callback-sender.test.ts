// The callback Parley sends: a signed multipart POST that a real receiver (node:http + busboy) can parse and verify,
// and a plain reason for every way a receiver can fail. Everything runs against 127.0.0.1 only.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendCallback, type SendCallbackOptions } from '../../../../src/modules/deliveries/targets/callback.js';
import { generateSigningSecret, verifySignature } from '../../../../src/modules/deliveries/targets/signing.js';

interface ParsedForm {
  fields: Record<string, string>;
  files: Array<{ field: string; name: string; mimeType: string; sha256: string; size: number }>;
}

/** Parses a multipart stream the way a customer's receiver would; file bytes are hashed, never kept. */
function parseForm(source: Readable, headers: http.IncomingHttpHeaders): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    const form: ParsedForm = { fields: {}, files: [] };
    const parser = busboy({ headers, defParamCharset: 'utf8' });
    parser.on('field', (name, value) => (form.fields[name] = value));
    parser.on('file', (field, stream, info) => {
      const hash = crypto.createHash('sha256');
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      stream.on('end', () => {
        const { filename = '', mimeType } = info;
        form.files.push({ field, name: filename, mimeType, sha256: hash.digest('hex'), size });
      });
    });
    parser.on('close', () => resolve(form));
    parser.on('error', reject);
    source.on('error', reject).pipe(parser);
  });
}

type Answer = (res: http.ServerResponse, req: http.IncomingMessage) => void;
interface Delivery {
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody?: Buffer;
  form: ParsedForm;
}

let server: http.Server;
let baseUrl: string;
let answer: Answer;
let deliveries: Delivery[];

const json =
  (body: unknown, status = 200): Answer =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    try {
      if (req.url === '/stream') {
        // The large-file receiver: parses straight off the socket, keeping nothing.
        deliveries.push({ path: req.url, headers: req.headers, form: await parseForm(req, req.headers) });
      } else {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const rawBody = Buffer.concat(chunks);
        const form = await parseForm(Readable.from([rawBody]), req.headers);
        deliveries.push({ path: req.url ?? '', headers: req.headers, rawBody, form });
      }
      answer(res, req);
    } catch {
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  deliveries = [];
  answer = json({ status: 0, uid: 'remote-1', url: 'https://files.example/remote-1' });
});

const secret = generateSigningSecret();

function bufferFile(bytes: Buffer, name = 'relevé de compte.pdf', contentType = 'application/pdf') {
  const open = async () => Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]);
  return { name, contentType, size: bytes.length, open };
}

/** Sends with the default options, changed by `overrides`. */
const send = (overrides: Partial<SendCallbackOptions> = {}) => sendCallback(options(overrides));

function options(overrides: Partial<SendCallbackOptions> = {}): SendCallbackOptions {
  const bytes = Buffer.from('%PDF-1.7 pretend this is a bank statement\n');
  return {
    url: `${baseUrl}/hook`,
    signingSecret: secret,
    deliveryId: 'dlv_test_1',
    fields: {
      chatID: 'chat_1',
      fileId: 'file_1',
      fileName: 'relevé de compte.pdf',
      mimeType: 'application/pdf',
      size: String(bytes.length),
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      uploaderRole: 'visitor',
      workspaceId: 'ws_1',
      createdAt: '2024-05-01T10:00:00.000Z',
    },
    file: bufferFile(bytes),
    allowPrivate: true,
    ...overrides,
  };
}

async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('sendCallback', () => {
  it('delivers the file with its name, type and every field, signed over the raw body the receiver got', async () => {
    const opts = options({ timestampSec: 1_714_557_600 });
    const result = await sendCallback(opts);

    expect(result).toEqual({
      ok: true,
      httpStatus: 200,
      uid: 'remote-1',
      url: 'https://files.example/remote-1',
      responseBody: expect.any(String),
    });
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries as [Delivery];
    expect(delivery.form.files).toEqual([
      {
        field: 'file',
        name: 'relevé de compte.pdf',
        mimeType: 'application/pdf',
        sha256: opts.fields.sha256,
        size: Number(opts.fields.size),
      },
    ]);
    expect(delivery.form.fields).toEqual(opts.fields);
    expect(delivery.headers['webhook-id']).toBe('dlv_test_1');
    expect(delivery.headers['webhook-timestamp']).toBe('1714557600');
    expect(delivery.headers['user-agent']).toBe('Parley-Webhooks/1');
    expect(Number(delivery.headers['content-length'])).toBe(delivery.rawBody!.length);
    const signature = String(delivery.headers['webhook-signature']);
    expect(verifySignature(secret, 'dlv_test_1', 1_714_557_600, delivery.rawBody!, signature)).toBe(true);
  });

  it('sends the text fields before the file part', async () => {
    await sendCallback(options());
    const raw = deliveries[0]!.rawBody!.toString('utf8');
    expect(raw.indexOf('name="chatID"')).toBeLessThan(raw.indexOf('name="file"'));
    expect(raw.indexOf('name="createdAt"')).toBeLessThan(raw.indexOf('name="file"'));
  });

  it('keeps a file name with quotes and line breaks inside its header; fileName carries it exactly', async () => {
    // No slash in it: busboy, like most receivers, keeps only what follows the last "/" of a file name.
    const hostile = 'evil"\r\nX-Injected: 1\r\n.pdf';
    const bytes = Buffer.from('bytes');
    const file = bufferFile(bytes, hostile, 'application/pdf\r\nX-Injected: 1');
    const result = await send({ file, fields: { chatID: 'c', fileName: hostile } });
    expect(result.ok).toBe(true);
    const form = deliveries[0]!.form;
    expect(form.files).toHaveLength(1);
    expect(form.files[0]).toMatchObject({
      field: 'file',
      name: 'evil%22%0D%0AX-Injected: 1%0D%0A.pdf',
      mimeType: 'application/octet-stream',
    });
    expect(form.fields).toEqual({ chatID: 'c', fileName: hostile });
  });

  it('reports a numeric uid as a string and accepts an answer without url', async () => {
    answer = json({ status: 0, uid: 4711 });
    expect(await sendCallback(options())).toMatchObject({ ok: true, uid: '4711', url: undefined });
  });

  it('fails with "receiver answered HTTP 500" on a server error', async () => {
    answer = json({ status: 0, uid: 'x' }, 500);
    expect(await send()).toMatchObject({ ok: false, httpStatus: 500, error: 'receiver answered HTTP 500' });
  });

  it("fails with the receiver's own words when it answers status 1", async () => {
    answer = json({ status: 1, message: 'nope' });
    expect(await send()).toMatchObject({ ok: false, httpStatus: 200, error: 'receiver refused: nope' });
  });

  it('counts a 2xx answer that is not JSON as delivered, noting "answer not in the expected format"', async () => {
    answer = (res) => res.end('<html>OK</html>');
    expect(await send()).toMatchObject({
      ok: true,
      note: 'answer not in the expected format',
      responseBody: '<html>OK</html>',
    });
  });

  it("records the receiver's url only when it is an http(s) URL", async () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,<b>x</b>', '//evil.example/x', 'not a url', 5]) {
      answer = json({ status: 0, uid: 'u1', url });
      const result = await send();
      expect(result).toMatchObject({ ok: true, uid: 'u1' });
      expect(result).not.toHaveProperty('url', expect.anything());
    }
    answer = json({ status: 0, uid: 'u2', url: 'https://files.example/u2' });
    expect(await send()).toMatchObject({ ok: true, uid: 'u2', url: 'https://files.example/u2' });
  });

  it('counts {"ok":true}, or status 0 without a uid, as delivered with the same note', async () => {
    answer = json({ ok: true });
    expect(await send()).toMatchObject({ ok: true, note: 'answer not in the expected format' });
    answer = json({ status: 0, url: 'https://x' });
    expect(await send()).toMatchObject({ ok: true, note: 'answer not in the expected format' });
    answer = json({ status: 0, uid: '' });
    expect(await send()).toMatchObject({ ok: true, note: 'answer not in the expected format' });
  });

  it('gives up on a receiver that never answers, after timeoutMs', async () => {
    answer = () => undefined;
    const started = Date.now();
    const result = await sendCallback(options({ timeoutMs: 300 }));
    expect(result).toEqual({ ok: false, error: 'timed out after 300 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports "connection refused" when nothing listens', async () => {
    const port = await closedPort();
    expect(await send({ url: `http://127.0.0.1:${port}/hook` })).toEqual({ ok: false, error: 'connection refused' });
  });

  it('reports a reset when the receiver drops the connection', async () => {
    answer = (_res, req) => req.socket.destroy();
    expect(await sendCallback(options())).toEqual({ ok: false, error: 'connection reset by the receiver' });
  });

  it('does not follow a redirect', async () => {
    answer = (res) => res.writeHead(302, { location: `${baseUrl}/elsewhere` }).end();
    const result = await sendCallback(options());
    expect(result).toMatchObject({
      ok: false,
      httpStatus: 302,
      error: 'receiver answered HTTP 302; redirects are not followed',
    });
    expect(deliveries.map((d) => d.path)).toEqual(['/hook']);
  });

  it('stops reading an answer larger than 64 KiB; a 2xx one still means the receiver took the file', async () => {
    // The contract: any 2xx that is not {"status":1} is delivered and never sent again (a receiver must not get a
    // file twice), however long its answer.
    answer = (res) => res.end(JSON.stringify({ status: 0, uid: 'x', padding: 'y'.repeat(70 * 1024) }));
    expect(await send()).toEqual({
      ok: true,
      httpStatus: 200,
      note: 'answer not in the expected format (over 64 KiB)',
      responseBody: '',
    });
    answer = (res) => res.writeHead(500).end('z'.repeat(70 * 1024));
    expect(await send()).toMatchObject({ ok: false, httpStatus: 500, error: 'receiver answered HTTP 500' });
  });

  it('refuses a loopback URL unless private addresses are allowed, before anything reaches the receiver', async () => {
    const result = await sendCallback(options({ allowPrivate: false }));
    expect(result).toEqual({
      ok: false,
      error:
        'callback URL points to a private address (127.0.0.1); set PARLEY_ALLOW_PRIVATE_CALLBACKS=true on the server to allow it (local testing only)',
    });
    const byName = await sendCallback(options({ allowPrivate: false, url: baseUrl.replace('127.0.0.1', 'localhost') }));
    expect(byName).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^callback URL resolves to a private address/),
    });
    expect(deliveries).toHaveLength(0);
  });

  it('refuses to send a file whose bytes do not match its recorded size', async () => {
    const file = { ...bufferFile(Buffer.from('short')), size: 10 };
    expect(await send({ file })).toEqual({ ok: false, error: 'the file has 5 bytes, not its recorded 10' });
    expect(deliveries).toHaveLength(0);
  });

  it('reports a malformed signing secret instead of throwing, and sends nothing', async () => {
    expect(await send({ signingSecret: 'plain-text' })).toEqual({ ok: false, error: expect.stringMatching(/whsec_/) });
    expect(deliveries).toHaveLength(0);
  });

  it('streams a 200 MiB file with flat memory', async () => {
    const size = 200 * 1024 * 1024;
    const open = async () => patternedStream(size);
    const expected = crypto.createHash('sha256');
    for await (const chunk of await open()) expected.update(chunk as Buffer);

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let result;
    try {
      const file = { name: 'big.bin', contentType: 'application/octet-stream', size, open };
      result = await send({ url: `${baseUrl}/stream`, file });
    } finally {
      clearInterval(sampler);
    }

    expect(result.ok).toBe(true);
    expect(deliveries[0]!.form.files[0]).toMatchObject({ name: 'big.bin', size, sha256: expected.digest('hex') });
    expect(peak - baseline).toBeLessThan(100 * 1024 * 1024);
  });
});

/** A deterministic stream of `size` bytes made on demand, 64 KiB at a time, never held whole. */
function patternedStream(size: number): Readable {
  const chunkSize = 64 * 1024;
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= size) return void this.push(null);
      const length = Math.min(chunkSize, size - offset);
      const chunk = Buffer.allocUnsafe(length).fill(offset % 251);
      chunk.writeUInt32BE(offset >>> 0, 0);
      offset += length;
      this.push(chunk);
    },
  });
}
