import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { pdf, png } from '../../support/fixtures.js';
import { startS3rver, type S3Server } from '../../support/s3rver.js';
import { eventually } from '../../support/eventually.js';

const s = useServer();
let s3: S3Server;
let client: S3Client;
const BUCKET = 'customer-bucket';
const api = (p: string) => `/api/workspaces/${s.workspaceId}${p}`;
const s3Delivery = async (fileId: string) =>
  (await call(s.url, 'GET', api(`/deliveries?fileId=${fileId}&kind=s3`), { cookie: s.owner })).body.deliveries[0];
const good = () => ({
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
  region: 'us-east-1',
  bucket: BUCKET,
  folder: 'parley-files',
  endpoint: s3.endpoint,
  forcePathStyle: true,
  disabled: false,
});

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  expect((await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: good() })).status).toBe(200);
});
afterAll(async () => {
  await s3?.close();
});

describe('AWS S3 integration settings', () => {
  it('tests the values of the form without saving them; without a body, the saved settings', async () => {
    const test = (body?: object) => call(s.url, 'POST', api('/integrations/s3/test'), { cookie: s.owner, body });
    const other = await test({ ...good(), bucket: 'no-such-bucket' });
    expect(other.status).toBe(200);
    expect(other.body.ok).toBe(false);
    const kept = await call(s.url, 'GET', api('/integrations/s3'), { cookie: s.owner });
    expect(kept.body.bucket).toBe(BUCKET);
    const { secretAccessKey: _kept, ...withoutSecret } = good();
    expect((await test(withoutSecret)).body.ok).toBe(true); // the stored secret fills in
    expect((await test()).body.ok).toBe(true);
    const bad = await test({ region: 'not a region' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toHaveProperty('region');
  });

  it('never returns the secret key, stores it encrypted, and keeps it when a PUT leaves it out', async () => {
    const got = await call(s.url, 'GET', api('/integrations/s3'), { cookie: s.owner });
    expect(got.body).toMatchObject({
      accessKeyId: s3.accessKeyId,
      secretAccessKeySet: true,
      bucket: BUCKET,
      folder: 'parley-files',
      disabled: false,
    });
    // (s3rver's secret equals its access key id, so the check is on the property, not the string.)
    expect(got.body).not.toHaveProperty('secretAccessKey');
    const row = await s.parley.deps.db.selectFrom('s3_integrations').selectAll().executeTakeFirstOrThrow();
    expect(row.secret_enc).toMatch(/^v1\./);
    expect(row.secret_enc).not.toContain(s3.secretAccessKey);
    const put = await call(s.url, 'PUT', api('/integrations/s3'), {
      cookie: s.owner,
      body: { folder: '/parley-files/' },
    });
    expect(put.body.secretAccessKeySet).toBe(true);
    expect(put.body.folder).toBe('parley-files');
    expect((await call(s.url, 'POST', api('/integrations/s3/test'), { cookie: s.owner })).body).toEqual({ ok: true });
  });

  it('refuses invalid settings with 422 and fields', async () => {
    const r = await call(s.url, 'PUT', api('/integrations/s3'), {
      cookie: s.owner,
      body: { bucket: 'No_Such Bucket!', region: '', folder: 'a/../b' },
    });
    expect(r.status).toBe(422);
    expect(Object.keys(r.body.error.fields).sort()).toEqual(['bucket', 'folder', 'region']);
  });

  it('reports connection problems in plain words', async () => {
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: { bucket: 'no-such-bucket' } });
    const r = await call(s.url, 'POST', api('/integrations/s3/test'), { cookie: s.owner });
    expect(r.body.ok).toBe(false);
    expect(r.body.error.message).toMatch(/no bucket named no-such-bucket/i);
    await call(s.url, 'PUT', api('/integrations/s3'), {
      cookie: s.owner,
      body: { bucket: BUCKET, accessKeyId: 'WRONGKEY' },
    });
    const bad = await call(s.url, 'POST', api('/integrations/s3/test'), { cookie: s.owner });
    expect(bad.body.error.message).toMatch(/access key|secret key/i);
    expect(JSON.stringify(bad.body)).not.toContain(s3.secretAccessKey);
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: good() });
  });
});

