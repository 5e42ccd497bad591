// The signature verification code in docs/examples/ (Node, Python, Go) verifies a real callback carrying a binary
// PDF, and refuses it once a single byte changes; the official Standard Webhooks Node library, given the same
// bytes, does not verify it (it decodes the body to text first), which is what docs/integrations.md warns about.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import busboy from 'busboy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
// @ts-expect-error the example is plain JavaScript for integrators, without type declarations
import { verifyCallback } from '../../../docs/examples/verify-callback.mjs';

interface Captured {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const s = useServer();
let secret: string;
let receiver: http.Server;
const captured: Captured[] = [];
/** A PDF whose padding holds bytes that are not valid UTF-8, like any real PDF, image or archive. */
const binaryPdf = Buffer.concat([pdf(1024), crypto.randomBytes(8192), Buffer.from([0xc3, 0x28, 0xff, 0xfe])]);

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 0, uid: 'doc-1', url: 'https://files.example.test/doc-1' }));
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const saved = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/integrations/callback`, {
    cookie: s.owner,
    body: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/parley`, disabled: false },
  });
  secret = saved.body.signingSecret;
  const v = await widgetSession(s.url, s.widgetKey);
  const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'contract.pdf', data: binaryPdf }], {
    token: v.visitorToken,
  });
  expect(r.status).toBe(201);
  await eventually(() => expect(captured.length).toBeGreaterThan(0), { timeoutMs: 30_000 });
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
});

const examples = path.resolve(import.meta.dirname, '../../../docs/examples');
const hasGo = fs.existsSync('/usr/bin/go') || fs.existsSync('/usr/local/go/bin/go');

function run(command: string, args: string[], body: Buffer) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const child = execFile(command, args, { cwd: examples, timeout: 120_000 }, (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout.trim() }),
    );
    child.stdin!.end(body);
  });
}

const headerArgs = (c: Captured) => [
  secret,
  String(c.headers['webhook-id']),
  String(c.headers['webhook-timestamp']),
  String(c.headers['webhook-signature']),
];
const tampered = (body: Buffer) => {
  const copy = Buffer.from(body);
  const at = copy.indexOf(binaryPdf.subarray(2000, 2016));
  copy[at] = copy[at]! ^ 0x01; // one bit of the file's bytes
  return copy;
};

describe('verification code from docs/integrations.md against a real callback with a binary PDF', () => {
  it('the callback really carries the PDF bytes', () => {
    expect(captured[0]!.body.includes(binaryPdf)).toBe(true);
    expect(captured[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  const commands: [string, string, (a: string[]) => string[], boolean][] = [
    ['Node', process.execPath, (a) => ['verify-callback.mjs', ...a], true],
    ['Python', 'python3', (a) => ['verify_callback.py', ...a], true],
    ['Go', 'go', (a) => ['run', 'verify_callback.go', ...a], hasGo],
  ];
  it.each(commands)('%s: verifies it, and refuses it with one bit changed', async (_lang, cmd, args, available) => {
    if (!available) return;
    const c = captured[0]!;
    expect(await run(cmd, args(headerArgs(c)), c.body)).toEqual({ code: 0, out: 'valid' });
    expect(await run(cmd, args(headerArgs(c)), tampered(c.body))).toEqual({ code: 1, out: 'invalid' });
    // An empty secret (a variable not set) must not verify a request signed with an empty key (found by QA).
    const [, id, timestamp] = headerArgs(c);
    const forged = crypto.createHmac('sha256', Buffer.alloc(0)).update(`${id}.${timestamp}.`).update(c.body);
    const emptyKey = ['', id!, timestamp!, `v1,${forged.digest('base64')}`];
    expect(await run(cmd, args(emptyKey), c.body)).toEqual({ code: 1, out: 'invalid' });
  });

  it('its fields match the published JSON Schema (/api/schemas/callback.json)', async () => {
    const schema = (await call(s.url, 'GET', '/api/schemas/callback.json')).body;
    const ajv = new Ajv2020({ strict: false });
    formats.default(ajv);
    ajv.addSchema(schema);
    const c = captured[0]!;
    const fields: Record<string, string> = {};
    await new Promise<void>((resolve, reject) => {
      const parser = busboy({ headers: c.headers });
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('file', (_name, stream) => stream.resume());
      parser.on('close', resolve);
      parser.on('error', reject);
      parser.end(c.body);
    });
    const validate = ajv.getSchema(`${schema.$id}#/$defs/fields`)!;
    expect(validate(fields), JSON.stringify(validate.errors)).toBe(true);
    expect(fields.fileName).toBe('contract.pdf');
    const answer = ajv.getSchema(`${schema.$id}#/$defs/answer`)!;
    expect(answer({ status: 0, uid: 'doc-1', url: 'https://x.test/1' })).toBe(true);
    expect(answer({ status: 2 })).toBe(false);
  });

  it('Node, as a module: the same function an integrator imports', () => {
    const c = captured[0]!;
    expect(verifyCallback(secret, c.headers, c.body)).toBe(true);
    expect(verifyCallback(secret, c.headers, tampered(c.body))).toBe(false);
    expect(verifyCallback(secret, { ...c.headers, 'webhook-timestamp': '1000' }, c.body)).toBe(false);
  });

  it('the official standardwebhooks Node library cannot verify it (it hashes the body decoded as text)', () => {
    const c = captured[0]!;
    const headers = {
      'webhook-id': String(c.headers['webhook-id']),
      'webhook-timestamp': String(c.headers['webhook-timestamp']),
      'webhook-signature': String(c.headers['webhook-signature']),
    };
    expect(() => new Webhook(secret).verify(c.body, headers, { jsonParse: false })).toThrow(/No matching signature/);
  });
});
