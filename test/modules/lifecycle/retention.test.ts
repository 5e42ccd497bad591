import fs from 'node:fs';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { pdf, png } from '../../support/fixtures.js';
import { startS3rver, type S3Server } from '../../support/s3rver.js';
import { startReceiver, type Receiver } from '../../support/receiver.js';
import { eventually } from '../../support/eventually.js';
import { collect, connect } from '../../support/sockets.js';
import { tusCreate, tusHead, tusPatch } from '../../support/tus.js';

let s: TestServer;
let s3: S3Server;
let receiver: Receiver;
let secret: string | undefined;
let owner: string;
let client: S3Client;
const BUCKET = 'retention-bucket';

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  receiver = await startReceiver(() => secret);
  s = await startServer();
  owner = await login(s.url, s.admin.email, s.admin.password);
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
});
afterAll(async () => {
  await s?.close();
  await receiver?.close();
  await s3?.close();
});

async function workspaceWithCopies(name: string) {
  const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name } })).body.workspace;
  const api = (p: string) => `/api/workspaces/${ws.id}${p}`;
  const s3Put = await call(s.url, 'PUT', api('/integrations/s3'), {
    cookie: owner,
    body: {
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      region: 'us-east-1',
      bucket: BUCKET,
      folder: name,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      disabled: false,
      deleteCopies: true,
    },
  });
  expect(s3Put.body.deleteCopies).toBe(true);
  const cb = await call(s.url, 'PUT', api('/integrations/callback'), {
    cookie: owner,
    body: { url: receiver.url, disabled: false, deleteCopies: true },
  });
  secret = cb.body.signingSecret;
  return { ws, api };
}

const objectExists = async (key: string) =>
  client
    .send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
    .then(() => true)
    .catch(() => false);

async function forwarded(api: (p: string) => string, fileId: string) {
  return eventually(async () => {
    const ds = (await call(s.url, 'GET', api(`/deliveries?fileId=${fileId}`), { cookie: owner })).body.deliveries;
    return ds.length === 2 && ds.every((d: any) => d.status === 'succeeded') && ds;
  });
}

