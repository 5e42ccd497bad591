// A customer's callback receiver on 127.0.0.1: parses the multipart body as a real integrator would, verifies the
// Standard Webhooks signature over the raw bytes while they stream (nothing is held in memory), and answers as told.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import busboy from 'busboy';

export interface Received {
  webhookId: string;
  timestamp: string;
  signatureValid: boolean;
  fields: Record<string, string>;
  file?: { name: string; mimeType: string; size: number; sha256: string };
  /** A JSON event's body (file.deleted), parsed after its signature was checked over the raw bytes. */
  json?: any;
  at: number;
}

export type Behaviour = (r: Received, res: http.ServerResponse) => void | Promise<void>;

export const answers = {
  ok:
    (uidPrefix = 'uid'): Behaviour =>
    (r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 0,
          uid: `${uidPrefix}-${r.fields.fileId}`,
          url: `https://files.example.test/${r.fields.fileId}`,
        }),
      );
    },
  status1:
    (message: string): Behaviour =>
    (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 1, message }));
    },
  http500: (): Behaviour => (_r, res) => {
    res.writeHead(500).end('boom');
  },
  badJson: (): Behaviour => (_r, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{not json');
  },
  noUid: (): Behaviour => (_r, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 0 }));
  },
  hang: (): Behaviour => () => {
    /* never answers */
  },
};

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Concurrent requests with the same webhook-id seen at once (must stay 0). */
  concurrentDuplicates: number;
  behave(b: Behaviour): void;
  waitFor(pred: (all: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(
  signingSecret: () => string | undefined,
  initial: Behaviour = answers.ok(),
  port = 0,
): Promise<Receiver> {
  let behaviour = initial;
  const received: Received[] = [];
  const inFlight = new Map<string, number>();
  const state = { concurrentDuplicates: 0 };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const webhookId = String(req.headers['webhook-id'] ?? '');
    const timestamp = String(req.headers['webhook-timestamp'] ?? '');
    const signatures = String(req.headers['webhook-signature'] ?? '').split(' ');
    const n = (inFlight.get(webhookId) ?? 0) + 1;
    inFlight.set(webhookId, n);
    if (n > 1) state.concurrentDuplicates++;
    const secret = signingSecret();
    const hmac = secret
      ? crypto
          .createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
          .update(`${webhookId}.${timestamp}.`)
      : undefined;
    if (/^application\/json/i.test(req.headers['content-type'] ?? '')) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        hmac?.update(chunk);
        chunks.push(chunk);
      });
      req.on('end', async () => {
        const r: Received = { webhookId, timestamp, signatureValid: false, fields: {}, at: Date.now() };
        r.signatureValid = !!hmac && signatures.includes(`v1,${hmac.digest('base64')}`);
        r.json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        received.push(r);
        inFlight.set(webhookId, (inFlight.get(webhookId) ?? 1) - 1);
        res.writeHead(204).end();
      });
      return;
    }
    const tee = new PassThrough();
    req.on('data', (chunk: Buffer) => hmac?.update(chunk));
    req.pipe(tee);
    const r: Received = { webhookId, timestamp, signatureValid: false, fields: {}, at: Date.now() };
    const parser = busboy({ headers: req.headers, defParamCharset: 'utf8' });
    parser.on('field', (name, value) => {
      r.fields[name] = value;
    });
    parser.on('file', (_field, stream, info) => {
      const hash = crypto.createHash('sha256');
      let size = 0;
      stream.on('data', (c: Buffer) => {
        hash.update(c);
        size += c.length;
      });
      stream.on('end', () => {
        r.file = { name: info.filename ?? '', mimeType: info.mimeType, size, sha256: hash.digest('hex') };
      });
    });
    parser.on('close', async () => {
      const expected = hmac ? `v1,${hmac.digest('base64')}` : '';
      r.signatureValid = signatures.includes(expected);
      received.push(r);
      try {
        await behaviour(r, res);
      } finally {
        inFlight.set(webhookId, (inFlight.get(webhookId) ?? 1) - 1);
      }
    });
    parser.on('error', () => res.writeHead(400).end());
    tee.pipe(parser);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/hook`,
    port: actualPort,
    received,
    get concurrentDuplicates() {
      return state.concurrentDuplicates;
    },
    behave(b) {
      behaviour = b;
    },
    async waitFor(pred, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > deadline)
          throw new Error(`receiver: condition not met after ${timeoutMs} ms (${received.length} received)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