describe("forwarding to the customer's bucket", () => {
  it('puts each file at <folder>/<chat id>/<file name> with its bytes, type and name', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const bytes = pdf(30_000);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'Contrat signé.pdf', data: bytes }], {
      token: v.visitorToken,
    });
    const file = r.body.files[0];
    const d = await eventually(async () => {
      const x = await s3Delivery(file.id);
      expect(x?.status).toBe('succeeded');
      return x;
    });
    expect(d.s3Key).toBe(`parley-files/${v.chat.id}/Contrat signé.pdf`);
    const obj = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: d.s3Key }));
    const got = Buffer.from(await obj.Body!.transformToByteArray());
    expect(got.equals(bytes)).toBe(true);
    expect(obj.ContentType).toBe('application/pdf');
    expect(obj.ContentDisposition).toContain(encodeURIComponent('Contrat signé.pdf'));
  });

  it('gives a repeated name in one chat a " (2)", " (3)" suffix before the extension', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r1 = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'scan.png', data: await png() },
        { name: 'scan.png', data: await png(20, 20) },
      ],
      { token: v.visitorToken },
    );
    const r2 = await upload(
      s.url,
      `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/files`,
      [{ name: 'scan.png', data: await png(30, 30) }],
      { cookie: s.owner },
    );
    const ids = [...r1.body.files, ...r2.body.files].map((f: any) => f.id);
    const keys = await Promise.all(
      ids.map((id) =>
        eventually(async () => {
          const x = await s3Delivery(id);
          expect(x?.status).toBe('succeeded');
          return x.s3Key;
        }),
      ),
    );
    expect(keys).toEqual([
      `parley-files/${v.chat.id}/scan.png`,
      `parley-files/${v.chat.id}/scan (2).png`,
      `parley-files/${v.chat.id}/scan (3).png`,
    ]);
    for (const k of keys) await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: k }));
  });

  it('uses <chat id>/<file name> when the folder is empty', async () => {
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: { folder: '' } });
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    const key = await eventually(async () => {
      const x = await s3Delivery(r.body.files[0].id);
      expect(x?.status).toBe('succeeded');
      return x.s3Key;
    });
    expect(key).toBe(`${v.chat.id}/a.pdf`);
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: { folder: 'parley-files' } });
  });

  it('sends nothing while "Disable AWS S3 File Store" is on, and can back-fill afterwards', async () => {
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: { disabled: true } });
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'while-off.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    expect(await s3Delivery(r.body.files[0].id)).toBeUndefined();
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: { disabled: false } });
    await call(s.url, 'POST', api('/deliveries/backfill'), { cookie: s.owner, body: { kind: 's3' } });
    const key = await eventually(async () => {
      const x = await s3Delivery(r.body.files[0].id);
      expect(x?.status).toBe('succeeded');
      return x.s3Key;
    });
    expect(key).toBe(`parley-files/${v.chat.id}/while-off.pdf`);
  });

  it('records a readable reason when the credentials are wrong, without the secret', async () => {
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: { accessKeyId: 'NOT-A-KEY' } });
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'x.pdf', data: pdf() }], {
      token: v.visitorToken,
    });
    const d = await eventually(async () => {
      const x = await s3Delivery(r.body.files[0].id);
      expect(x?.lastError).toBeTruthy();
      return x;
    });
    expect(d.lastError).toMatch(/access key|secret key/i);
    expect(d.lastError).not.toContain(s3.secretAccessKey);
    await call(s.url, 'PUT', api('/integrations/s3'), { cookie: s.owner, body: { accessKeyId: s3.accessKeyId } });
    await call(s.url, 'POST', api(`/deliveries/${d.id}/retry`), { cookie: s.owner });
    await eventually(async () => expect((await s3Delivery(r.body.files[0].id)).status).toBe('succeeded'));
  });

  it('forwards a 200 MiB file with a flat memory profile', async () => {
    await call(s.url, 'PUT', api('/settings/file-upload'), {
      cookie: s.owner,
      body: { visitorAllowedTypes: 'pdf', maxFileSizeKb: 250 * 1024 },
    });
    const v = await widgetSession(s.url, s.widgetKey);
    const size = 200 * 1024 * 1024;
    const bigPath = path.join(s.dataDir, 'big-upload.pdf');
    // Written to disk first so the test itself never holds the file either.
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    pdf(64).copy(chunk);
    const fd = fs.openSync(bigPath, 'w');
    for (let i = 0; i < 200; i++) fs.writeSync(fd, i === 0 ? chunk : chunk.fill(0x42, 0, 64));
    fs.closeSync(fd);
    const form = new FormData();
    form.append('file', await fs.openAsBlob(bigPath, { type: 'application/pdf' }), 'big.pdf');
    const r = await fetch(`${s.url}/api/widget/chat/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${v.visitorToken}` },
      body: form,
    });
    expect(r.status).toBe(201);
    const file = (await r.json()).files[0];
    expect(file.size).toBe(size);
    let peak = process.memoryUsage().rss;
    const baseline = peak;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const d = await eventually(
        async () => {
          const x = await s3Delivery(file.id);
          expect(x?.status).toBe('succeeded');
          return x;
        },
        { timeoutMs: 120_000 },
      );
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: d.s3Key }));
      expect(head.ContentLength).toBe(size);
    } finally {
      clearInterval(sampler);
      fs.rmSync(bigPath, { force: true });
    }
    // Server, S3 server and test share this process: all of it must stay far below the file's size.
    expect(peak - baseline).toBeLessThan(120 * 1024 * 1024);
  }, 180_000);
});