describe('retention', () => {
  it("deletes files past their side's age with bytes, thumbnails and forwarded copies, and updates open chats", async () => {
    const { ws, api } = await workspaceWithCopies('retain');
    const v = await widgetSession(s.url, ws.widgetKey);
    const old = (
      await upload(s.url, '/api/widget/chat/files', [{ name: 'old-photo.png', data: await png() }], {
        token: v.visitorToken,
      })
    ).body.files[0];
    const agentFile = (
      await upload(s.url, `/api/workspaces/${ws.id}/chats/${v.chat.id}/files`, [{ name: 'answer.pdf', data: pdf() }], {
        cookie: owner,
      })
    ).body.files[0];
    await s.parley.idle(); // the thumbnail exists
    const ds = await forwarded(api, old.id);
    await forwarded(api, agentFile.id);
    const s3Key = ds.find((d: any) => d.kind === 's3').s3Key;
    expect(await objectExists(s3Key)).toBe(true);
    const row = await s.parley.deps.db
      .selectFrom('files')
      .selectAll()
      .where('id', '=', old.id)
      .executeTakeFirstOrThrow();
    expect(row.thumbnail_key).toBeTruthy();

    // The visitor's file is three days old; visitors' files are kept two days, agents' forever.
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await s.parley.deps.db.updateTable('files').set({ created_at: threeDaysAgo }).where('id', '=', old.id).execute();
    const socket = await connect(s.url, { token: v.visitorToken });
    const updates = collect(socket, 'message.updated');
    const put = await call(s.url, 'PUT', api('/settings/retention'), {
      cookie: owner,
      body: { filesDays: 0, visitorFilesDays: 2, auditDays: 30 },
    });
    expect(put.status).toBe(200);
    await s.parley.idle();

    expect(
      await s.parley.deps.db.selectFrom('files').selectAll().where('id', '=', old.id).executeTakeFirst(),
    ).toBeUndefined();
    expect(await s.parley.deps.storage.stat(row.storage_key)).toBeUndefined();
    expect(await s.parley.deps.storage.stat(row.thumbnail_key!)).toBeUndefined();
    const update = await updates.next((p: any) => p.message.files?.some((f: any) => f.id === old.id && f.deleted));
    expect(update.message.chatId).toBe(v.chat.id);
    socket.disconnect();

    await eventually(async () => !(await objectExists(s3Key)));
    await receiver.waitFor((all) => all.some((r) => r.json?.fileId === old.id));
    const event = receiver.received.find((r) => r.json?.fileId === old.id)!;
    expect(event.json).toEqual({ type: 'file.deleted', fileId: old.id, chatID: v.chat.id, uid: `uid-${old.id}` });
    expect(event.signatureValid).toBe(true);

    // The agent's file stays, and List File says it is kept (no deletion date).
    const list = (await call(s.url, 'GET', api('/files'), { cookie: owner })).body.files;
    expect(list.map((f: any) => [f.id, f.deleteAt])).toEqual([[agentFile.id, null]]);
    const audit = (await call(s.url, 'GET', api('/audit?action=file.deleted'), { cookie: owner })).body.entries;
    expect(audit[0]).toMatchObject({ actorRole: 'system', target: `file:${old.id}`, details: { via: 'retention' } });
  });

  it('shows in List File when each file will be deleted', async () => {
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'dates' } })).body
      .workspace;
    const v = await widgetSession(s.url, ws.widgetKey);
    const f = (
      await upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf() }], { token: v.visitorToken })
    ).body.files[0];
    await call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/retention`, { cookie: owner, body: { filesDays: 30 } });
    const [listed] = (await call(s.url, 'GET', `/api/workspaces/${ws.id}/files`, { cookie: owner })).body.files;
    expect(Date.parse(listed.deleteAt) - Date.parse(f.createdAt)).toBe(30 * 86_400_000);
    const bad = await call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/retention`, {
      cookie: owner,
      body: { filesDays: -1 },
    });
    expect(bad.status).toBe(422);
  });

  it('deletes closed chats with their messages and files after M days', async () => {
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'closed' } })).body
      .workspace;
    const v = await widgetSession(s.url, ws.widgetKey);
    const f = (
      await upload(s.url, '/api/widget/chat/files', [{ name: 'b.pdf', data: pdf() }], { token: v.visitorToken })
    ).body.files[0];
    await call(s.url, 'POST', `/api/workspaces/${ws.id}/chats/${v.chat.id}/close`, { cookie: owner });
    const db = s.parley.deps.db;
    await db
      .updateTable('chats')
      .set({ closed_at: new Date(Date.now() - 10 * 86_400_000).toISOString() })
      .execute();
    const key = (await db.selectFrom('files').select('storage_key').where('id', '=', f.id).executeTakeFirstOrThrow())
      .storage_key;
    await call(s.url, 'PUT', `/api/workspaces/${ws.id}/settings/retention`, {
      cookie: owner,
      body: { closedChatsDays: 7 },
    });
    await s.parley.idle();
    expect(await db.selectFrom('chats').select('id').where('id', '=', v.chat.id).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('messages').select('id').where('chat_id', '=', v.chat.id).execute()).toEqual([]);
    expect(await s.parley.deps.storage.stat(key)).toBeUndefined();
  });
});

