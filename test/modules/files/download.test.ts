import crypto from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, login, upload, widgetSession, addMember } from '../../support/client.js';
import { jpegWithGps, pdf, pdfWithPage, png, pngBomb } from '../../support/fixtures.js';
import { signFileUrl } from '../../../src/modules/files/signed-url.js';
import { collect, connect } from '../../support/sockets.js';

const s = useServer();
let visitor: Awaited<ReturnType<typeof widgetSession>>;
let file: any;
const bytes = pdf(10_000);
beforeAll(async () => {
  visitor = await widgetSession(s.url, s.widgetKey);
  file = (
    await upload(s.url, '/api/widget/chat/files', [{ name: 'Ünïcode; name.pdf', data: bytes }], {
      token: visitor.visitorToken,
    })
  ).body.files[0];
});

const content = (id: string, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/api/files/${id}/content`, { headers: { cookie: s.owner, ...headers } });

describe('downloads', () => {
  it('always serves an attachment with nosniff, a sandboxing CSP, private caching and an ETag', async () => {
    const res = await content(file.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="_n_code_ name.pdf"; filename*=UTF-8''${encodeURIComponent('Ünïcode; name.pdf')}`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('cache-control')).toBe('private');
    expect(res.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const res = await content(file.id, { 'if-none-match': `"${file.sha256}"` });
    expect(res.status).toBe(304);
  });

  it('serves byte ranges with 206, suffix ranges, and 416 outside the file', async () => {
    const r1 = await content(file.id, { range: 'bytes=0-9' });
    expect(r1.status).toBe(206);
    expect(r1.headers.get('content-range')).toBe(`bytes 0-9/${bytes.length}`);
    expect(Buffer.from(await r1.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);
    const r2 = await content(file.id, { range: 'bytes=-5' });
    expect(Buffer.from(await r2.arrayBuffer()).equals(bytes.subarray(bytes.length - 5))).toBe(true);
    const r3 = await content(file.id, { range: `bytes=${bytes.length}-` });
    expect(r3.status).toBe(416);
    expect(r3.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
  });

  it('serves types outside the safe list as application/octet-stream (HTML, SVG never inline)', async () => {
    await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
      cookie: s.owner,
      body: { visitorAllowedTypes: '' },
    });
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'page.html', data: '<html><script>alert(1)</script></html>' },
        { name: 'pic.svg', data: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' },
      ],
      { token: visitor.visitorToken },
    );
    expect(r.status).toBe(201);
    for (const f of r.body.files) {
      const res = await content(f.id);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    }
    await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
      cookie: s.owner,
      body: { visitorAllowedTypes: 'pdf|png|jpg|jpeg' },
    });
  });
});

describe('who may download', () => {
  it("lets the chat's visitor read with the token, and refuses other visitors with 404", async () => {
    const own = await fetch(`${s.url}/api/files/${file.id}/content`, {
      headers: { authorization: `Bearer ${visitor.visitorToken}` },
    });
    expect(own.status).toBe(200);
    const stranger = await widgetSession(s.url, s.widgetKey);
    for (const p of [`/api/files/${file.id}`, `/api/files/${file.id}/content`]) {
      const r = await call(s.url, 'GET', p, { token: stranger.visitorToken });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    expect((await call(s.url, 'GET', `/api/files/${file.id}/content`)).status).toBe(404);
  });

  it('refuses members of another workspace with 404', async () => {
    const other = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Other' } })).body
      .workspace;
    await addMember(s.url, s.owner, other.id, {
      email: 'outsider@example.test',
      password: 'outsider-pass',
      role: 'admin',
    });
    const outsider = await login(s.url, 'outsider@example.test', 'outsider-pass');
    expect((await call(s.url, 'GET', `/api/files/${file.id}`, { cookie: outsider })).status).toBe(404);
    expect((await call(s.url, 'GET', `/api/files/${file.id}/content`, { cookie: outsider })).status).toBe(404);
    expect(
      (await call(s.url, 'DELETE', `/api/workspaces/${other.id}/files/${file.id}`, { cookie: outsider })).status,
    ).toBe(404);
  });

  it('honours a signed URL until it expires, and refuses a tampered or foreign one', async () => {
    const keyring = s.parley.deps.keyring;
    const good = signFileUrl(keyring, file.id, 'content', 60);
    expect((await fetch(s.url + good)).status).toBe(200);
    const expired = signFileUrl(keyring, file.id, 'content', 60, Date.now() - 3_600_000);
    expect((await fetch(s.url + expired)).status).toBe(404);
    const tampered = good.replace(/sig=(.)/, (_m, c) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await fetch(s.url + tampered)).status).toBe(404);
    const longer = good.replace(/exp=(\d+)/, (_m, e) => `exp=${Number(e) + 10_000}`);
    expect((await fetch(s.url + longer)).status).toBe(404);
    const other = (
      await upload(s.url, '/api/widget/chat/files', [{ name: 'x.pdf', data: pdf() }], { token: visitor.visitorToken })
    ).body.files[0];
    expect((await fetch(s.url + good.replace(file.id, other.id))).status).toBe(404);
  });
});

