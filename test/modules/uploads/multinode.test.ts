// Resumable uploads on two nodes behind one address (PostgreSQL, Redis, S3 storage on the extended s3rver): PATCHes
// of one upload alternate between the nodes and commit exactly one File; two PATCHes of one upload on two nodes at
// once are served in turn by the Redis locker (the holder is asked to let go), and the bytes stay right.
import crypto from 'node:crypto';
import { ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { useNodes, type ServerHandle } from '../../support/server.js';
import { call, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { s3ClientFor, s3StorageEnv, startS3rver, type S3Server } from '../../support/s3rver.js';
import { tusCreate, tusHead, tusPatch, tusPatchOpen, type TusAuth } from '../../support/tus.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BUCKET = 'tus-nodes';
const MiB = 1024 * 1024;
let s3: S3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  client = s3ClientFor(s3);
});
afterAll(async () => {
  client?.destroy();
  await s3?.close();
});

const [a, b] = useNodes(2, () => ({
  env: {
    REDIS_URL,
    ...s3StorageEnv(s3, BUCKET),
  },
})) as [ServerHandle, ServerHandle];

beforeAll(async () => {
  const r = await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/settings/file-upload`, {
    cookie: a.owner,
    body: { maxFileSizeKb: 64 * 1024 },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
});

const sha = (buf: Buffer) => crypto.createHash('sha256').update(buf).digest('hex');
const randomPdf = (size: number) => Buffer.concat([pdf(64), crypto.randomBytes(size - 64)]);
/** The URL of an upload on another node: same path, the other node's address (one address in production). */
const on = (node: ServerHandle, url: string) => `${node.url}${new URL(url).pathname}`;

async function filesOfChat(chatId: string) {
  const db = a.parley.deps.db;
  const files = await db.selectFrom('files').select(['id', 'sha256']).where('chat_id', '=', chatId).execute();
  const messages = await db
    .selectFrom('messages')
    .select('file_ids')
    .where('chat_id', '=', chatId)
    .where('kind', '=', 'file')
    .execute();
  return { files, messages };
}

/** Resumes like a client would: asks the node where the upload stands, then sends the next chunk there. */
async function nextChunk(node: ServerHandle, url: string, auth: TusAuth, data: Buffer, size: number) {
  const head = await tusHead(on(node, url), auth);
  expect(head.status).toBe(200);
  const offset = Number(head.headers.get('upload-offset'));
  const r = await tusPatch(on(node, url), auth, offset, data.subarray(offset, offset + size));
  expect(r.status, JSON.stringify(r.body)).toBe(204);
  return r;
}

describe('one upload, two nodes', () => {
  it('started on node A, its PATCHes alternate between the nodes and commit exactly one File', async () => {
    const v = await widgetSession(a.url, a.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(14 * MiB + 12345);
    const created = await tusCreate(a.url, auth, data.length, { filename: 'both-nodes.pdf' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // 3 MiB chunks are under S3's 5 MiB part minimum: the incomplete part kept by one node is taken up by the other.
    let last: Awaited<ReturnType<typeof nextChunk>> | undefined;
    for (let i = 0; !last?.headers.get('parley-file-id'); i++) {
      last = await nextChunk(i % 2 === 0 ? a : b, created.url!, auth, data, 3 * MiB);
    }
    const fileId = last.headers.get('parley-file-id');
    expect(Number(last.headers.get('upload-offset'))).toBe(data.length);
    const { files, messages } = await filesOfChat(v.chat.id);
    expect(files).toEqual([{ id: fileId, sha256: sha(data) }]);
    expect(messages.map((m) => JSON.parse(m.file_ids!))).toEqual([[fileId]]);
    // Its answer lost, the client repeats the last PATCH on the other node: the same File, not a second one.
    const lastOffset = data.length - (data.length % (3 * MiB));
    for (const node of [a, b]) {
      const again = await tusPatch(on(node, created.url!), auth, lastOffset, data.subarray(lastOffset));
      expect(again.status).toBe(204);
      expect(again.headers.get('parley-file-id')).toBe(fileId);
    }
    expect((await filesOfChat(v.chat.id)).files).toHaveLength(1);
  });

  it('two PATCHes of one upload on two nodes at once are served in turn by the Redis locker', async () => {
    const v = await widgetSession(b.url, b.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(20 * MiB);
    const created = await tusCreate(b.url, auth, data.length, { filename: 'contended.pdf' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = new URL(created.url!).pathname.split('/').pop()!;

    // Node A receives a PATCH that stays open: its first 8 MiB part reaches the bucket, more bytes are on their way.
    const slow = tusPatchOpen(on(a, created.url!), auth, 0, data.length);
    onTestFinished(() => slow.cut());
    let slowEnded = false;
    void slow.answer.then(() => {
      slowEnded = true;
    });
    await slow.write(data.subarray(0, 9 * MiB));
    const uploadId = await eventually(async () => {
      const open = (await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [];
      const upload = open.find((u) => u.Key === id)!;
      const parts = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: id, UploadId: upload.UploadId }));
      expect(parts.Parts?.length).toBe(1);
      return upload.UploadId;
    });
    expect(uploadId).toBeTruthy();
    expect(slowEnded).toBe(false);

    // Node B gets a PATCH at the end of that part. It must wait for the lock: node A is asked to let go, keeps what
    // it received and answers; only then does node B look at the upload, which has moved on (409) unless node A had
    // received nothing past the part.
    const contender = await tusPatch(on(b, created.url!), auth, 8 * MiB, data.subarray(8 * MiB, 9 * MiB));
    expect(slowEnded).toBe(true);
    expect([204, 409]).toContain(contender.status);

    // The client carries on from where the upload stands; the committed bytes are exactly the file's.
    let last = contender;
    for (let i = 0; !last.headers.get('parley-file-id'); i++) {
      last = await nextChunk(i % 2 === 0 ? a : b, created.url!, auth, data, 8 * MiB);
    }
    const { files } = await filesOfChat(v.chat.id);
    expect(files).toEqual([{ id: last.headers.get('parley-file-id'), sha256: sha(data) }]);
  });
});