describe('manual deletion reaches the copies', () => {
  it('deletes the S3 object and sends file.deleted when "Also delete forwarded copies" is on', async () => {
    const { ws, api } = await workspaceWithCopies('manual');
    const v = await widgetSession(s.url, ws.widgetKey);
    const f = (
      await upload(s.url, '/api/widget/chat/files', [{ name: 'c.pdf', data: pdf() }], { token: v.visitorToken })
    ).body.files[0];
    const ds = await forwarded(api, f.id);
    const s3Key = ds.find((d: any) => d.kind === 's3').s3Key;
    expect((await call(s.url, 'DELETE', api(`/files/${f.id}`), { cookie: owner })).status).toBe(204);
    await eventually(async () => !(await objectExists(s3Key)));
    await receiver.waitFor((all) => all.some((r) => r.json?.fileId === f.id && r.signatureValid));
    const kinds = await eventually(async () => {
      const all = (await call(s.url, 'GET', api(`/deliveries?fileId=${f.id}`), { cookie: owner })).body.deliveries;
      const del = all.filter((d: any) => d.kind === 's3-delete' || d.kind === 'callback-event');
      return del.length === 2 && del.every((d: any) => d.status === 'succeeded') && del.map((d: any) => d.kind).sort();
    });
    expect(kinds).toEqual(['callback-event', 's3-delete']);
    // The delivery log's kind filter takes every kind a delivery has (the contract's four).
    for (const kind of ['s3-delete', 'callback-event']) {
      const only = await call(s.url, 'GET', api(`/deliveries?fileId=${f.id}&kind=${kind}`), { cookie: owner });
      expect(only.status).toBe(200);
      expect(only.body.deliveries.map((d: any) => d.kind)).toEqual([kind]);
    }
  });
});

describe('deletions that arrive at once', () => {
  // On PostgreSQL every one of them deleted the file: each answered 204 and planned its own file.deleted, s3-delete
  // and audit entry (found by QA; SQLite's one writer hid it).
  it('delete a file once: one 204 (others 404), one deletion of each copy, one audit entry', async () => {
    const { ws, api } = await workspaceWithCopies('at-once');
    const v = await widgetSession(s.url, ws.widgetKey);
    const sent = async (name: string) => {
      const r = await upload(s.url, '/api/widget/chat/files', [{ name, data: pdf() }], { token: v.visitorToken });
      await forwarded(api, r.body.files[0].id);
      return r.body.files[0].id as string;
    };
    const one = await sent('one.pdf');
    const bulk = await sent('bulk.pdf');
    const singles = await Promise.all(
      Array.from({ length: 6 }, () => call(s.url, 'DELETE', api(`/files/${one}`), { cookie: owner })),
    );
    expect(singles.map((r) => r.status).sort()).toEqual([204, 404, 404, 404, 404, 404]);
    const bulks = await Promise.all(
      Array.from({ length: 6 }, () =>
        call(s.url, 'POST', api('/files/delete'), { cookie: owner, body: { fileIds: [bulk] } }),
      ),
    );
    // One deletes it; the others find it gone (404), or, when they looked just before, delete nothing (202, 0).
    expect(bulks.filter((r) => r.status === 202 && r.body.deleted === 1)).toHaveLength(1);
    for (const r of bulks) expect(r.status === 404 || (r.status === 202 && r.body.deleted <= 1)).toBe(true);
    for (const id of [one, bulk]) {
      const all = (await call(s.url, 'GET', api(`/deliveries?fileId=${id}`), { cookie: owner })).body.deliveries;
      expect(all.map((d: any) => d.kind).sort()).toEqual(['callback', 'callback-event', 's3', 's3-delete']);
      const audit = (await call(s.url, 'GET', api('/audit?action=file.deleted'), { cookie: owner })).body.entries;
      expect(audit.filter((e: any) => e.target === `file:${id}`)).toHaveLength(1);
    }
    await receiver.waitFor((all) => [one, bulk].every((id) => all.some((r) => r.json?.fileId === id)));
  });
});

