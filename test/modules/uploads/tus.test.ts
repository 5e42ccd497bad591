// Resumable uploads over the tus 1.0 protocol, request by request: the same rules as a multipart upload before a
// byte is stored, never more bytes than declared, the magic-byte check at the end, and a File indistinguishable
// from a multipart one. Another visitor's upload is 404; an expired one 410 with nothing left behind.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import type { DomainEvents } from '../../../src/events.js';
import { startServer, useServer } from '../../support/server.js';
import { addMember, call, login, upload, widgetSession } from '../../support/client.js';
import { pdf, pe } from '../../support/fixtures.js';
import { snapshot } from '../../support/leftovers.js';
import { eventually } from '../../support/eventually.js';
import { encodeMetadata, tusCreate, tusDelete, tusHead, tusPatch, tusPatchOpen, tusUpload } from '../../support/tus.js';
import { documentRequestOf, lastUploadRequest, visitorMessages } from '../bot/helpers.js';

/** The server's log lines, for what an upload gone under its commit is logged as. */
const lines: { level: number; code?: string; msg?: string }[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    done();
  },
});

const s = useServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1000' }, logStream });

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const setRules = (body: Record<string, unknown>) =>
  call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, { cookie: s.owner, body });
const DEFAULT_TYPES = 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip';
const resetRules = () =>
  setRules({
    visitorUploadsEnabled: true,
    agentUploadsEnabled: true,
    visitorAllowedTypes: DEFAULT_TYPES,
    agentAllowedTypes: DEFAULT_TYPES,
    maxFileSizeKb: 10240,
  });

/** The `upload.committed` events from now on. */
function committedUploads() {
  const seen: DomainEvents['upload.committed'][] = [];
  s.parley.deps.events.on('upload.committed', (e) => void seen.push(e));
  return seen;
}

/** Names in the tus store (unfinished uploads' data and metadata files). */
const tusNames = () => {
  const dir = path.join(s.dataDir, 'uploads');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};