describe('thumbnails (made after the answer, off the request path)', () => {
  /** The file as the visitor sees it once its thumbnail job has run (announced with message.updated). */
  async function afterThumbnailJob(
    messageId: string,
    socket: Awaited<ReturnType<typeof connect>>,
    updated: ReturnType<typeof collect<any>>,
  ) {
    const m = await updated.next((p) => p.message.id === messageId);
    socket.close();
    return m.message;
  }
  /** Images are thumbnailed one at a time in upload order: once a later good image has its thumbnail, earlier jobs ran. */
  async function drainThumbnails() {
    const socket = await connect(s.url, { token: visitor.visitorToken });
    const updated = collect<any>(socket, 'message.updated');
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'marker.png', data: await png(12, 12) }], {
      token: visitor.visitorToken,
    });
    await afterThumbnailJob(r.body.message.id, socket, updated);
  }

  it('makes a thumbnail for an image, without its EXIF/GPS metadata, and announces it', async () => {
    const jpeg = await jpegWithGps();
    expect((await sharp(jpeg).metadata()).exif).toBeTruthy();
    const socket = await connect(s.url, { token: visitor.visitorToken });
    const updated = collect<any>(socket, 'message.updated');
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'holiday.jpg', data: jpeg }], {
      token: visitor.visitorToken,
    });
    expect(r.status).toBe(201);
    const message = await afterThumbnailJob(r.body.message.id, socket, updated);
    const f = message.files[0];
    expect(f.thumbnailUrl).toMatch(/\/thumbnail\?exp=/);
    const thumb = Buffer.from(await (await fetch(s.url + f.thumbnailUrl)).arrayBuffer());
    const meta = await sharp(thumb).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.width).toBeLessThanOrEqual(320);
    expect(meta.exif).toBeUndefined();
    // The original is kept byte for byte.
    const original = Buffer.from(await (await fetch(s.url + f.url)).arrayBuffer());
    expect(crypto.createHash('sha256').update(original).digest('hex')).toBe(f.sha256);
  });

  it('survives a decompression-bomb PNG (50,000 × 50,000 declared): the file is kept without a thumbnail', async () => {
    const bomb = pngBomb(50_000, 50_000);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'bomb.png', data: bomb }], {
      token: visitor.visitorToken,
    });
    expect(r.status).toBe(201);
    await drainThumbnails();
    expect(
      (await call(s.url, 'GET', `/api/files/${r.body.files[0].id}`, { token: visitor.visitorToken })).body.file
        .thumbnailUrl,
    ).toBeUndefined();
    expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('makes a first-page preview for a PDF (poppler in the preview worker), shown like a thumbnail', async () => {
    const socket = await connect(s.url, { token: visitor.visitorToken });
    const updated = collect<any>(socket, 'message.updated');
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'invoice.pdf', data: pdfWithPage() }], {
      token: visitor.visitorToken,
    });
    expect(r.status).toBe(201);
    const f = (await afterThumbnailJob(r.body.message.id, socket, updated)).files[0];
    expect(f.thumbnailUrl).toMatch(/\/thumbnail\?exp=/);
    const preview = Buffer.from(await (await fetch(s.url + f.thumbnailUrl)).arrayBuffer());
    const meta = await sharp(preview).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(320);
    // The page's blue square is in the preview: it shows the page, not a blank.
    const { channels } = await sharp(preview).stats();
    expect(channels[2]!.mean).toBeGreaterThan(channels[0]!.mean + 20);
  });

  it('gives other types no thumbnail, and an unrenderable PDF or a broken image a file without one', async () => {
    const p = await png(10, 10);
    const broken = Buffer.concat([p.subarray(0, 60), Buffer.alloc(200, 0)]);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'doc.pdf', data: pdf() },
        { name: 'broken.png', data: broken },
      ],
      { token: visitor.visitorToken },
    );
    expect(r.status).toBe(201);
    await drainThumbnails();
    for (const f of r.body.files) {
      expect(
        (await call(s.url, 'GET', `/api/files/${f.id}`, { token: visitor.visitorToken })).body.file.thumbnailUrl,
      ).toBeUndefined();
    }
  });
});