describe('storage usage and quota', () => {
  it('reports usage by side and type, and refuses uploads over the quota with 507 before storing a byte', async () => {
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'quota' } })).body
      .workspace;
    const v = await widgetSession(s.url, ws.widgetKey);
    await upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf(3000) }], { token: v.visitorToken });
    const usage = (await call(s.url, 'GET', `/api/workspaces/${ws.id}/usage`, { cookie: owner })).body;
    expect(usage).toMatchObject({ bytes: 3000, files: 1, bySide: { visitor: { bytes: 3000, files: 1 } } });
    expect(usage.byType).toEqual([{ type: 'pdf', bytes: 3000, files: 1 }]);
    const set = await call(s.url, 'PUT', `/api/workspaces/${ws.id}`, { cookie: owner, body: { quotaBytes: 5000 } });
    expect(set.status).toBe(200);
    const before = await s.parley.deps.storage.list(`ws/${ws.id}/`);
    // 3000 stored + 3000 more > 5000: refused while streaming (multipart has no size up front).
    const over = await upload(s.url, '/api/widget/chat/files', [{ name: 'b.pdf', data: pdf(3000) }], {
      token: v.visitorToken,
    });
    expect(over.status).toBe(507);
    expect(over.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(await s.parley.deps.storage.list(`ws/${ws.id}/`)).toEqual(before);
    // A file that fits is taken; once full, the next is refused before its body is read.
    expect(
      (await upload(s.url, '/api/widget/chat/files', [{ name: 'c.pdf', data: pdf(2000) }], { token: v.visitorToken }))
        .status,
    ).toBe(201);
    const full = await upload(s.url, '/api/widget/chat/files', [{ name: 'd.pdf', data: pdf(100) }], {
      token: v.visitorToken,
    });
    expect(full.status).toBe(507);
    // Only the instance owner sets quotas: an admin's API token may not.
    const token = (await call(s.url, 'POST', `/api/workspaces/${ws.id}/tokens`, { cookie: owner, body: {} })).body
      .token;
    expect((await call(s.url, 'PUT', `/api/workspaces/${ws.id}`, { token, body: { quotaBytes: null } })).status).toBe(
      403,
    );
  });

  // PostgreSQL's bigint stops at 2^63 - 1: a larger quota (2 ** 63 is what JSON makes of 2^63 - 1) answered 500 there.
  it('refuses a quota past the largest exact integer with 422 and takes the largest one', async () => {
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'quota-max' } })).body
      .workspace;
    for (const quotaBytes of [1e20, 2 ** 63, Number.MAX_SAFE_INTEGER + 1]) {
      const r = await call(s.url, 'PUT', `/api/workspaces/${ws.id}`, { cookie: owner, body: { quotaBytes } });
      expect(r.status, `${quotaBytes}: ${JSON.stringify(r.body)}`).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { quotaBytes: expect.any(String) } });
    }
    const max = Number.MAX_SAFE_INTEGER;
    const ok = await call(s.url, 'PUT', `/api/workspaces/${ws.id}`, { cookie: owner, body: { quotaBytes: max } });
    expect(ok.status).toBe(200);
    expect((await call(s.url, 'GET', `/api/workspaces/${ws.id}/usage`, { cookie: owner })).body.quotaBytes).toBe(max);
  });
});

describe('the quota under concurrency', () => {
  it('holds when uploads run side by side and when tus uploads created with room finish later', async () => {
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'quota-race' } })).body
      .workspace;
    const usage = async () => (await call(s.url, 'GET', `/api/workspaces/${ws.id}/usage`, { cookie: owner })).body;
    // The files' own bytes (a PDF's preview may join them, under the file's key + ".thumb").
    const blobs = async () => (await s.parley.deps.storage.list(`ws/${ws.id}/`)).filter((k) => !k.endsWith('.thumb'));
    expect(
      (await call(s.url, 'PUT', `/api/workspaces/${ws.id}`, { cookie: owner, body: { quotaBytes: 3500 } })).status,
    ).toBe(200);
    // Eight visitors at once, 1000 bytes each, into 3500 bytes of room: each is admitted, at most three may stay.
    const visitors = await Promise.all(Array.from({ length: 8 }, () => widgetSession(s.url, ws.widgetKey)));
    const answers = await Promise.all(
      visitors.map((v, i) =>
        upload(s.url, '/api/widget/chat/files', [{ name: `r${i}.pdf`, data: pdf(1000, `r${i}`) }], {
          token: v.visitorToken,
        }),
      ),
    );
    const taken = answers.filter((a) => a.status === 201).length;
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThanOrEqual(3);
    for (const a of answers.filter((x) => x.status !== 201)) expect(a.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(await usage()).toMatchObject({ bytes: taken * 1000, files: taken });
    expect(await blobs()).toHaveLength(taken);

    // tus: three uploads created while 1500 bytes are free (each fits alone), finished one after another.
    await call(s.url, 'PUT', `/api/workspaces/${ws.id}`, { cookie: owner, body: { quotaBytes: taken * 1000 + 1500 } });
    const created = [];
    for (const [i, v] of visitors.slice(0, 3).entries()) {
      const c = await tusCreate(s.url, { token: v.visitorToken }, 1000, { filename: `t${i}.pdf` });
      expect(c.status).toBe(201);
      created.push({ url: c.url!, token: v.visitorToken, data: pdf(1000, `t${i}`) });
    }
    const finished = [];
    for (const c of created) finished.push(await tusPatch(c.url, { token: c.token }, 0, c.data));
    expect(finished[0]!.status).toBe(204);
    expect(finished[0]!.headers.get('parley-file-id')).toBeTruthy();
    for (const f of finished.slice(1)) {
      expect(f.status).toBe(507);
      expect(f.body.error.code).toBe('QUOTA_EXCEEDED');
    }
    // Refused like any refusal at the last byte: the upload is gone with its bytes, not kept for a retry.
    for (const c of created.slice(1)) {
      expect((await tusHead(c.url, { token: c.token })).status).toBe(404);
      const id = c.url.split('/').pop()!;
      expect(fs.readdirSync(path.join(s.dataDir, 'uploads')).filter((n) => n.startsWith(id))).toEqual([]);
    }
    expect(await usage()).toMatchObject({ bytes: taken * 1000 + 1000, files: taken + 1 });
    expect(await blobs()).toHaveLength(taken + 1);
  });
});

