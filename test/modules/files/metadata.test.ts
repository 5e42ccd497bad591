// "Remove location and camera data from photos": the stored original of a JPEG, PNG, WebP, AVIF or HEIC loses
// EXIF/XMP/GPS (a streaming segment filter, pixels untouched), keeps its orientation, and its sha256 is that of the
// stored bytes.
import crypto from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { Readable } from 'node:stream';
import { metadataStripper } from '../../../src/modules/files/strip/index.js';
import { tusUpload } from '../../support/tus.js';

let s: TestServer;
let owner: string;
beforeAll(async () => {
  s = await startServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1000' } });
  owner = await login(s.url, s.admin.email, s.admin.password);
  const rules = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
    cookie: owner,
    body: { visitorAllowedTypes: 'jpg|jpeg|png|webp|avif|heic' },
  });
  expect(rules.status).toBe(200);
});
afterAll(async () => {
  await s?.close();
});

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.4N"/></rdf:RDF></x:xmpmeta>';

type Format = 'jpeg' | 'png' | 'webp' | 'avif';
const FORMATS: Format[] = ['jpeg', 'png', 'webp', 'avif'];
const extOf = (format: Format) => (format === 'jpeg' ? 'jpg' : format);

/** A camera-style photo: EXIF with make, model and GPS, an XMP packet with GPS, and orientation 6 (rotated). */
async function cameraPhoto(format: Format): Promise<Buffer> {
  const image = sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    [format]()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'SpyCam', Model: 'GPS-1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 2400/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 21/1 0/1',
      },
    })
    .withXmp(XMP);
  return image.toBuffer();
}

async function pixels(b: Buffer) {
  return sharp(b).raw().toBuffer();
}

const noMetadata = (b: Buffer) => {
  for (const needle of ['SpyCam', 'GPS-1', 'GPSLatitude', '48,51.4N', 'xmlns:exif'])
    expect(b.includes(needle), needle).toBe(false);
};

