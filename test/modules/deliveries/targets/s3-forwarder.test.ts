// Forwarding files into the customer's own bucket, against a real S3 protocol server (s3rver) on loopback:
// the object lands where the contract says, and every misconfiguration comes back in words an admin understands.
import { PRIVATE_HINT } from '../../../../src/modules/deliveries/targets/ssrf.js';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildS3Key,
  forwardToS3,
  testS3Connection,
  type S3Target,
} from '../../../../src/modules/deliveries/targets/s3.js';
import { startS3rver, type S3Server } from '../../../support/s3rver.js';

let s3: S3Server;
let target: S3Target;
let reader: S3Client;

beforeAll(async () => {
  s3 = await startS3rver(['customer-bucket']);
  target = {
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    region: s3.region,
    bucket: 'customer-bucket',
    endpoint: s3.endpoint,
    forcePathStyle: true,
  };
  reader = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
});

afterAll(async () => {
  reader?.destroy();
  await s3?.close();
});

const local = { allowPrivate: true };
/** A one-byte text file named `name`, for the tests about configuration rather than content. */
const tinyFile = (name = 'x.txt') => source(Buffer.from('x'), name, 'text/plain');

function source(bytes: Buffer, fileName: string, contentType: string) {
  return { open: async () => Readable.from([bytes]), contentType, fileName, size: bytes.length };
}

async function readObject(key: string) {
  const object = await reader.send(new GetObjectCommand({ Bucket: 'customer-bucket', Key: key }));
  return {
    bytes: Buffer.from(await object.Body!.transformToByteArray()),
    contentType: object.ContentType,
    contentDisposition: object.ContentDisposition,
  };
}

async function listKeys(prefix: string): Promise<string[]> {
  const listing = await reader.send(new ListObjectsV2Command({ Bucket: 'customer-bucket', Prefix: prefix }));
  return (listing.Contents ?? []).map((object) => object.Key!);
}

async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('forwardToS3', () => {
  it('puts the file at the exact key with the same bytes, its content type and a download name', async () => {
    const bytes = crypto.randomBytes(4096);
    const key = buildS3Key('parley/uploads/', 'chat_1', 'relevé (final).pdf', new Set());
    expect(key).toBe('parley/uploads/chat_1/relevé (final).pdf');

    const result = await forwardToS3(target, key, source(bytes, 'relevé (final).pdf', 'application/pdf'), local);

    expect(result).toMatchObject({ ok: true, key });
    const stored = await readObject(key);
    expect(stored.bytes.equals(bytes)).toBe(true);
    expect(stored.contentType).toBe('application/pdf');
    expect(stored.contentDisposition).toBe(
      'attachment; filename="relev_ (final).pdf"; filename*=UTF-8\'\'relev%C3%A9%20%28final%29.pdf',
    );
  });

  it('streams a file larger than one part as a multipart upload', async () => {
    const size = 9 * 1024 * 1024;
    const bytes = crypto.randomBytes(size);
    const open = async () =>
      Readable.from(
        (function* () {
          for (let offset = 0; offset < size; offset += 256 * 1024) yield bytes.subarray(offset, offset + 256 * 1024);
        })(),
      );
    const key = 'big/chat_2/video.mp4';
    const video = { open, contentType: 'video/mp4', fileName: 'video.mp4', size };
    const result = await forwardToS3(target, key, video, local);
    expect(result).toMatchObject({ ok: true, key });
    const stored = await readObject(key);
    const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
    expect(sha256(stored.bytes)).toBe(sha256(bytes));
  });

  it('refuses a file whose bytes do not match its recorded size and leaves no object', async () => {
    const liar = { ...source(Buffer.from('abc'), 'x.txt', 'text/plain'), size: 10 };
    const result = await forwardToS3(target, 'short/chat/x.txt', liar, local);
    expect(result).toEqual({ ok: false, error: expect.stringContaining('not its recorded 10') });
    expect(await listKeys('short/')).toEqual([]);
  });

  // s3rver 3.7 verifies only V2 signatures and accepts any SigV4 signature from a known access key (see its
  // middleware/authentication.js), so a wrong *secret* cannot be provoked here; an unknown access key can, and both
  // (InvalidAccessKeyId, SignatureDoesNotMatch) map to the same words.
  it('says the keys are wrong when the access key is unknown, without repeating the secret', async () => {
    const wrong = { ...target, accessKeyId: 'AKIAWRONG', secretAccessKey: 'very-secret-value' };
    const result = await forwardToS3(wrong, 'k/wrong.txt', tinyFile(), local);
    expect(result).toEqual({ ok: false, error: 'the access key or secret key is wrong' });
    expect(JSON.stringify(result)).not.toContain('very-secret-value');
  });

  it('names the bucket that does not exist', async () => {
    const result = await forwardToS3({ ...target, bucket: 'no-such-bucket' }, 'k/x.txt', tinyFile(), local);
    expect(result).toEqual({ ok: false, error: 'no bucket named no-such-bucket' });
  });

  it('says the endpoint cannot be reached when nothing listens there', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await forwardToS3({ ...target, endpoint }, 'k/x.txt', tinyFile(), local);
    const host = new URL(endpoint).host;
    expect(result).toEqual({ ok: false, error: `the S3 endpoint ${host} cannot be reached (connection refused)` });
  });

  it('refuses a private endpoint when private addresses are not allowed, sending nothing', async () => {
    const result = await forwardToS3(target, 'private/x.txt', tinyFile(), { allowPrivate: false });
    expect(result).toEqual({ ok: false, error: `S3 endpoint points to a private address (127.0.0.1)${PRIVATE_HINT}` });
    expect(await listKeys('private/')).toEqual([]);
  });
});