describe('List File bulk actions', () => {
  it("deletes a selection in bulk (another workspace's id: 404, nothing deleted) and exports the list as CSV", async () => {
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'bulk' } })).body.workspace;
    const other = (await call(s.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'bulk-other' } })).body
      .workspace;
    const v = await widgetSession(s.url, ws.widgetKey);
    const vo = await widgetSession(s.url, other.widgetKey);
    const send = async (token: string, name: string) =>
      (await upload(s.url, '/api/widget/chat/files', [{ name, data: pdf() }], { token })).body.files[0];
    const a = await send(v.visitorToken, '=cmd|calc.pdf');
    const b = await send(v.visitorToken, 'b.pdf');
    const keep = await send(v.visitorToken, 'keep.pdf');
    const foreign = await send(vo.visitorToken, 'theirs.pdf');
    const csv = await call(s.url, 'GET', `/api/workspaces/${ws.id}/files.csv`, { cookie: owner });
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(csv.body).toContain(`"'=cmd|calc.pdf"`); // never a formula in a spreadsheet
    // Another workspace's id refuses the selection whole: nothing is deleted.
    const refused = await call(s.url, 'POST', `/api/workspaces/${ws.id}/files/delete`, {
      cookie: owner,
      body: { fileIds: [a.id, b.id, foreign.id] },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({ code: 'NOT_FOUND', missing: [foreign.id] });
    expect((await call(s.url, 'GET', `/api/workspaces/${ws.id}/files`, { cookie: owner })).body.files).toHaveLength(3);
    const del = await call(s.url, 'POST', `/api/workspaces/${ws.id}/files/delete`, {
      cookie: owner,
      body: { fileIds: [a.id, b.id] },
    });
    expect(del.status).toBe(202);
    expect(del.body.deleted).toBe(2);
    const left = (await call(s.url, 'GET', `/api/workspaces/${ws.id}/files`, { cookie: owner })).body.files;
    expect(left.map((f: any) => f.id)).toEqual([keep.id]);
    expect((await call(s.url, 'GET', `/api/workspaces/${other.id}/files`, { cookie: owner })).body.files).toHaveLength(
      1,
    );
    expect(await s.parley.deps.storage.list(`ws/${ws.id}/`)).toHaveLength(1);
    const audit = (await call(s.url, 'GET', `/api/workspaces/${ws.id}/audit?action=file.deleted`, { cookie: owner }))
      .body;
    expect(audit.entries.map((e: any) => e.target).sort()).toEqual([`file:${a.id}`, `file:${b.id}`].sort());
  });
});
