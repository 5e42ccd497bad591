// The preview pool with real child processes: long-lived workers turn images and PDFs into WebP, many jobs each; a
// worker that crashes, hangs or floods its output costs only the job in flight (which is told the worker died, so
// it can be retried), and the pool goes on serving the next one with a new worker. Workers are recycled after a
// number of jobs or past an RSS limit, and exit when idle.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createPreviewPool, type PreviewPool } from '../../src/previews/pool.js';
import { eventually } from '../support/eventually.js';
import { jpegWithGps, pdfWithPage, png } from '../support/fixtures.js';

const node = (script: string) => () => ({ file: process.execPath, args: ['-e', script] });
const pools: PreviewPool[] = [];
const pool = (o: Parameters<typeof createPreviewPool>[0] = {}) => {
  const p = createPreviewPool(o);
  pools.push(p);
  return p;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('preview pool', () => {
  it('renders images and the first page of PDFs in one long-lived worker, without the photo metadata', async () => {
    const p = pool();
    const image = await p.render('image', Readable.from([await jpegWithGps()]));
    expect(image.failure).toBeUndefined();
    const meta = await sharp(image.webp!).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    const [pid] = p.pids;
    expect(p.rssBytes).toBeGreaterThan(1024 * 1024); // reported by the worker after the job
    const page = await p.render('pdf', Readable.from([pdfWithPage()]));
    expect(page.failure).toBeUndefined();
    expect((await sharp(page.webp!).metadata()).format).toBe('webp');
    for (let i = 0; i < 3; i++) {
      const again = await p.render('image', Readable.from([await png(64 + i, 48)]));
      expect((await sharp(again.webp!).metadata()).width).toBe(64 + i);
    }
    // The same process served all five.
    expect(p.pids).toEqual([pid]);
    expect(p.workers).toBe(1);
  });

  it('renders from a local file the worker reads itself (images, PDFs), and says when it is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pool-file-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.png'), await png(40, 30));
      fs.writeFileSync(path.join(dir, 'b.pdf'), pdfWithPage());
      const p = pool();
      const image = await p.render('image', { file: path.join(dir, 'a.png') });
      expect(image.failure).toBeUndefined();
      expect((await sharp(image.webp!).metadata()).width).toBe(40);
      const page = await p.render('pdf', { file: path.join(dir, 'b.pdf') });
      expect(page.failure).toBeUndefined();
      expect((await sharp(page.webp!).metadata()).format).toBe('webp');
      const gone = await p.render('image', { file: path.join(dir, 'missing.png') });
      expect(gone.webp).toBeUndefined();
      expect(gone.failure).toMatch(/could not render/);
      expect(gone.workerDied).toBeFalsy();
      // The same worker went on: a file job ends with its answer, with no input frames to wait for.
      expect((await p.render('image', Readable.from([await png(8, 8)]))).failure).toBeUndefined();
      expect(p.workers).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs its workers `nice` steps below our priority (background work), and at ours with 0', async () => {
    for (const nice of [0, 4]) {
      const p = pool({ nice });
      const done = await p.render('image', Readable.from([await png(32, 32)]));
      expect(done.failure).toBeUndefined();
      expect(os.getPriority(p.pids[0]!)).toBe(Math.min(19, os.getPriority() + nice));
    }
  });

  it('survives a worker that crashes (SIGSEGV) with a job in flight, and serves the next preview', async () => {
    const p = pool();
    await p.render('image', Readable.from([await png(10, 10)]));
    const [first] = p.pids;
    // A job whose input is still arriving is in flight in that worker when it crashes.
    const input = new PassThrough();
    input.write(Buffer.alloc(1000, 1));
    const pending = p.render('image', input);
    await eventually(() => expect(p.running).toBe(1));
    process.kill(first!, 'SIGSEGV');
    const r = await pending;
    expect(r.webp).toBeUndefined();
    expect(r.failure).toBe('killed by SIGSEGV');
    expect(r.workerDied).toBe(true);
    expect(p.running).toBe(0);
    // This process is alive and a new worker of the same pool serves the next preview.
    const next = await p.render('image', Readable.from([await jpegWithGps()]));
    expect(next.webp).toBeDefined();
    expect(p.pids).not.toContain(first);
    expect(p.ended).toEqual({ died: 1, recycled: 0, idle: 0 });
    // A worker that crashes as it starts fails its job the same way.
    const crashing = pool({ command: node("process.kill(process.pid, 'SIGSEGV')") });
    const c = await crashing.render('image', Readable.from([Buffer.alloc(1 << 20, 1)]));
    expect(c).toEqual({ failure: 'killed by SIGSEGV', workerDied: true });
    expect(crashing.running).toBe(0);
  });

  it('kills a worker that hangs (and replaces it), one that answers too much, and one that garbles', async () => {
    const hang = pool({ timeoutMs: 500, command: node('setInterval(() => {}, 1000)') });
    const pids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const pending = hang.render('pdf', Readable.from([Buffer.from('%PDF-1.4')]));
      await eventually(() => expect(hang.pids).toHaveLength(1));
      pids.push(hang.pids[0]!);
      expect(await pending).toEqual({ failure: 'timed out after 500 ms', workerDied: true });
    }
    expect(pids[1]).not.toBe(pids[0]);
    expect(alive(pids[0]!)).toBe(false);
    const flood = pool({
      maxOutputBytes: 1000,
      command: node('process.stdout.write(Buffer.alloc(1 << 20)); setInterval(() => {}, 1000)'),
    });
    const r = await flood.render('image', Readable.from([Buffer.from('x')]));
    expect(r.failure).toBe('answered more than 1000 bytes');
    expect(r.workerDied).toBeFalsy(); // a verdict on this file, not bad luck: no retry
    await eventually(() => expect(flood.workers).toBe(0));
    // An answer that is not the protocol (here a "done" frame whose body is not JSON) is cut off the same way.
    const garbled = pool({
      command: node(
        "process.stdin.once('data', () => process.stdout.write(Buffer.from([0x4b, 0, 0, 0, 3, 0x7b, 0x7b, 0x7b])));" +
          ' setInterval(() => {}, 1000)',
      ),
    });
    const g = await garbled.render('image', Readable.from([Buffer.from('x')]));
    expect(g.failure).toBe(`broke the protocol (frame ${0x4b})`);
    expect(g.workerDied).toBeFalsy();
  });

  it('reports a file the worker cannot read with its reason, and the worker goes on', async () => {
    const p = pool();
    const r = await p.render('pdf', Readable.from([Buffer.from('%PDF-1.4\nnot really a pdf\n')]));
    expect(r.webp).toBeUndefined();
    expect(r.failure).toMatch(/^could not render: \S/);
    expect(r.workerDied).toBeFalsy();
    const [pid] = p.pids;
    const bad = await p.render('image', Readable.from([Buffer.from('GIF89a and nothing else')]));
    expect(bad.failure).toMatch(/^could not render: \S/);
    const good = await p.render('image', Readable.from([await png(20, 20)]));
    expect(good.webp).toBeDefined();
    expect(p.pids).toEqual([pid]);
  });

  it('runs at most `concurrency` workers at once', async () => {
    const slow = pool({ concurrency: 1, command: node('setTimeout(() => {}, 300)') });
    const seen: number[] = [];
    const jobs = [1, 2, 3].map(() => slow.render('image', Readable.from([Buffer.from('x')])));
    const probe = setInterval(() => seen.push(slow.running, slow.workers), 20);
    await Promise.all(jobs);
    clearInterval(probe);
    expect(Math.max(...seen)).toBe(1);
    // Real workers: six jobs on two workers, never a third process.
    const two = pool({ concurrency: 2 });
    const counts: number[] = [];
    const used = new Set<number>();
    const sample = setInterval(() => {
      counts.push(two.workers);
      for (const pid of two.pids) used.add(pid);
    }, 10);
    const images = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (i) => two.render('image', Readable.from([await png(30 + i, 30)]))),
    );
    clearInterval(sample);
    expect(images.every((r) => r.webp)).toBe(true);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    expect(used.size).toBeLessThanOrEqual(2);
  });

  it('recycles a worker after maxJobs jobs, and one whose RSS is over the limit', async () => {
    const p = pool({ maxJobs: 2 });
    const pidOf = async () => {
      expect((await p.render('image', Readable.from([await png(16, 16)]))).webp).toBeDefined();
      return p.pids[0];
    };
    const a = await pidOf();
    await eventually(() => expect(p.pids).toEqual([a]));
    await pidOf();
    // Two jobs done: that worker leaves, and the third job gets a new one.
    await eventually(() => expect(alive(a!)).toBe(false));
    const c = await pidOf();
    expect(c).not.toBe(a);
    expect(p.ended.recycled).toBe(1);

    const small = pool({ maxRssMb: 1 }); // any Node process is over 1 MiB: retired after every job
    expect((await small.render('image', Readable.from([await png(16, 16)]))).webp).toBeDefined();
    const [first] = small.pids;
    await eventually(() => expect(small.workers).toBe(0));
    expect(alive(first!)).toBe(false);
    expect(small.ended).toEqual({ died: 0, recycled: 1, idle: 0 });
    expect((await small.render('image', Readable.from([await png(16, 16)]))).webp).toBeDefined();
  });

  it('lets an idle worker exit, and starts one again when a job comes', async () => {
    const p = pool({ idleMs: 200 });
    expect((await p.render('image', Readable.from([await png(16, 16)]))).webp).toBeDefined();
    const [pid] = p.pids;
    await eventually(() => expect(p.workers).toBe(0));
    expect(alive(pid!)).toBe(false);
    expect(p.ended).toEqual({ died: 0, recycled: 0, idle: 1 });
    expect((await p.render('image', Readable.from([await png(16, 16)]))).webp).toBeDefined();
    expect(p.workers).toBe(1);
  });
});