const tusFiles = () => tusNames().length;
const uploadRows = async () =>
  Number(
    (
      await s.parley.deps.db
        .selectFrom('resumable_uploads')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function expectRefusedAtCreation(
  work: () => Promise<{ status: number; body: any }>,
  status: number,
  code: string,
) {
  const before = { ...(await snapshot(s)), rows: await uploadRows() };
  const tusBefore = tusNames();
  const r = await work();
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect({ ...(await snapshot(s)), rows: await uploadRows() }).toEqual(before);
  // Nothing new in the tus store (a finished upload's copy may still be going away in the background).
  expect(tusNames().filter((n) => !tusBefore.includes(n))).toEqual([]);
  return r.body.error;
}

describe('a visitor uploads through tus', () => {
  it('sends a PDF in chunks and gets the same File, message and List File row as a multipart upload', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const bytes = pdf(700_000);
    const created = await tusCreate(s.url, auth, bytes.length, { filename: 'big report.pdf', text: 'the report' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/^\/api\/uploads\/[a-z0-9]+$/);
    expect(created.headers.get('upload-expires')).toBeTruthy();
    const url = created.url!;
    const first = await tusPatch(url, auth, 0, bytes.subarray(0, 300_000));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe('300000');
    const head = await tusHead(url, auth);
    expect(head.headers.get('upload-offset')).toBe('300000');
    expect(head.headers.get('upload-length')).toBe(String(bytes.length));
    const last = await tusPatch(url, auth, 300_000, bytes.subarray(300_000));
    expect(last.status).toBe(204);
    const fileId = last.headers.get('parley-file-id');
    expect(fileId).toBeTruthy();

    const files = (await call(s.url, 'GET', '/api/widget/chat/files', { token: v.visitorToken })).body.files;
    const file = files.find((f: any) => f.id === fileId);
    expect(file).toMatchObject({
      name: 'big report.pdf',
      size: bytes.length,
      sha256: sha(bytes),
      mimeType: 'application/pdf',
      uploaderRole: 'visitor',
      chatId: v.chat.id,
    });
    const messages = await visitorMessages(s.url, v.visitorToken);
    const message = messages.find((m) => m.files?.some((f: any) => f.id === fileId));
    expect(message).toMatchObject({ kind: 'file', text: 'the report', authorRole: 'visitor' });
    const dl = await fetch(s.url + file.url);
    expect(sha(Buffer.from(await dl.arrayBuffer()))).toBe(sha(bytes));
    const listed = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/files?chatId=${v.chat.id}`, {
      cookie: s.owner,
    });
    expect(listed.body.files.map((f: any) => f.id)).toContain(fileId);
    // The tus copy is gone once the bytes are a File; a client asking again learns the upload is complete.
    const id = url.split('/').pop()!;
    await eventually(() =>
      expect(fs.readdirSync(path.join(s.dataDir, 'uploads')).filter((f) => f.startsWith(id))).toEqual([]),
    );
    const again = await tusHead(url, auth);
    expect(again.status).toBe(200);
    expect(again.headers.get('upload-offset')).toBe(String(bytes.length));
    expect(again.headers.get('parley-file-id')).toBe(fileId);
    const repeated = await tusPatch(url, auth, bytes.length, Buffer.alloc(0));
    expect(repeated.headers.get('parley-file-id')).toBe(fileId);
    const count = (await call(s.url, 'GET', '/api/widget/chat/files', { token: v.visitorToken })).body.files.length;
    expect(count).toBe(files.length);
  });

  it('makes the File from the uploaded bytes themselves (linked into the blob store, not written twice)', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = pdf(3 * 1024 * 1024, 'linked');
    const created = await tusCreate(s.url, auth, data.length, { filename: 'linked.pdf' });
    const id = created.url!.split('/').pop()!;
    const commits = committedUploads();
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 1024 * 1024))).status).toBe(204);
    const tusInode = fs.statSync(path.join(s.dataDir, 'uploads', id)).ino;
    const done = await tusPatch(created.url!, auth, 1024 * 1024, data.subarray(1024 * 1024));
    expect(done.status).toBe(204);
    const fileId = done.headers.get('parley-file-id')!;
    // Hashed as the PATCHes came: the commit read back only the head (magic bytes), not 3 MiB again.
    await eventually(() => expect(commits.find((c) => c.uploadId === id)).toBeTruthy());
    expect(commits.find((c) => c.uploadId === id)).toMatchObject({ fileId, size: data.length, bytesRead: 4100 });
    const blob = path.join(s.dataDir, 'files', 'ws', s.workspaceId, fileId);
    expect(fs.statSync(blob).ino).toBe(tusInode);
    // The tus name goes after the answer; the File keeps the bytes, checked as a multipart upload's.
    await eventually(() => expect(fs.existsSync(path.join(s.dataDir, 'uploads', id))).toBe(false));
    const got = await call(s.url, 'GET', `/api/files/${fileId}`, { token: v.visitorToken });
    expect(got.body.file).toMatchObject({ size: data.length, sha256: sha(data), mimeType: 'application/pdf' });
    expect(sha(fs.readFileSync(blob))).toBe(sha(data));
  });

  it('takes a small file in the creation request itself (creation-with-upload)', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const bytes = pdf(3000);
    const r = await tusCreate(s.url, { token: v.visitorToken }, bytes.length, { filename: 'small.pdf' }, bytes);
    expect(r.status).toBe(201);
    expect(r.headers.get('upload-offset')).toBe(String(bytes.length));
    const fileId = r.headers.get('parley-file-id');
    const file = (await call(s.url, `GET`, `/api/files/${fileId}`, { token: v.visitorToken })).body.file;
    expect(file).toMatchObject({ name: 'small.pdf', size: 3000, sha256: sha(bytes) });
  });

  it("reads each body straight from Node's request, not through web streams and back", async () => {
    // srvx's Readable.toWeb and the library's Readable.fromWeb cost a fifth of the server's time per byte (issue 18).
    const toWeb = vi.spyOn(Readable, 'toWeb');
    const fromWeb = vi.spyOn(Readable, 'fromWeb');
    try {
      const v = await widgetSession(s.url, s.widgetKey);
      const auth = { token: v.visitorToken };
      const data = pdf(2 * 1024 * 1024, 'direct');
      const head = data.subarray(0, 5000);
      const created = await tusCreate(s.url, auth, data.length, { filename: 'direct.pdf' }, head);
      expect(created.headers.get('upload-offset')).toBe('5000');
      const middle = await tusPatch(created.url!, auth, 5000, data.subarray(5000, 1024 * 1024));
      expect(middle.headers.get('upload-offset')).toBe(String(1024 * 1024));
      const done = await tusPatch(created.url!, auth, 1024 * 1024, data.subarray(1024 * 1024));
      expect(done.status).toBe(204);
      const got = await call(s.url, 'GET', `/api/files/${done.headers.get('parley-file-id')}`, auth);
      expect(got.body.file).toMatchObject({ size: data.length, sha256: sha(data) });
      expect(toWeb).not.toHaveBeenCalled();
      expect(fromWeb).not.toHaveBeenCalled();
    } finally {
      toWeb.mockRestore();
      fromWeb.mockRestore();
    }
  });

  it('keeps the bytes of a PATCH cut midway; the client resumes from HEAD and the File has the right bytes', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = pdf(3 * 1024 * 1024, 'cut');
    const created = await tusCreate(s.url, auth, data.length, { filename: 'cut.pdf' });
    const cutAt = 2 * 1024 * 1024;
    const first = tusPatchOpen(created.url!, auth, 0, data.length);
    await first.write(data.subarray(0, cutAt));
    // Until the server has taken in what was written, a HEAD would wait for the PATCH's lock or see less.
    await eventually(() =>
      expect(fs.statSync(path.join(s.dataDir, 'uploads', created.url!.split('/').pop()!)).size).toBe(cutAt),
    );
    first.cut();
    const offset = await eventually(async () => {
      const head = await tusHead(created.url!, auth);
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('upload-offset'))).toBe(cutAt);
      return cutAt;
    });
    const done = await tusPatch(created.url!, auth, offset, data.subarray(offset));
    expect(done.status, JSON.stringify(done.body)).toBe(204);
    const got = await call(s.url, 'GET', `/api/files/${done.headers.get('parley-file-id')}`, auth);
    expect(got.body.file).toMatchObject({ size: data.length, sha256: sha(data) });
  });

  it('answers a bot upload request named in the metadata, like the multipart requestId field', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const request = await documentRequestOf(s.url, v.visitorToken);
    const r = await tusUpload(s.url, { token: v.visitorToken }, pdf(5000), {
      filename: 'id.pdf',
      requestId: request.id,
    });
    expect(r.status).toBe(204);
    const file = (await call(s.url, 'GET', `/api/files/${r.headers.get('parley-file-id')}`, { token: v.visitorToken }))
      .body.file;
    expect(file.requestId).toBe(request.id);
    await eventually(async () =>
      expect(lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request.status).toBe('answered'),
    );
    // The request is answered now: a new upload for it is refused before a byte.
    await expectRefusedAtCreation(
      () => tusCreate(s.url, { token: v.visitorToken }, 10, { filename: 'again.pdf', requestId: request.id }),
      409,
      'REQUEST_CLOSED',
    );
  });
});

describe('the admin rules at creation, before a byte is stored', () => {
  it('refuses each rule with the contract code and stores nothing', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    try {
      await setRules({ visitorUploadsEnabled: false });
      await expectRefusedAtCreation(() => tusCreate(s.url, auth, 100, { filename: 'a.pdf' }), 403, 'UPLOADS_DISABLED');
      await resetRules();
      const type = await expectRefusedAtCreation(
        () => tusCreate(s.url, auth, 100, { filename: 'tool.exe' }),
        415,
        'FILE_TYPE_NOT_ALLOWED',
      );
      expect(type.allowedTypes).toBe(DEFAULT_TYPES);
      await setRules({ maxFileSizeKb: 100 });
      const size = await expectRefusedAtCreation(
        () => tusCreate(s.url, auth, 100 * 1024 + 1, { filename: 'a.pdf' }),
        413,
        'FILE_TOO_LARGE',
      );
      expect(size.maxFileSizeKb).toBe(100);
      await resetRules();
      await expectRefusedAtCreation(
        () => tusCreate(s.url, auth, 100, { filetype: 'application/pdf' }),
        400,
        'INVALID_FILE_NAME',
      );
      await expectRefusedAtCreation(() => tusCreate(s.url, {}, 100, { filename: 'a.pdf' }), 401, 'UNAUTHENTICATED');
    } finally {
      await resetRules();
    }
  });

  // The stores' default list named creation-defer-length, which creation refuses (found by QA).
  it('lists in OPTIONS only the extensions it offers: no deferred length, no concatenation', async () => {
    const r = await fetch(`${s.url}/api/uploads/`, { method: 'OPTIONS', headers: { 'tus-resumable': '1.0.0' } });
    expect(r.status).toBe(204);
    const listed = (r.headers.get('tus-extension') ?? '').split(',').sort();
    expect(listed).toEqual(['creation', 'creation-with-upload', 'expiration', 'termination']);
    const v = await widgetSession(s.url, s.widgetKey);
    const deferred = () =>
      fetch(`${s.url}/api/uploads/`, {
        method: 'POST',
        headers: {
          'tus-resumable': '1.0.0',
          authorization: `Bearer ${v.visitorToken}`,
          'upload-defer-length': '1',
          'upload-metadata': encodeMetadata({ filename: 'a.pdf' }),
        },
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    await expectRefusedAtCreation(deferred, 400, 'BAD_REQUEST');
  });

  it('refuses a concatenation (parallel) upload, an extension it does not offer, with 400 BAD_REQUEST', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const create = (concat: string) =>
      fetch(`${s.url}/api/uploads/`, {
        method: 'POST',
        headers: {
          'tus-resumable': '1.0.0',
          authorization: `Bearer ${v.visitorToken}`,
          'upload-length': '10',
          'upload-metadata': encodeMetadata({ filename: 'a.pdf' }),
          'upload-concat': concat,
        },
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    await expectRefusedAtCreation(() => create('partial'), 400, 'BAD_REQUEST');
    await expectRefusedAtCreation(() => create('final;/api/uploads/a /api/uploads/b'), 400, 'BAD_REQUEST');
  });

  it('refuses an upload into a closed chat with 409 CHAT_CLOSED', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/close`, { cookie: s.owner });
    await expectRefusedAtCreation(
      () => tusCreate(s.url, { token: v.visitorToken }, 100, { filename: 'a.pdf' }),
      409,
      'CHAT_CLOSED',
    );
  });

  it("refuses an Upload-Length over the visitor's hourly byte quota with 429 RATE_LIMITED", async () => {
    const limited = await startServer({ env: { PARLEY_VISITOR_MB_PER_HOUR: '1' } });
    try {
      const v = await widgetSession(limited.url, limited.widgetKey);
      const r = await tusCreate(limited.url, { token: v.visitorToken }, 2 * 1024 * 1024, { filename: 'a.pdf' });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(r.headers.get('retry-after')).toBeTruthy();
    } finally {
      await limited.close();
    }
  });

  // Found by a review: the visitor's quota reached by the time an upload's last byte arrived (other files sent
  // meanwhile) answered 429 "try again after N s" — and removed every byte, so the retry found no upload (404).
  it('keeps an upload refused 429 at its commit, and commits it when the client tries again', async () => {
    const limited = await startServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1' } });
    try {
      const v = await widgetSession(limited.url, limited.widgetKey);
      const auth = { token: v.visitorToken };
      const data = pdf(50_000, 'late');
      const created = await tusCreate(limited.url, auth, data.length, { filename: 'late.pdf' });
      expect(created.status).toBe(201);
      expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 20_000))).status).toBe(204);
      // Meanwhile another file takes this minute's one file.
      const other = await upload(limited.url, '/api/widget/chat/files', [{ name: 'other.pdf', data: pdf(1000) }], auth);
      expect(other.status).toBe(201);
      const last = await tusPatch(created.url!, auth, 20_000, data.subarray(20_000));
      expect(last.status, JSON.stringify(last.body)).toBe(429);
      expect(last.headers.get('retry-after')).toBeTruthy();
      // The minute passes.
      await limited.parley.deps.db.deleteFrom('rate_counters').execute();
      const again = await tusHead(created.url!, auth);
      expect(again.status).toBe(200);
      const fileId = again.headers.get('parley-file-id');
      expect(fileId).toBeTruthy();
      const file = (await call(limited.url, 'GET', `/api/files/${fileId}`, auth)).body.file;
      expect(file).toMatchObject({ name: 'late.pdf', size: data.length });
    } finally {
      await limited.close();
    }
  });

  it('agents name the chat; a chat of a workspace they cannot see is 404', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const bytes = pdf(4000);
    const r = await tusUpload(s.url, { cookie: s.owner }, bytes, { filename: 'offer.pdf', chatId: v.chat.id });
    expect(r.status).toBe(204);
    const file = (await call(s.url, 'GET', `/api/files/${r.headers.get('parley-file-id')}`, { cookie: s.owner })).body
      .file;
    expect(file).toMatchObject({ uploaderRole: 'agent', chatId: v.chat.id, sha256: sha(bytes) });
    // The chat's short reference is accepted wherever a chat id is (any case, with "#"), by cookie and by token.
    const token = (await s.asOwner('POST', `/api/workspaces/${s.workspaceId}/tokens`, { name: 'tus-ref' })).body.token;
    for (const [auth, chatId] of [
      [{ cookie: s.owner }, v.chat.ref],
      [{ token }, `#${v.chat.ref.toLowerCase()}`],
    ] as const) {
      const byRef = await tusUpload(s.url, auth, bytes, { filename: 'by-ref.pdf', chatId });
      expect(byRef.status).toBe(204);
      const f = (await call(s.url, 'GET', `/api/files/${byRef.headers.get('parley-file-id')}`, { cookie: s.owner }))
        .body.file;
      expect(f).toMatchObject({ chatId: v.chat.id, name: 'by-ref.pdf' });
    }
    const other = (await s.asOwner('POST', '/api/workspaces', { name: 'tus-ref-other' })).body.workspace;
    const vo = await widgetSession(s.url, other.widgetKey);
    await expectRefusedAtCreation(
      () => tusCreate(s.url, { token }, 10, { filename: 'a.pdf', chatId: vo.chat.ref }),
      404,
      'NOT_FOUND',
    );
    await expectRefusedAtCreation(
      () => tusCreate(s.url, { cookie: s.owner }, 10, { filename: 'a.pdf' }),
      400,
      'BAD_REQUEST',
    );
    await expectRefusedAtCreation(
      () => tusCreate(s.url, { cookie: s.owner }, 10, { filename: 'a.pdf', chatId: 'no-such-chat' }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('while streaming and at the end', () => {
  it('never takes more bytes than Upload-Length declared', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const created = await tusCreate(s.url, auth, 1000, { filename: 'a.pdf' });
    const r = await tusPatch(created.url!, auth, 0, pdf(1500));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('FILE_TOO_LARGE');
    const head = await tusHead(created.url!, auth);
    expect(Number(head.headers.get('upload-offset'))).toBe(0);
    await tusDelete(created.url!, auth);
  });

  it('checks the size limit again at the last byte, also for bytes hashed as they came: 413, nothing kept', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = pdf(300 * 1024, 'shrunk');
    const before = { ...(await snapshot(s)), tus: tusFiles() };
    const created = await tusCreate(s.url, auth, data.length, { filename: 'shrunk.pdf' });
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, data.length - 1))).status).toBe(204);
    // The admin lowers the limit while the upload is under way.
    expect((await setRules({ maxFileSizeKb: 100 })).status).toBe(200);
    try {
      const last = await tusPatch(created.url!, auth, data.length - 1, data.subarray(data.length - 1));
      expect(last.status).toBe(413);
      expect(last.body.error.code).toBe('FILE_TOO_LARGE');
    } finally {
      await resetRules();
    }
    await eventually(async () => expect({ ...(await snapshot(s)), tus: tusFiles() }).toEqual(before));
  });

  it('refuses bytes that do not match the extension at the last byte, with 415 CONTENT_MISMATCH, and keeps nothing', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const before = { ...(await snapshot(s)), tus: tusFiles() };
    const r = await tusUpload(s.url, { token: v.visitorToken }, pe(), { filename: 'invoice.pdf' }, 1000);
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('CONTENT_MISMATCH');
    expect({ ...(await snapshot(s)), tus: tusFiles() }).toEqual(before);
    // The refused upload is gone, not resumable.
    expect((await tusHead(r.url!, { token: v.visitorToken })).status).toBe(404);
  });

  it("answers 404 to another visitor's upload URL, for every method", async () => {
    const a = await widgetSession(s.url, s.widgetKey);
    const b = await widgetSession(s.url, s.widgetKey);
    const created = await tusCreate(s.url, { token: a.visitorToken }, 5000, { filename: 'mine.pdf' });
    const other = { token: b.visitorToken };
    expect((await tusHead(created.url!, other)).status).toBe(404);
    const patch = await tusPatch(created.url!, other, 0, pdf(5000));
    expect(patch.status).toBe(404);
    expect(patch.body.error.code).toBe('NOT_FOUND');
    expect((await tusDelete(created.url!, other)).status).toBe(404);
    expect((await tusHead(created.url!, { cookie: s.owner })).status).toBe(404);
    expect((await tusHead(created.url!, { token: a.visitorToken })).headers.get('upload-offset')).toBe('0');
  });

  it('removes a terminated upload with its bytes', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const created = await tusCreate(s.url, auth, 5000, { filename: 'a.pdf' });
    await tusPatch(created.url!, auth, 0, pdf(5000).subarray(0, 2000));
    expect((await tusDelete(created.url!, auth)).status).toBe(204);
    expect((await tusHead(created.url!, auth)).status).toBe(404);
    const id = created.url!.split('/').pop()!;
    expect(fs.readdirSync(path.join(s.dataDir, 'uploads')).filter((f) => f.startsWith(id))).toEqual([]);
  });

  it('answers a DELETE of a complete upload with 409 UPLOAD_COMPLETE naming its File, and removes nothing', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = pdf(5000, 'kept');
    const created = await tusCreate(s.url, auth, data.length, { filename: 'kept.pdf' });
    const done = await tusPatch(created.url!, auth, 0, data);
    expect(done.status).toBe(204);
    const fileId = done.headers.get('parley-file-id')!;
    // Whether the tus copy is still there (removed just after the answer) or gone, the answer is the same.
    for (let i = 0; i < 2; i++) {
      const del = await tusDelete(created.url!, auth);
      expect(del.status).toBe(409);
      expect(del.body.error).toMatchObject({ code: 'UPLOAD_COMPLETE', fileId });
    }
    const head = await tusHead(created.url!, auth);
    expect(head.status).toBe(200);
    expect(head.headers.get('parley-file-id')).toBe(fileId);
    const got = await call(s.url, 'GET', `/api/files/${fileId}`, { token: v.visitorToken });
    expect(got.body.file).toMatchObject({ name: 'kept.pdf', size: data.length, sha256: sha(data) });
  });

  // A DELETE racing the last PATCH removes the tus file after the last write and before the commit reads it (it was
  // 503 STORAGE_UNAVAILABLE and an error line). Here the file goes while the last PATCH is still writing into it.
  it('refuses an upload whose bytes go before its commit: 410 UPLOAD_EXPIRED, and no error line', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = pdf(300 * 1024, 'gone');
    const created = await tusCreate(s.url, auth, data.length, { filename: 'gone.pdf' });
    const id = created.url!.split('/').pop()!;
    const bytesFile = path.join(s.dataDir, 'uploads', id);
    const from = lines.length;
    const last = tusPatchOpen(created.url!, auth, 0, data.length);
    await last.write(data.subarray(0, 100 * 1024));
    // The store writes into its open file: removing it (and its metadata, as a DELETE does) lets the write finish.
    await eventually(() => expect(fs.statSync(bytesFile).size).toBeGreaterThan(0));
    fs.rmSync(bytesFile);
    fs.rmSync(`${bytesFile}.json`);
    await last.write(data.subarray(100 * 1024));
    expect(await last.answer).toBe(410);
    expect(JSON.parse((await last.body) ?? '{}').error?.code).toBe('UPLOAD_EXPIRED');
    const row = await s.parley.deps.db
      .selectFrom('resumable_uploads')
      .select(['status', 'file_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // Gone for good: its later requests answer 410 too (a refused upload answers 404).
    expect(row).toEqual({ status: 'expired', file_id: null });
    expect((await tusHead(created.url!, auth)).status).toBe(410);
    expect(lines.slice(from).filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('the database failing under an upload', () => {
  // Found by a review: the agent's membership check answered 404 "No such upload / chat" for any error, a database
  // failing or timing out included — the client then dropped its upload and started over.
  it("answers an agent's upload with the server's fault, not 404, when the membership check fails", async () => {
    const password = 'agent-password-123';
    const agent = await addMember(s.url, s.owner, s.workspaceId, {
      email: `tus-agent-${Date.now()}@example.com`,
      password,
      role: 'agent',
    });
    const cookie = await login(s.url, agent.email, password);
    const v = await widgetSession(s.url, s.widgetKey);
    const created = await tusCreate(s.url, { cookie }, 1000, { filename: 'a.pdf', chatId: v.chat.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const db = s.parley.deps.db;
    // The memberships table unreadable: every query of it fails, as a database failing would.
    await sql`alter table memberships rename to memberships_away`.execute(db);
    try {
      const head = await tusHead(created.url!, { cookie });
      expect(head.status).toBeGreaterThanOrEqual(500);
      const again = await tusCreate(s.url, { cookie }, 1000, { filename: 'b.pdf', chatId: v.chat.id });
      expect(again.status, JSON.stringify(again.body)).toBeGreaterThanOrEqual(500);
    } finally {
      await sql`alter table memberships_away rename to memberships`.execute(db);
    }
    expect((await tusHead(created.url!, { cookie })).status).toBe(200);
  });
});

describe('abandoned uploads', () => {
  it('expire after PARLEY_UPLOAD_EXPIRY_HOURS: the job removes the bytes and the URL answers 410', async () => {
    // 7.2 s: long enough that a loaded machine's stall between the creation and the first checks does not let the
    // job remove the bytes before they are seen; the announced expiry shows the setting is what counts.
    const short = await startServer({ env: { PARLEY_UPLOAD_EXPIRY_HOURS: '0.002' } });
    try {
      const v = await widgetSession(short.url, short.widgetKey);
      const auth = { token: v.visitorToken };
      const created = await tusCreate(short.url, auth, 5000, { filename: 'a.pdf' });
      const announced = Date.parse(created.headers.get('upload-expires')!) - Date.parse(created.headers.get('date')!);
      expect(announced).toBeGreaterThanOrEqual(6000);
      expect(announced).toBeLessThanOrEqual(9000);
      await tusPatch(created.url!, auth, 0, pdf(5000).subarray(0, 2000));
      const dir = path.join(short.dataDir, 'uploads');
      expect(fs.readdirSync(dir).length).toBeGreaterThan(0);
      await eventually(async () => {
        const row = await short.parley.deps.db
          .selectFrom('resumable_uploads')
          .select('status')
          .executeTakeFirstOrThrow();
        expect(row.status).toBe('expired');
      });
      expect(fs.readdirSync(dir)).toEqual([]);
      const head = await tusHead(created.url!, auth);
      expect(head.status).toBe(410);
      const patch = await tusPatch(created.url!, auth, 2000, pdf(5000).subarray(2000));
      expect(patch.status).toBe(410);
      expect(patch.body.error.code).toBe('UPLOAD_EXPIRED');
    } finally {
      await short.close();
    }
  });
});

describe('multipart stays', () => {
  it('still accepts multipart uploads beside tus', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'm.pdf', data: pdf(2000) }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(201);
  });
});
