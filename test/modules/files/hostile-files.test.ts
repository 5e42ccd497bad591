// The hostile files table (issue 15): what an attacker (or an unlucky customer) uploads, and what each must get.
// One server with a real clamd (its own signature database), every file sent as a visitor would. Nothing may crash
// or stall the server: /healthz is probed every 100 ms throughout and every probe must answer 200 (the slowest
// answer is printed, not asserted — tests never assert timings; `npm run bench` measures the event loop).
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { CLAMD_BINARY, EICAR, TEST_MARKER, startClamd, type Clamd } from '../../support/clamd.js';
import { elf, html, jpegWithGps, pdf, pdfWithPage, pe, png, pngBomb } from '../../support/fixtures.js';
import { snapshot } from '../../support/leftovers.js';
import { startServer, type TestServer } from '../../support/server.js';
import { zip } from '../../support/zip.js';

let s: TestServer;
let clamd: Clamd;
let owner: string;

/** A GIF whose logical screen and frame claim 65535×65535 pixels. */
function gifBomb() {
  const head = Buffer.from('GIF89a', 'latin1');
  const screen = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00]);
  const image = Buffer.from([0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b]);
  return Buffer.concat([head, screen, image]);
}

/** A baseline JPEG header that claims 65000×65000 pixels, then garbage. */
async function jpegBomb() {
  const real = await jpegWithGps();
  const out = Buffer.from(real);
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(65000, i + 5);
      out.writeUInt16BE(65000, i + 7);
      break;
    }
  }
  return out;
}

/** A WebP (VP8X) that declares 16384×16384 canvas. */
async function webpBomb() {
  const { default: sharp } = await import('sharp');
  const real = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
    .webp()
    .toBuffer();
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(16383, 12, 3);
  vp8x.writeUIntLE(16383, 15, 3);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, real.subarray(12)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** A PDF whose page tree points back at itself (a previewer that follows it naively never ends). */
function pdfLoop() {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<< /Type /Catalog /Pages 2 0 R >>endobj\n' +
      '2 0 obj<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>endobj\n' +
      '3 0 obj<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>endobj\n' +
      'trailer<< /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );
}

/** A PDF that runs JavaScript when opened (viewers may; we only store and serve it as an attachment). */
const pdfWithJs = () =>
  Buffer.from(
    '%PDF-1.4\n1 0 obj<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>endobj\n' +
      '2 0 obj<< /Type /Pages /Kids [3 0 R] /Count 1 >>endobj\n' +
      '3 0 obj<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>endobj\n' +
      '4 0 obj<< /S /JavaScript /JS (app.alert\\("hi"\\)) >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );

/** A page 14,400 inches wide: rendering at its own size would need terapixels; the preview box bounds it. */
const pdfHugePage = () => {
  const p = pdfWithPage().toString('latin1').replace('/MediaBox [0 0 300 320]', '/MediaBox [0 0 1036800 1036800]');
  return Buffer.from(p, 'latin1');
};

const truncate = (b: Buffer, keep: number) => b.subarray(0, keep);
const svgScript = () =>
  Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');

interface Row {
  name: string;
  data: () => Buffer | Promise<Buffer>;
  /** The answer: 201, or the refusal's status and code. */
  expect: 201 | [number, string];
  /** For accepted images and PDFs: whether a thumbnail may be made (false: never; undefined: either). */
  thumbnail?: boolean;
  scan?: true;
}

const ok = 201 as const;
const mismatch: [number, string] = [415, 'CONTENT_MISMATCH'];
const notAllowed: [number, string] = [415, 'FILE_TYPE_NOT_ALLOWED'];
const malware: [number, string] = [422, 'MALWARE_DETECTED'];

const TABLE: Row[] = [
  // Malware (a real clamd with the EICAR string and a signature of our own)
  { name: 'eicar.txt', data: () => EICAR, expect: malware, scan: true },
  { name: 'eicar-in-zip.zip', data: () => zip([{ name: 'readme.txt', data: EICAR }]), expect: malware, scan: true },
  {
    name: 'eicar-deflated.zip',
    data: () => zip([{ name: 'a/b/c.txt', data: EICAR, deflate: true }]),
    expect: malware,
    scan: true,
  },
  {
    name: 'eicar-nested.zip',
    data: () => zip([{ name: 'inner.zip', data: zip([{ name: 'x.txt', data: EICAR }]) }]),
    expect: malware,
    scan: true,
  },
  {
    name: 'eicar-in-pdf.pdf',
    data: () => Buffer.concat([pdf(3000), EICAR]),
    expect: malware,
    scan: true,
  },
  { name: 'marker.png', data: async () => Buffer.concat([await png(), TEST_MARKER]), expect: malware, scan: true },
  // Archive bombs: stored as they are, never unpacked by Parley
  {
    name: 'zip-bomb.zip',
    data: () => zip([{ name: 'zeros.bin', data: Buffer.alloc(50 * 1024 * 1024), deflate: true }]),
    expect: ok,
  },
  {
    name: 'nested-bomb.zip',
    data: () =>
      zip(
        [1, 2, 3, 4].map((i) => ({
          name: `layer${i}.zip`,
          data: zip([{ name: 'zeros.bin', data: Buffer.alloc(10 * 1024 * 1024), deflate: true }]),
        })),
      ),
    expect: ok,
  },
  { name: 'gzip-bomb.gz', data: () => zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024)), expect: ok },
  // Decompression-bomb images: kept, without a thumbnail (the worker's pixel limit)
  { name: 'bomb.png', data: () => pngBomb(50_000, 50_000), expect: ok, thumbnail: false },
  { name: 'bomb-wide.png', data: () => pngBomb(1_000_000, 1), expect: ok, thumbnail: false },
  { name: 'bomb.jpg', data: jpegBomb, expect: ok, thumbnail: false },
  { name: 'bomb.gif', data: gifBomb, expect: ok, thumbnail: false },
  { name: 'bomb.webp', data: webpBomb, expect: ok, thumbnail: false },
  // Truncated and broken images: kept, maybe without a thumbnail, never an error
  { name: 'truncated.png', data: async () => truncate(await png(200, 200), 120), expect: ok },
  { name: 'truncated.jpg', data: async () => truncate(await jpegWithGps(), 400), expect: ok },
  { name: 'header-only.gif', data: () => Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00', 'latin1'), expect: ok },
  // Disguised executables and markup: refused by their first bytes, whatever the name says
  { name: 'invoice.pdf', data: elf, expect: mismatch },
  { name: 'photo.jpg', data: pe, expect: mismatch },
  { name: 'scan.png', data: html, expect: mismatch },
  { name: 'report.pdf', data: html, expect: mismatch },
  { name: 'notes.txt', data: elf, expect: mismatch },
  { name: 'archive.zip', data: pe, expect: mismatch },
  { name: 'logo.png', data: svgScript, expect: mismatch },
  { name: 'readme.txt', data: () => Buffer.concat([Buffer.from('hello'), Buffer.alloc(64, 0)]), expect: mismatch },
  { name: 'page.html', data: html, expect: notAllowed },
  { name: 'photo.jpg.exe', data: pe, expect: notAllowed },
  { name: 'invoice\u202Efdp.exe', data: pe, expect: notAllowed },
  // Allowed markup and active content: stored, served only as attachments with nosniff
  { name: 'drawing.svg', data: svgScript, expect: ok },
  { name: 'active.pdf', data: pdfWithJs, expect: ok },
  // Polyglots: a PDF with a zip appended is a PDF; as .zip its first bytes say PDF
  {
    name: 'polyglot.pdf',
    data: () => Buffer.concat([pdfWithPage(), zip([{ name: 'x.txt', data: Buffer.from('x') }])]),
    expect: ok,
  },
  { name: 'polyglot.zip', data: () => Buffer.concat([pdfWithPage(), zip([]), Buffer.alloc(10)]), expect: mismatch },
  // PDFs that trouble previewers: kept; the worker is bounded in time and size
  { name: 'loop.pdf', data: pdfLoop, expect: ok },
  { name: 'huge-page.pdf', data: pdfHugePage, expect: ok },
  { name: 'empty.pdf', data: () => Buffer.alloc(0), expect: mismatch },
];

beforeAll(async () => {
  if (CLAMD_BINARY || process.env.CI) clamd = await startClamd({ maxStreamKb: 64 * 1024 });
  s = await startServer({
    env: {
      ...(clamd ? { PARLEY_CLAMAV: clamd.address, PARLEY_CLAMAV_STREAM_MAX_KB: String(64 * 1024) } : {}),
      PARLEY_VISITOR_FILES_PER_MINUTE: '1000',
    },
  });
  owner = await login(s.url, s.admin.email, s.admin.password);
  const put = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
    cookie: owner,
    body: { visitorAllowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|zip|gz|svg', maxFileSizeKb: 100 * 1024 },
  });
  expect(put.status).toBe(200);
}, 90_000);
afterAll(async () => {
  await s?.close();
  await clamd?.close();
});

