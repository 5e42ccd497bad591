// The preview worker: a long-lived child process (src/previews/pool.ts runs at most `concurrency` of them) that makes
// thumbnails and previews one job at a time, many over its life, so Node and sharp load once per worker, not per
// file. A decoder that crashes, loops or blows up in memory kills this process and never the server; the pool
// replaces it, and recycles it after a number of jobs or past an RSS limit. The protocol is in protocol.ts:
//   'J' {kind}: "image" (png, jpeg, gif, webp) or "pdf" (first page, rendered by poppler's pdftoppm)
//   'D' … 'E':  the file's bytes (or the job names a local file to read instead);
//   answer: 'W' a WebP of at most 320×320, then 'K' — or 'F' with the reason.
// Bounded in input pixels (sharp), in time (the pool kills it) and in JS heap (the pool's --max-old-space-size).
// The WebP carries no metadata (EXIF/GPS/XMP): sharp copies none unless told to (withMetadata), and never is.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { FRAME, FrameParser, frame, isStream, type PreviewInput } from './protocol.js';

const MAX_PIXELS = 40_000_000;
/** pdftoppm renders the first page to fit this box; the WebP is then made like an image's. */
const PDF_RENDER_BOX = 640;
const PDF_TIMEOUT_MS = 15_000;

sharp.cache(false);
sharp.concurrency(1);

/** sharp reading a file itself, or (no file) the stream piped into it. */
const INPUT = { limitInputPixels: MAX_PIXELS, failOn: 'error', animated: false } as const;
const thumbnail = (file?: string) =>
  (file === undefined ? sharp(INPUT) : sharp(file, INPUT))
    .rotate() // apply EXIF orientation before the metadata is dropped
    .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75 });

async function image(input: PreviewInput): Promise<Buffer> {
  if (!isStream(input)) return thumbnail(input.file).toBuffer();
  const t = thumbnail();
  input.on('error', (err) => t.destroy(err));
  input.pipe(t);
  return t.toBuffer();
}

/** The first page of a PDF: piped in (copied to a temp file for pdftoppm), or read by pdftoppm from `input.file`. */
async function pdfFirstPage(input: PreviewInput): Promise<Buffer> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'parley-preview-'));
  try {
    const file = isStream(input) ? path.join(dir, 'in.pdf') : path.resolve(input.file);
    if (isStream(input)) await pipeline(input, fs.createWriteStream(file));
    const out = path.join(dir, 'page');
    await promisify(execFile)(
      'pdftoppm',
      ['-f', '1', '-l', '1', '-singlefile', '-png', '-scale-to', String(PDF_RENDER_BOX), file, out],
      { timeout: PDF_TIMEOUT_MS, killSignal: 'SIGKILL' },
    );
    return await image({ file: `${out}.png` });
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

function render(kind: string, input: PreviewInput): Promise<Buffer> {
  if (kind === 'image') return image(input);
  if (kind === 'pdf') return pdfFirstPage(input);
  return Promise.reject(new Error(`unknown preview kind ${kind}`));
}

const lastLine = (err: unknown) =>
  String((err as Error)?.message ?? err)
    .trim()
    .split('\n')
    .pop();

function answer(bytes: Buffer) {
  process.stdout.write(frame(FRAME.webp, bytes));
  process.stdout.write(frame(FRAME.done, { rss: process.memoryUsage.rss() }));
}

/** Writes the job's answer: its WebP, or why there is none. */
async function settle(result: Promise<Buffer>) {
  try {
    answer(await result);
  } catch (err) {
    process.stdout.write(frame(FRAME.failed, { error: lastLine(err), rss: process.memoryUsage.rss() }));
  }
}

/** The job being received: its input, and the render that reads it. */
let job: { input: PassThrough; result: Promise<Buffer>; settled: Promise<unknown> } | undefined;
const parser = new FrameParser();

for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
  for (const f of parser.push(chunk)) {
    if (f.type === FRAME.job) {
      const { kind, file } = JSON.parse(f.payload.toString()) as { kind: string; file?: string };
      if (typeof file === 'string') {
        // The input is a file of the server's store, read here: no 'D'/'E' frames follow; answered at once.
        await settle(render(kind, { file }));
        continue;
      }
      const input = new PassThrough({ highWaterMark: 256 * 1024 });
      const result = render(kind, input);
      // A render that fails early (a bad header) reads no more: the rest of its input is dropped until 'E'.
      job = { input, result, settled: result.catch(() => input.destroy()) };
    } else if (f.type === FRAME.data && job) {
      if (job.input.destroyed) continue;
      if (!job.input.write(f.payload)) await Promise.race([once(job.input, 'drain').catch(() => {}), job.settled]);
    } else if (f.type === FRAME.end && job) {
      const { input, result } = job;
      job = undefined;
      if (!input.destroyed) input.end();
      await settle(result);
    } else {
      throw new Error(`preview worker: unexpected frame ${f.type}`);
    }
  }
}
// stdin ended: the pool retired this worker (or the server is gone). Exit once the last answer is written.
