// Resumable uploads on PARLEY_STORAGE=s3 (@tus/s3-store over a real S3 protocol server, test/support/s3rver.ts):
// an upload cut midway resumes from what reached the bucket and commits the right bytes, leaving no tus object or
// multipart upload behind; an abandoned one expires with its multipart upload aborted and every object removed.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { s3ClientFor, s3StorageEnv, startS3rver, type S3Server } from '../../support/s3rver.js';
import { tusCreate, tusHead, tusPatch, tusPatchOpen } from '../../support/tus.js';

const BUCKET = 'tus-primary';
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

/** The server's log lines, for what a lost upload is logged as. */
const lines: { level: number; msg?: string; uploadId?: string; status?: number }[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    done();
  },
});

const s = useServer(() => ({
  env: {
    ...s3StorageEnv(s3, BUCKET),
  },
  logStream,
}));

beforeAll(async () => {
  const r = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
    cookie: s.owner,
    body: { maxFileSizeKb: 64 * 1024 },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
});

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
/** A PDF (by its magic bytes) of `size` bytes of random content, so that no part resembles another. */
const randomPdf = (size: number) => Buffer.concat([pdf(64), crypto.randomBytes(size - 64)]);

const keysOf = async (uploadId: string) =>
  ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: uploadId }))).Contents ?? []).map(
    (o) => o.Key!,
  );
const openMultipart = async (key: string) =>
  ((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).filter((u) => u.Key === key);

/** The tus copy of an upload (object, .info, .part) and its multipart upload are gone (soon after the answer). */
const expectNoTusObjects = (id: string) =>
  eventually(async () => {
    expect(await keysOf(id)).toEqual([]);
    expect(await openMultipart(id)).toEqual([]);
  });

/**
 * Uploads `data` in two PATCHes whose second fails at the commit (the file's own object, ws/…, cannot be written):
 * the store holds every byte, no File was made. Returns the upload and the failed PATCH's answer (503).
 */
async function storedNotCommitted(auth: { token: string }, name: string, data: Buffer) {
  const created = await tusCreate(s.url, auth, data.length, { filename: name });
  expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 100_000))).status).toBe(204);
  s3.failRequests((method, key) => method !== 'GET' && key.startsWith('ws/'));
  try {
    const failed = await tusPatch(created.url!, auth, 100_000, data.subarray(100_000));
    expect(failed.status).toBe(503);
    return { url: created.url!, id: created.url!.split('/').pop()!, failed };
  } finally {
    s3.failRequests(undefined);
  }
}

/** The upload's expiry, and its expiry job, are due now. */
async function makeExpiryDue(id: string) {
  const db = s.parley.deps.db;
  const past = new Date(Date.now() - 1000).toISOString();
  await db.updateTable('resumable_uploads').set({ expires_at: past }).where('id', '=', id).execute();
  await db
    .updateTable('jobs')
    .set({ run_at: past })
    .where('kind', '=', 'uploads.expire')
    .where('payload', 'like', `%${id}%`)
    .execute();
}