describe('testS3Connection', () => {
  it('succeeds on a good configuration and leaves no test object behind', async () => {
    expect(await testS3Connection(target, { allowPrivate: true, folder: '/conn-test/' })).toEqual({ ok: true });
    expect(await listKeys('conn-test/')).toEqual([]);
  });

  it('explains each misconfiguration with a code and plain words', async () => {
    const probe = (changes: Partial<S3Target>, allowPrivate = true) =>
      testS3Connection({ ...target, ...changes }, { allowPrivate, folder: 'f' });
    expect(await probe({ accessKeyId: 'NOBODY' })).toEqual({
      ok: false,
      error: { code: 'S3_BAD_CREDENTIALS', message: 'the access key or secret key is wrong' },
    });
    expect(await probe({ bucket: 'missing-bucket' })).toEqual({
      ok: false,
      error: { code: 'S3_NO_SUCH_BUCKET', message: 'no bucket named missing-bucket' },
    });
    expect(await probe({ endpoint: `http://127.0.0.1:${await closedPort()}` })).toMatchObject({
      ok: false,
      error: { code: 'S3_UNREACHABLE', message: expect.stringContaining('connection refused') },
    });
    expect(await probe({}, false)).toEqual({
      ok: false,
      error: {
        code: 'S3_PRIVATE_ENDPOINT',
        message: `S3 endpoint points to a private address (127.0.0.1)${PRIVATE_HINT}`,
      },
    });
  });
});

describe('buildS3Key', () => {
  it('puts a repeated name in one chat under " (2)", " (3)" before the extension', () => {
    const taken = new Set<string>();
    expect(buildS3Key('exports', 'chat_1', 'report.pdf', taken)).toBe('exports/chat_1/report.pdf');
    expect(buildS3Key('exports', 'chat_1', 'report.pdf', taken)).toBe('exports/chat_1/report (2).pdf');
    expect(buildS3Key('exports', 'chat_1', 'report.pdf', taken)).toBe('exports/chat_1/report (3).pdf');
    expect(buildS3Key('exports', 'chat_1', 'README', taken)).toBe('exports/chat_1/README');
    expect(buildS3Key('exports', 'chat_1', 'README', taken)).toBe('exports/chat_1/README (2)');
    const tarball = buildS3Key('exports', 'chat_1', 'archive.tar.gz', new Set(['archive.tar.gz']));
    expect(tarball).toBe('exports/chat_1/archive (2).tar.gz');
    expect(buildS3Key('exports', 'chat_1', '.env', new Set(['.env']))).toBe('exports/chat_1/.env (2)');
  });

  it("starts at the chat id when the folder is empty, and trims the folder's slashes", () => {
    expect(buildS3Key('', 'chat_1', 'a.png', new Set())).toBe('chat_1/a.png');
    expect(buildS3Key('/', 'chat_1', 'a.png', new Set())).toBe('chat_1/a.png');
    expect(buildS3Key('//in/box//', 'chat_1', 'a.png', new Set())).toBe('in/box/chat_1/a.png');
  });

  it('never lets a hostile name add, climb or hide a path segment', () => {
    expect(buildS3Key('f', 'c', '../../etc/passwd', new Set())).toBe('f/c/.._.._etc_passwd');
    expect(buildS3Key('f', 'c', '..\\..\\boot.ini', new Set())).toBe('f/c/.._.._boot.ini');
    expect(buildS3Key('f', 'c', '..', new Set())).toBe('f/c/__');
    expect(buildS3Key('f', 'c', '.', new Set())).toBe('f/c/_');
    expect(buildS3Key('f', 'c', '', new Set())).toBe('f/c/file');
    expect(buildS3Key('f', 'c', 'a\nb\u0000.txt', new Set())).toBe('f/c/a_b_.txt');
    expect(buildS3Key('f', '../other-chat', 'x.txt', new Set())).toBe('f/.._other-chat/x.txt');
  });

  it('shortens a very long name to 255 bytes and keeps its extension', () => {
    const key = buildS3Key('f', 'c', `${'é'.repeat(300)}.pdf`, new Set());
    const name = key.slice('f/c/'.length);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith('é.pdf')).toBe(true);
  });
});