describe('hostile files', () => {
  it(`answers each of ${TABLE.length} hostile files as listed, keeps nothing of a refusal, never stalls`, async () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(30);
    let probing = true;
    let slowest = 0;
    const failures: string[] = [];
    const prober = (async () => {
      while (probing) {
        const t = performance.now();
        const signal = AbortSignal.timeout(10_000);
        const r = await fetch(`${s.url}/healthz`, { signal }).catch((e) => e as Error);
        slowest = Math.max(slowest, performance.now() - t);
        if (r instanceof Error || r.status !== 200) failures.push(r instanceof Error ? r.message : String(r.status));
        await new Promise((res) => setTimeout(res, 100));
      }
    })();

    const v = await widgetSession(s.url, s.widgetKey);
    const accepted: { row: Row; id: string }[] = [];
    const outcomes: string[] = [];
    for (const row of TABLE) {
      if (row.scan && !clamd) continue;
      const data = await row.data();
      const before = await snapshot(s);
      const r = await upload(s.url, '/api/widget/chat/files', [{ name: row.name, data }], { token: v.visitorToken });
      const got = r.status === 201 ? 201 : `${r.status} ${r.body?.error?.code}`;
      const want = row.expect === 201 ? 201 : `${row.expect[0]} ${row.expect[1]}`;
      outcomes.push(`${row.name}: ${got}${got === want ? '' : ` (want ${want})`}`);
      if (r.status === 201) accepted.push({ row, id: r.body.files[0].id });
      else expect(await snapshot(s)).toEqual(before);
    }
    expect(outcomes.filter((o) => o.includes('(want'))).toEqual([]);

    await s.parley.idle(); // every thumbnail and preview job has run (or failed) in its worker
    for (const { row, id } of accepted) {
      const file = (await call(s.url, 'GET', `/api/files/${id}`, { token: v.visitorToken })).body.file;
      if (row.thumbnail === false) expect(file.thumbnailUrl, row.name).toBeUndefined();
      const d = await fetch(s.url + file.url);
      expect(d.status, row.name).toBe(200);
      expect(d.headers.get('content-disposition'), row.name).toMatch(/^attachment/);
      expect(d.headers.get('x-content-type-options'), row.name).toBe('nosniff');
      await d.arrayBuffer();
    }
    probing = false;
    await prober;
    console.log(`hostile files: ${outcomes.length} uploads; slowest /healthz answer ${slowest.toFixed(0)} ms`);
    expect(failures).toEqual([]);
    expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
  });
});
