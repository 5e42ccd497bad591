// The delivery-target contract, run on every adapter (like the blob store's on every store): a target refuses a
// private address unless allowed, refuses a file whose bytes do not match its recorded size and leaves no complete
// copy, streams a large file with flat memory, and reports every failure as a reason instead of throwing.
import net from 'node:net';
import { Readable } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryFile, DeliveryTarget } from '../../../../src/modules/deliveries/targets/index.js';
import { createCallbackTarget } from '../../../../src/modules/deliveries/targets/callback.js';
import { createS3Target } from '../../../../src/modules/deliveries/targets/s3.js';
import { generateSigningSecret } from '../../../../src/modules/deliveries/targets/signing.js';
import { startReceiver, type Receiver } from '../../../support/receiver.js';
import { startS3rverProcess } from '../../../support/s3rver.js';

interface TargetFixture {
  /** The target pointed at a live endpoint on 127.0.0.1. */
  target(opts: { allowPrivate: boolean }): DeliveryTarget;
  /** The target pointed at a closed port. */
  unreachable(port: number): DeliveryTarget;
  /** Whether a complete copy of the delivery with this key/id arrived, and its size. */
  arrived(key: string): Promise<number | undefined>;
  close(): Promise<void>;
}

const fixtures: Record<'callback' | 's3', () => Promise<TargetFixture>> = {
  async callback() {
    const secret = generateSigningSecret();
    const receiver: Receiver = await startReceiver(() => secret);
    const make = (url: string, allowPrivate: boolean) =>
      createCallbackTarget({
        url,
        signingSecret: secret,
        allowPrivate,
        timeoutMs: () => 60_000,
        connectTimeoutMs: 2000,
      });
    return {
      target: ({ allowPrivate }) => make(receiver.url, allowPrivate),
      unreachable: (port) => make(`http://127.0.0.1:${port}/hook`, true),
      async arrived(key) {
        const r = receiver.received.find((x) => x.fields.key === key && x.signatureValid);
        return r?.file?.size;
      },
      close: () => receiver.close(),
    };
  },
  async s3() {
    // In its own process: the flat-memory test measures this process, not the server's receive buffers (in-process,
    // they took the peak over the bound under CI load).
    const s3 = await startS3rverProcess(['contract-bucket']);
    const settings = (endpoint: string) => ({
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      region: s3.region,
      bucket: 'contract-bucket',
      endpoint,
      forcePathStyle: true,
    });
    const reader = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    return {
      target: ({ allowPrivate }) => createS3Target(settings(s3.endpoint), { allowPrivate }),
      unreachable: (port) => createS3Target(settings(`http://127.0.0.1:${port}`), { allowPrivate: true }),
      async arrived(key) {
        try {
          return (await reader.send(new HeadObjectCommand({ Bucket: 'contract-bucket', Key: key }))).ContentLength;
        } catch {
          return undefined;
        }
      },
      async close() {
        reader.destroy();
        await s3.close();
      },
    };
  },
};

/** `size` bytes made on demand, 64 KiB at a time, never held whole; `actual` lets a test lie about the size. */
function file(size: number, actual = size): DeliveryFile {
  return {
    name: 'contract.bin',
    contentType: 'application/octet-stream',
    size,
    open: async () => {
      let sent = 0;
      return new Readable({
        read() {
          if (sent >= actual) return void this.push(null);
          const n = Math.min(64 * 1024, actual - sent);
          sent += n;
          this.push(Buffer.alloc(n, sent % 251));
        },
      });
    },
  };
}

let n = 0;
/** A request with a fresh key (the S3 object key, and a field the callback receiver is told apart by). */
const request = (f: DeliveryFile) => {
  const key = `contract/${Date.now()}-${++n}.bin`;
  return { key, req: { deliveryId: `dlv_${n}`, key, file: f, fields: { key, fileName: f.name } } };
};

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const kind of ['callback', 's3'] as const) {
  describe(`the ${kind} delivery target`, () => {
    let fx: TargetFixture;
    beforeAll(async () => {
      fx = await fixtures[kind]();
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('delivers a file whole', async () => {
      const { key, req } = request(file(100_000));
      const outcome = await fx.target({ allowPrivate: true }).send(req);
      expect(outcome.ok).toBe(true);
      expect(await fx.arrived(key)).toBe(100_000);
    });

    it('refuses a private address unless private addresses are allowed', async () => {
      const { key, req } = request(file(1000));
      const outcome = await fx.target({ allowPrivate: false }).send(req);
      expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/private address/) });
      expect(await fx.arrived(key)).toBeUndefined();
    });

    it('refuses a file whose bytes do not match its recorded size and leaves no complete copy', async () => {
      const short = request(file(10_000, 4_000));
      expect(await fx.target({ allowPrivate: true }).send(short.req)).toMatchObject({
        ok: false,
        error: expect.stringContaining('not its recorded 10000'),
      });
      const long = request(file(4_000, 10_000));
      expect(await fx.target({ allowPrivate: true }).send(long.req)).toMatchObject({
        ok: false,
        error: expect.stringContaining('more than its recorded 4000'),
      });
      expect(await fx.arrived(short.key)).toBeUndefined();
      expect(await fx.arrived(long.key)).toBeUndefined();
    });

    it('streams a 160 MiB file with flat memory (the process grows by less than half the file)', async () => {
      const size = 160 * 1024 * 1024;
      const { key, req } = request(file(size));
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      try {
        expect((await fx.target({ allowPrivate: true }).send(req)).ok).toBe(true);
      } finally {
        clearInterval(sampler);
      }
      expect(await fx.arrived(key)).toBe(size);
      expect(peak - baseline).toBeLessThan(size / 2);
    });

    it('reports an unreachable endpoint as a reason, without throwing', async () => {
      const { req } = request(file(1000));
      const outcome = await fx.unreachable(await closedPort()).send(req);
      expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/connection refused/) });
    });
  });
}