describe('photo metadata removal', () => {
  for (const format of FORMATS) {
    it(`removes GPS and camera data from a ${format.toUpperCase()} original, keeps its pixels and orientation`, async () => {
      const original = await cameraPhoto(format);
      expect(original.includes('SpyCam')).toBe(true);
      const before = await sharp(original).metadata();
      const v = await widgetSession(s.url, s.widgetKey);
      const ext = extOf(format);
      const r = await upload(s.url, '/api/widget/chat/files', [{ name: `photo.${ext}`, data: original }], {
        token: v.visitorToken,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const dl = Buffer.from(await (await fetch(s.url + r.body.files[0].url)).arrayBuffer());
      noMetadata(dl);
      expect(r.body.files[0].sha256).toBe(sha(dl));
      expect(r.body.files[0].size).toBe(dl.length);
      const after = await sharp(dl).metadata();
      if (before.orientation) expect(after.orientation).toBe(before.orientation);
      expect(await pixels(dl)).toEqual(await pixels(original));
    });
  }

  it('removes them from a HEIC original too (the same ISO media container as AVIF, brand heic)', async () => {
    const avif = await cameraPhoto('avif');
    const heic = Buffer.from(avif);
    heic.write('heic', 8, 'latin1'); // ftyp major brand
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'IMG_0001.HEIC', data: heic }], {
      token: v.visitorToken,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const dl = Buffer.from(await (await fetch(s.url + r.body.files[0].url)).arrayBuffer());
    noMetadata(dl);
    expect(dl.length).toBe(heic.length);
    expect(r.body.files[0].sha256).toBe(sha(dl));
  });

  // The widget and the console send every file through tus: the setting must hold there too (found by QA).
  it('removes them from a photo sent as a resumable (tus) upload, as the widget and the console send it', async () => {
    for (const format of FORMATS) {
      const original = await cameraPhoto(format);
      const v = await widgetSession(s.url, s.widgetKey);
      const ext = extOf(format);
      const done = await tusUpload(s.url, { token: v.visitorToken }, original, { filename: `photo.${ext}` }, 700);
      expect(done.status, JSON.stringify(done.body)).toBe(204);
      const fileId = done.headers.get('parley-file-id')!;
      const meta = await call(s.url, 'GET', `/api/files/${fileId}`, { token: v.visitorToken });
      const dl = Buffer.from(await (await fetch(s.url + meta.body.file.url)).arrayBuffer());
      noMetadata(dl);
      expect(meta.body.file.sha256).toBe(sha(dl));
      expect(meta.body.file.size).toBe(dl.length);
      expect(await pixels(dl)).toEqual(await pixels(original));
    }
    // A refusal still comes through the filter: bytes that are no JPEG are 415, as without it.
    const v = await widgetSession(s.url, s.widgetKey);
    const fake = Buffer.from('MZ this is not a photo'.repeat(100));
    const refused = await tusUpload(s.url, { token: v.visitorToken }, fake, { filename: 'fake.jpg' }, 700);
    expect(refused.status).toBe(415);
    expect(refused.body.error.code).toBe('CONTENT_MISMATCH');
  });

  // Phones append more after a JPEG's end: a Motion Photo's video (with its own location atom), an Ultra HDR gain map
  // or MPF's secondary images (each with EXIF), indexed by an APP2 "MPF" segment. None of it may survive.
  it('drops what phones append after the image, in baseline and progressive JPEGs, by multipart and tus', async () => {
    const video = Buffer.concat([Buffer.from('\0\0\0\x18ftypmp42'), Buffer.from('udta\xa9xyz+48.8584+002.2945/')]);
    for (const progressive of [false, true]) {
      const primary = await sharp(await cameraPhoto('jpeg'))
        .keepMetadata()
        .jpeg({ progressive })
        .toBuffer();
      const index = Buffer.from('MPF\0SpyCam index.');
      const mpf = Buffer.concat([Buffer.from([0xff, 0xe2, 0, index.length + 2]), index]);
      const photo = Buffer.concat([primary.subarray(0, 2), mpf, primary.subarray(2), await cameraPhoto('jpeg'), video]);
      expect(photo.includes('xyz+48.8584')).toBe(true);
      const v = await widgetSession(s.url, s.widgetKey);
      const viaMultipart = await upload(s.url, '/api/widget/chat/files', [{ name: 'motion.jpg', data: photo }], {
        token: v.visitorToken,
      });
      expect(viaMultipart.status, JSON.stringify(viaMultipart.body)).toBe(201);
      const viaTus = await tusUpload(s.url, { token: v.visitorToken }, photo, { filename: 'motion.jpg' }, 700);
      expect(viaTus.status, JSON.stringify(viaTus.body)).toBe(204);
      const tusFile = await call(s.url, 'GET', `/api/files/${viaTus.headers.get('parley-file-id')}`, {
        token: v.visitorToken,
      });
      for (const file of [viaMultipart.body.files[0], tusFile.body.file]) {
        const dl = Buffer.from(await (await fetch(s.url + file.url)).arrayBuffer());
        noMetadata(dl);
        for (const needle of ['xyz+48.8584', 'ftypmp42', 'MPF\0']) expect(dl.includes(needle), needle).toBe(false);
        expect(dl.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
        expect(file.sha256).toBe(sha(dl));
        expect(await pixels(dl)).toEqual(await pixels(primary));
      }
      // Chunked byte by byte, the filter gives the same bytes.
      const whole = await collect(Readable.from([photo]), 'jpeg');
      const bytes = await collect(Readable.from([...photo].map((b) => Buffer.from([b]))), 'jpeg');
      expect(bytes.equals(whole)).toBe(true);
    }
  });

  it('keeps the original bytes when the workspace turns the setting off', async () => {
    const off = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/content-safety`, {
      cookie: owner,
      body: { stripPhotoMetadata: false },
    });
    expect(off.body.stripPhotoMetadata).toBe(false);
    try {
      const original = await cameraPhoto('jpeg');
      const v = await widgetSession(s.url, s.widgetKey);
      const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'photo.jpg', data: original }], {
        token: v.visitorToken,
      });
      expect(r.body.files[0].sha256).toBe(sha(original));
    } finally {
      await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/content-safety`, {
        cookie: owner,
        body: { stripPhotoMetadata: true },
      });
    }
    const got = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/settings/content-safety`, { cookie: owner });
    expect(got.body).toMatchObject({ stripPhotoMetadata: true, whenScannerDown: 'refuse' });
  });

  it('filters in one pass over chunks of any size (byte by byte gives the same result)', async () => {
    for (const format of FORMATS) {
      const original = await cameraPhoto(format);
      const whole = await collect(Readable.from([original]), format);
      const bytes = await collect(Readable.from([...original].map((b) => Buffer.from([b]))), format);
      expect(bytes.equals(whole)).toBe(true);
      noMetadata(whole);
    }
  });
});

async function collect(source: Readable, format: string): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of source.pipe(metadataStripper(extOf(format as Format))!)) out.push(c as Buffer);
  return Buffer.concat(out);
}