/** The File's row and its object in the bucket hold exactly `data`. */
async function expectStoredAs(fileId: string, data: Buffer) {
  const file = await s.parley.deps.db
    .selectFrom('files')
    .select(['sha256', 'size', 'storage_key'])
    .where('id', '=', fileId)
    .executeTakeFirstOrThrow();
  expect(file).toMatchObject({ sha256: sha(data), size: data.length });
  const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: file.storage_key }));
  expect(sha(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(sha(data));
}

describe('a tus upload on S3 storage', () => {
  it('cut midway resumes from the bytes in the bucket, commits the right sha256 and leaves no tus object', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(21 * MiB);
    const created = await tusCreate(s.url, auth, data.length, { filename: 'train.pdf', filetype: 'application/pdf' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.url!.split('/').pop()!;

    // The first PATCH declares the whole file but loses its connection after 13 MiB.
    const first = tusPatchOpen(created.url!, auth, 0, data.length);
    await first.write(data.subarray(0, 13 * MiB));
    first.cut();
    // The lock of the cut PATCH is let go once the store has kept what arrived.
    const offset = await eventually(async () => {
      const head = await tusHead(created.url!, auth);
      expect(head.status).toBe(200);
      const at = Number(head.headers.get('upload-offset'));
      // At least the first 8 MiB part is in the bucket: the resume does not start from zero.
      expect(at).toBeGreaterThanOrEqual(8 * MiB);
      expect(at).toBeLessThan(data.length);
      return at;
    });
    const parts = await client.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: id, UploadId: (await openMultipart(id))[0]!.UploadId }),
    );
    expect(parts.Parts!.length).toBeGreaterThan(0);

    const done = await tusPatch(created.url!, auth, offset, data.subarray(offset));
    expect(done.status, JSON.stringify(done.body)).toBe(204);
    const fileId = done.headers.get('parley-file-id')!;
    expect(fileId).toBeTruthy();

    await expectStoredAs(fileId, data);

    // The tus copy (assembled object, .info, .part) and its multipart upload are gone once the answer is sent.
    await expectNoTusObjects(id);
  });

  it('hashes the PATCHes as they come, copies the upload inside the bucket, reads back only its head', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(19 * MiB + 5);
    const created = await tusCreate(s.url, auth, data.length, { filename: 'copied.pdf', filetype: 'application/pdf' });
    const id = created.url!.split('/').pop()!;
    const commits: { uploadId: string; bytesRead: number }[] = [];
    s.parley.deps.events.on('upload.committed', (e) => void commits.push(e));
    let offset = 0;
    let done: Awaited<ReturnType<typeof tusPatch>> | undefined;
    for (const end of [8 * MiB, 11 * MiB + 3, data.length]) {
      done = await tusPatch(created.url!, auth, offset, data.subarray(offset, end));
      expect(done.status, JSON.stringify(done.body)).toBe(204);
      offset = end;
    }
    const fileId = done!.headers.get('parley-file-id')!;
    await eventually(() => expect(commits.find((c) => c.uploadId === id)).toMatchObject({ bytesRead: 4100 }));
    await expectStoredAs(fileId, data);
    await eventually(async () => expect(await keysOf(id)).toEqual([]));
  });

  it('takes a small file in the creation request (one part under the minimum), leaving no tus object', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const data = randomPdf(300_000);
    const r = await tusCreate(s.url, { token: v.visitorToken }, data.length, { filename: 'small.pdf' }, data);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const fileId = r.headers.get('parley-file-id');
    const file = (await call(s.url, 'GET', `/api/files/${fileId}`, { token: v.visitorToken })).body.file;
    expect(file).toMatchObject({ name: 'small.pdf', size: data.length, sha256: sha(data) });
    const id = r.url!.split('/').pop()!;
    await expectNoTusObjects(id);
  });

  // Found by the chaos suite: the store had completed the upload, the commit had not happened (storage or database
  // down for it, or the node died), and the upload could never end (its bytes removed on a 503, or every later PATCH
  // answering 500 NoSuchUpload).
  it('commits on a HEAD or a repeated last PATCH when the store completed the upload but not the commit', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    // Two uploads whose last PATCH fails at the commit, after the tus store completed them.
    const uploads = [];
    for (const name of ['by-patch.pdf', 'by-head.pdf']) {
      const data = randomPdf(300_000);
      const { url, failed } = await storedNotCommitted(auth, name, data);
      expect(failed.body.error.code).toBe('STORAGE_UNAVAILABLE');
      uploads.push({ name, data, url });
    }
    // The first client repeats its last PATCH (empty, at the end): it commits.
    const [byPatch, byHead] = uploads as [(typeof uploads)[0], (typeof uploads)[0]];
    const again = await tusPatch(byPatch.url, auth, byPatch.data.length, Buffer.alloc(0));
    expect(again.status, JSON.stringify(again.body)).toBe(204);
    // The second asks HEAD first, as tus-js-client does, which takes offset = length as done: HEAD commits it.
    const head = await tusHead(byHead.url, auth);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(byHead.data.length));
    for (const [u, r] of [
      [byPatch, again],
      [byHead, head],
    ] as const) {
      const fileId = r.headers.get('parley-file-id');
      const file = (await call(s.url, 'GET', `/api/files/${fileId}`, auth)).body.file;
      expect(file).toMatchObject({ name: u.name, size: u.data.length, sha256: sha(u.data) });
    }
    const files = (await call(s.url, 'GET', '/api/widget/chat/files', auth)).body.files;
    expect(files.map((f: { name: string }) => f.name).sort()).toEqual(['by-head.pdf', 'by-patch.pdf']);
  });

  // Found by the chaos suite: the reconciliation pass at a node's start aborted every multipart upload started before
  // its cutoff, tus uploads at the bucket's root included (the test server ignored ListMultipartUploads' prefix, and
  // the adapter trusted it); the upload then looked complete and its commit read a missing object (500 NoSuchKey).
  it("survives the storage's partial-write sweep: only put()'s multipart uploads (ws/) are aborted", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(12 * MiB);
    const created = await tusCreate(s.url, auth, data.length, { filename: 'swept.pdf' });
    const id = created.url!.split('/').pop()!;
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 9 * MiB))).status).toBe(204);
    expect(await openMultipart(id)).toHaveLength(1);
    await s.parley.deps.storage.sweepPartial(Date.now() + 60_000);
    expect(await openMultipart(id)).toHaveLength(1);
    const offset = Number((await tusHead(created.url!, auth)).headers.get('upload-offset'));
    const last = await tusPatch(created.url!, auth, offset, data.subarray(offset));
    expect(last.status, JSON.stringify(last.body)).toBe(204);
    const file = (await call(s.url, 'GET', `/api/files/${last.headers.get('parley-file-id')}`, auth)).body.file;
    expect(file).toMatchObject({ name: 'swept.pdf', size: data.length, sha256: sha(data) });
  });

  it('expiring an unfinished upload aborts its multipart upload and removes every object of it', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(20 * MiB);
    const created = await tusCreate(s.url, auth, data.length, { filename: 'abandoned.pdf' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.url!.split('/').pop()!;
    // 6 MiB become a part of the multipart upload; 1 MiB more is below S3's part minimum and waits in <id>.part.
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 6 * MiB))).status).toBe(204);
    expect((await tusPatch(created.url!, auth, 6 * MiB, data.subarray(6 * MiB, 7 * MiB))).status).toBe(204);
    const [open] = await openMultipart(id);
    expect(open).toBeTruthy();
    const parts = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: id, UploadId: open!.UploadId }));
    expect(parts.Parts!.map((p) => p.Size)).toEqual([6 * MiB]);
    expect((await keysOf(id)).sort()).toEqual([`${id}.info`, `${id}.part`]);

    // Its time has come: the expiry job is due now.
    const db = s.parley.deps.db;
    await makeExpiryDue(id);
    await eventually(async () => {
      const row = await db.selectFrom('resumable_uploads').select('status').where('id', '=', id).executeTakeFirst();
      expect(row?.status).toBe('expired');
    });
    expect(await openMultipart(id)).toEqual([]);
    expect(await keysOf(id)).toEqual([]);
    const head = await tusHead(created.url!, auth);
    expect(head.status).toBe(410);
  });

  // Found by a review: S3 reports a key it could not delete in the body of a 200 (DeleteObjects); the upload counted
  // as removed, its row became expired, and its .info stayed in the bucket for good.
  it('an expiry whose delete S3 reports failed for a key is tried again until every object is gone', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const created = await tusCreate(s.url, auth, 300_000, { filename: 'stays.pdf' });
    const id = created.url!.split('/').pop()!;
    expect((await tusPatch(created.url!, auth, 0, randomPdf(300_000).subarray(0, 100_000))).status).toBe(204);
    const db = s.parley.deps.db;
    const due = async () => {
      await makeExpiryDue(id);
      s.parley.deps.jobs.wake();
    };
    s3.failRequests((method, key) => method === 'DELETE' && key === `${id}.info`);
    try {
      await due();
      await eventually(async () => {
        const job = await db
          .selectFrom('jobs')
          .select(['status', 'last_error'])
          .where('kind', '=', 'uploads.expire')
          .where('payload', 'like', `%${id}%`)
          .executeTakeFirst();
        expect(job?.last_error).toMatch(/did not delete/);
        expect(job?.status).toBe('queued');
      });
      expect(await keysOf(id)).toContain(`${id}.info`);
    } finally {
      s3.failRequests(undefined);
    }
    await due();
    await eventually(async () => {
      const row = await db.selectFrom('resumable_uploads').select('status').where('id', '=', id).executeTakeFirst();
      expect(row?.status).toBe('expired');
      expect(await keysOf(id)).toEqual([]);
    });
  });

  // Found by a review: the store's last PATCH stored every part but CompleteMultipartUpload failed (or its node died
  // between the two); the commit of the next HEAD found no object, answered 410 and removed every byte.
  it('completes the multipart upload at the commit when its completion had failed, and commits', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(300_000);
    const created = await tusCreate(s.url, auth, data.length, { filename: 'uncompleted.pdf' });
    const id = created.url!.split('/').pop()!;
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 100_000))).status).toBe(204);
    // CompleteMultipartUpload (POST <id>?uploadId=…) fails; the parts are all stored.
    s3.failRequests((method, key) => method === 'POST' && key === id);
    try {
      const last = await tusPatch(created.url!, auth, 100_000, data.subarray(100_000));
      expect(last.status, JSON.stringify(last.body)).toBe(503);
    } finally {
      s3.failRequests(undefined);
    }
    expect(await openMultipart(id)).toHaveLength(1);
    const head = await tusHead(created.url!, auth);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(data.length));
    await expectStoredAs(head.headers.get('parley-file-id')!, data);
    await expectNoTusObjects(id);
  });

  // Found by a review of the S3 store: the bytes of an upload missing from the bucket at its commit (removed by hand
  // or a lifecycle rule, the multipart upload aborted) answered 500 INTERNAL and logged an error on every HEAD and
  // PATCH, and the upload could never end: a client retried until its expiry instead of starting again.
  it('an upload whose bytes left the bucket before its commit is 410 UPLOAD_EXPIRED, and nothing stays', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(300_000);
    // The store completes the upload; its commit cannot write the file's object.
    const created = await storedNotCommitted(auth, 'removed.pdf', data);
    const { id } = created;
    // Then the assembled object goes (by hand, a lifecycle rule).
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: id }));
    const logged = lines.length;
    for (const ask of [
      () => tusHead(created.url!, auth),
      () => tusPatch(created.url!, auth, data.length, Buffer.alloc(0)),
      () => tusHead(created.url!, auth),
    ]) {
      const r = await ask();
      expect(r.status, JSON.stringify(r.body)).toBe(410);
      if (r.body) expect(r.body.error.code).toBe('UPLOAD_EXPIRED');
    }
    // A client's mistake, not the server's: no error line.
    expect(lines.slice(logged).filter((l) => l.level >= 50)).toEqual([]);
    await eventually(async () => expect(await keysOf(id)).toEqual([]));
    const files = (await call(s.url, 'GET', '/api/widget/chat/files', auth)).body.files;
    expect(files.map((f: { name: string }) => f.name)).not.toContain('removed.pdf');
  });

  it('answers 503 STORAGE_UNAVAILABLE while S3 is down, and commits once it is back', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(300_000);
    const created = await tusCreate(s.url, auth, data.length, { filename: 'outage.pdf' });
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 100_000))).status).toBe(204);
    await s3.stop();
    try {
      const down = await tusPatch(created.url!, auth, 100_000, data.subarray(100_000));
      expect(down.status, JSON.stringify(down.body)).toBe(503);
      expect(down.body.error.code).toBe('STORAGE_UNAVAILABLE');
      expect(down.headers.get('retry-after')).toBeTruthy();
    } finally {
      await s3.start();
    }
    const head = await tusHead(created.url!, auth);
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    const last =
      offset === data.length && head.headers.get('parley-file-id')
        ? head
        : await tusPatch(created.url!, auth, offset, data.subarray(offset));
    const file = (await call(s.url, 'GET', `/api/files/${last.headers.get('parley-file-id')}`, auth)).body.file;
    expect(file).toMatchObject({ name: 'outage.pdf', size: data.length, sha256: sha(data) });
  });

  // Found by the chaos suite ("vanished upload"): S3Store.getUpload answers 404 for any failure to read an upload's
  // .info, and our check before it read the .info once more: an outage beginning between the two reads (or any read
  // of it failing) told the client its upload was gone (HEAD or PATCH 404), and it started over or gave up.
  it("a failing read of an upload's metadata is 503 on HEAD and PATCH, never 404; the upload goes on", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = randomPdf(300_000);
    const created = await tusCreate(s.url, auth, data.length, { filename: 'flaky.pdf' });
    const id = created.url!.split('/').pop()!;
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 100_000))).status).toBe(204);
    // Every read of the .info but the first of each request fails (S3's 500, retried by the SDK, failing again).
    for (const request of [
      () => tusHead(created.url!, auth),
      () => tusPatch(created.url!, auth, 100_000, data.subarray(100_000, 200_000)),
    ]) {
      let reads = 0;
      s3.failRequests((method, key) => method === 'GET' && key === `${id}.info` && ++reads > 1);
      try {
        const r = await request();
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(r.headers.get('retry-after')).toBeTruthy();
        if (r.body) expect(r.body.error.code).toBe('STORAGE_UNAVAILABLE'); // a HEAD has no body
      } finally {
        s3.failRequests(undefined);
      }
    }
    const head = await tusHead(created.url!, auth);
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBe(100_000);
    const last = await tusPatch(created.url!, auth, offset, data.subarray(offset));
    expect(last.status, JSON.stringify(last.body)).toBe(204);
    await expectStoredAs(last.headers.get('parley-file-id')!, data);
  });

  // The expiry job skipped an upload left `committing`; a takeover that then failed on a server fault put it back to
  // `uploading` after its expiry had run, and only the client's HEAD (410) ever came: the bytes stayed for good.
  it('the expiry of an upload left committing by a stopped node commits it, or removes it if that fails', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const db = s.parley.deps.db;
    /** Every byte stored, the commit's node stopped (its lease claimed at `since`), and the expiry due now. */
    const stuckAtExpiry = async (name: string, data: Buffer, since = Date.now() - 3_600_000) => {
      const created = await storedNotCommitted(auth, name, data);
      const { id } = created;
      const past = new Date(Date.now() - 1000).toISOString();
      await db
        .updateTable('resumable_uploads')
        .set({ status: 'committing', committing_since: new Date(since).toISOString(), expires_at: past })
        .where('id', '=', id)
        .execute();
      return { id, url: created.url!, due: () => expiryDue(id, past) };
    };
    const expiryDue = (id: string, at: string) =>
      db
        .updateTable('jobs')
        .set({ run_at: at })
        .where('kind', '=', 'uploads.expire')
        .where('payload', 'like', `%${id}%`)
        .execute();
    const rowOf = (id: string) =>
      db.selectFrom('resumable_uploads').select(['status', 'file_id']).where('id', '=', id).executeTakeFirstOrThrow();

    // Storage works at the expiry: the upload is committed, and its tus copy removed.
    const good = randomPdf(300_000);
    const committed = await stuckAtExpiry('at-expiry.pdf', good);
    await committed.due();
    const fileId = await eventually(async () => {
      const row = await rowOf(committed.id);
      expect(row.status).toBe('committed');
      return row.file_id;
    });
    const file = (await call(s.url, 'GET', `/api/files/${fileId}`, auth)).body.file;
    expect(file).toMatchObject({ name: 'at-expiry.pdf', size: good.length, sha256: sha(good) });
    await eventually(async () => expect(await keysOf(committed.id)).toEqual([]));

    // Storage still fails for the commit at the expiry: the upload expires and its bytes go.
    const stuck = await stuckAtExpiry('never.pdf', randomPdf(300_000));
    s3.failRequests((method, key) => method !== 'GET' && key.startsWith('ws/'));
    try {
      await stuck.due();
      await eventually(async () => expect((await rowOf(stuck.id)).status).toBe('expired'));
    } finally {
      s3.failRequests(undefined);
    }
    expect(await keysOf(stuck.id)).toEqual([]);
    expect((await tusHead(stuck.url, auth)).status).toBe(410);

    // A commit still within its lease at the expiry (5 s of its 120 left) is looked at again once the lease is out.
    const late = randomPdf(300_000);
    const leased = await stuckAtExpiry('leased.pdf', late, Date.now() - 115_000);
    await leased.due();
    const lateId = await eventually(
      async () => {
        const row = await rowOf(leased.id);
        expect(row.status).toBe('committed');
        return row.file_id;
      },
      { timeoutMs: 30_000 },
    );
    expect((await call(s.url, 'GET', `/api/files/${lateId}`, auth)).body.file).toMatchObject({ sha256: sha(late) });
  }, 60_000);
});
