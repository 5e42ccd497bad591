// The sample receiver shown on the External CallBack page (docs/examples/callback-receiver.mjs), run as a real
// process: it verifies Parley's signature, keeps the file byte for byte, and its {"status":0,…} answer is recorded
// (uid and url on the delivery), so the file is never sent twice. A request with a wrong signature is refused.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
// @ts-expect-error the example is plain JavaScript for integrators, without type declarations
import { verifyCallback } from '../../../docs/examples/verify-callback.mjs';

const SAMPLE = path.resolve(import.meta.dirname, '../../../docs/examples/callback-receiver.mjs');
const s = useServer();
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sample-receiver-'));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill();
  fs.rmSync(folder, { recursive: true, force: true });
});

async function startSample(secret: string): Promise<string> {
  child = spawn(process.execPath, [SAMPLE, folder], {
    env: { PATH: process.env.PATH ?? '', PARLEY_SECRET: secret, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (\d+)/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}/parley`);
    });
    child!.on('exit', (code) => reject(new Error(`sample receiver exited with ${code}: ${out}`)));
  });
}

describe('the sample callback receiver', () => {
  it('will not run without the signing secret, and no empty key verifies (found by QA)', async () => {
    // Before: PARLEY_SECRET unset meant an HMAC with an empty key, which anyone can compute — forged files accepted.
    await expect(startSample('')).rejects.toThrow(/exited with 1: Set PARLEY_SECRET/);
    child = undefined;
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    const body = Buffer.from('forged');
    const forged = crypto
      .createHmac('sha256', Buffer.alloc(0))
      .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`)
      .update(body)
      .digest('base64');
    for (const secret of ['', 'whsec_'])
      expect(verifyCallback(secret, { ...headers, 'webhook-signature': `v1,${forged}` }, body)).toBe(false);
  });

  it('verifies, keeps the file, and its answer is recorded so the file is not sent again', async () => {
    const path_ = s.api('/integrations/callback');
    // Saving a URL generates the secret; the receiver needs it before it listens.
    const first = await s.asOwner('PUT', path_, { url: 'http://127.0.0.1:9/parley', disabled: true });
    expect(first.status).toBe(200);
    const url = await startSample(first.body.signingSecret);
    expect((await s.asOwner('PUT', path_, { url, disabled: false })).status).toBe(200);

    const forged = await fetch(url, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
      body: 'x',
    });
    expect(forged.status).toBe(401);

    const v = await widgetSession(s.url, s.widgetKey);
    const data = pdf(40_000);
    const sent = await upload(s.url, '/api/widget/chat/files', [{ name: 'invoice 7.pdf', data }], {
      token: v.visitorToken,
    });
    expect(sent.status).toBe(201);
    const delivery = await eventually(
      async () => {
        const ds = (await s.asOwner('GET', s.api('/deliveries?kind=callback'))).body.deliveries;
        const done = ds.find((d: any) => d.status === 'succeeded');
        expect(done, JSON.stringify(ds)).toBeDefined();
        return done;
      },
      { timeoutMs: 30_000 },
    );
    const kept = fs.readdirSync(folder);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^[0-9a-f-]{36}-invoice_7\.pdf$/);
    expect(fs.readFileSync(path.join(folder, kept[0]!)).equals(data)).toBe(true);
    expect(delivery.remoteUid).toBe(kept[0]!.slice(0, 36));
    expect(delivery.remoteUrl).toBe(`https://files.example.com/${kept[0]}`);
    expect(delivery.attempts).toBe(1);
  });
});
