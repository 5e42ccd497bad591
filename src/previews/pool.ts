// Runs the preview worker (worker.ts) in at most `concurrency` long-lived child processes, each serving one job at a
// time over its stdin/stdout (protocol.ts): the bytes stream in with backpressure, the WebP comes back (at most
// maxOutputBytes is kept). A worker serves many jobs, so Node and sharp load once per worker rather than per file;
// it is replaced after maxJobs jobs or once its RSS passes maxRssMb, and exits after idleMs without a job.
// Isolation stays as it was with a process per job: a worker that crashes, exits, runs past the timeout (killed) or
// answers too much costs the job in flight, never the server, and the next job gets a new worker. A worker that died
// with a job in flight says so (`workerDied`), so the caller's job is retried rather than lost.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { FRAME, FrameParser, frame, header, isStream, type PreviewInput } from './protocol.js';

export type PreviewKind = 'image' | 'pdf';

export interface PreviewPoolOptions {
  concurrency?: number;
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** JS heap of a worker, in MiB (the decoders' own memory is bounded by the pixel limit). */
  heapMb?: number;
  /** A worker is replaced after this many jobs… */
  maxJobs?: number;
  /** …or when its RSS after a job is over this many MiB (libvips' and malloc's memory does not always come back). */
  maxRssMb?: number;
  /** A worker with no job for this long exits (an idle server keeps no worker). */
  idleMs?: number;
  /**
   * Niceness of the worker processes (0–19; the decoders they run inherit it): previews are background work, so on a
   * busy node uploads and messages get the CPU first. 0 leaves them at the server's priority.
   */
  nice?: number;
  /** The program to run instead of worker.ts (tests prove what a dying worker does to the server). */
  command?: () => { file: string; args: string[] };
}

export interface PreviewResult {
  webp?: Buffer;
  /** Why there is no preview: the worker's reason, its exit code or signal, a timeout, or an answer too large. */
  failure?: string;
  /** The worker died (crash, exit, timeout) with this job in flight: worth another attempt, not a verdict on it. */
  workerDied?: boolean;
}

export interface PreviewPool {
  /**
   * A preview of `source`: a stream the pool pipes to a worker, or a local file the worker reads itself (the bytes
   * then never pass through this process: no read, no pipe write on the server's event loop).
   */
  render(kind: PreviewKind, source: PreviewInput): Promise<PreviewResult>;
  /** Jobs being rendered now (tests and metrics). */
  readonly running: number;
  /** Worker processes alive now, busy, idle or exiting: never more than `concurrency`. */
  readonly workers: number;
  /** Their process ids (tests). */
  readonly pids: number[];
  /** The workers' RSS as each last reported it after a job, summed (metrics). */
  readonly rssBytes: number;
  /** Workers ended so far: died (crash, kill, timeout), recycled (jobs or RSS), idle (exited unused). */
  readonly ended: Readonly<Record<'died' | 'recycled' | 'idle', number>>;
  /** Ends every worker (jobs waiting for one get a failure). */
  close(): Promise<void>;
}

interface Job {
  resolve: (r: PreviewResult) => void;
  /** The input piped to the worker; none when the worker reads a file itself. */
  source?: Readable;
  chunks: Buffer[];
  size: number;
  /** Bytes on stdout during this job, frames and all: counted before parsing, so a flood is cut early. */
  raw: number;
  timer: NodeJS.Timeout;
  failure?: string;
  workerDied?: boolean;
}

interface Worker {
  child: ChildProcess;
  parser: FrameParser;
  jobs: number;
  busy: boolean;
  /** Retired or killed: takes no job, and still counts until its process has gone. */
  leaving: boolean;
  job?: Job;
  idleTimer?: NodeJS.Timeout;
  stderr: string;
  gone: Promise<void>;
  /** RSS the worker reported after its last job. */
  rss: number;
  /** Why it is leaving, once it is. */
  reason?: 'died' | 'recycled' | 'idle';
}

function workerCommand(heapMb: number) {
  const self = fileURLToPath(import.meta.url);
  const worker = self.replace(/pool\.(ts|js)$/, 'worker.$1');
  // Under tsx (tests, development) the worker is TypeScript too; compiled, it is plain JavaScript.
  const loader = worker.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return () => ({ file: process.execPath, args: [`--max-old-space-size=${heapMb}`, ...loader, worker] });
}

/** Frames other than the WebP's bytes are small; anything past this on stdout is a runaway worker. */
const FRAMING_SLACK = 4096;

export function createPreviewPool(o: PreviewPoolOptions = {}): PreviewPool {
  const concurrency = o.concurrency ?? 1;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const maxOutputBytes = o.maxOutputBytes ?? 2 * 1024 * 1024;
  const maxJobs = o.maxJobs ?? 200;
  const maxRss = (o.maxRssMb ?? 256) * 1024 * 1024;
  const idleMs = o.idleMs ?? 30_000;
  const nice = o.nice ?? 0;
  const command = o.command ?? workerCommand(o.heapMb ?? 96);
  const workers: Worker[] = [];
  const waiting: ((w: Worker | undefined) => void)[] = [];
  let running = 0;
  let closed = false;
  const ended = { died: 0, recycled: 0, idle: 0 };

  /** A busy worker keeps the process alive; an idle one does not (a CLI or test may end while it idles). */
  function hold(w: Worker, on: boolean) {
    for (const s of [w.child.stdin, w.child.stdout, w.child.stderr] as (Socket | null)[]) {
      if (on) s?.ref?.();
      else s?.unref?.();
    }
    if (on) w.child.ref();
    else w.child.unref();
  }

  function start(): Worker {
    const { file, args } = command();
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    });
    if (nice > 0 && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, Math.min(19, os.getPriority() + nice));
      } catch {
        // Gone already, or not permitted: it runs at our priority.
      }
    }
    let gone!: () => void;
    const w: Worker = {
      child,
      parser: new FrameParser(),
      jobs: 0,
      busy: false,
      leaving: false,
      stderr: '',
      rss: 0,
      gone: new Promise<void>((resolve) => (gone = resolve)),
    };
    workers.push(w);
    // A worker that dies early stops reading: what we still write is dropped, not an error of ours.
    child.stdin!.on('error', () => {});
    child.stdout!.on('data', (d: Buffer) => answer(w, d));
    child.stderr!.on('data', (d: Buffer) => {
      w.stderr = (w.stderr + d.toString()).slice(-500);
    });
    let over = false;
    const end = (why: string) => {
      if (over) return;
      over = true;
      clearTimeout(w.idleTimer);
      workers.splice(workers.indexOf(w), 1);
      ended[w.reason ?? 'died']++;
      const job = w.job;
      if (job) {
        const last = w.stderr.trim().split('\n').pop();
        finish(w, { failure: job.failure ?? `${why}${last ? `: ${last}` : ''}`, workerDied: job.workerDied ?? true });
      }
      gone();
      dispatch();
    };
    child.on('error', (err) => end(`could not start the worker: ${err.message}`));
    child.on('close', (code, signal) => end(signal ? `killed by ${signal}` : `exit ${code}`));
    return w;
  }

  function kill(w: Worker, failure: string, workerDied: boolean) {
    if (w.job && !w.job.failure) Object.assign(w.job, { failure, workerDied });
    w.leaving = true;
    w.reason ??= 'died';
    w.child.kill('SIGKILL');
  }

  /** No more jobs for this worker: its stdin ends and it exits (killed if it has not within 5 s). */
  function retire(w: Worker, reason: 'recycled' | 'idle') {
    if (w.leaving) return;
    w.leaving = true;
    w.reason = reason;
    clearTimeout(w.idleTimer);
    w.child.stdin!.end();
    setTimeout(() => w.child.kill('SIGKILL'), 5000).unref();
  }

  function answer(w: Worker, d: Buffer) {
    if (w.leaving && !w.job) return;
    const job = w.job;
    if (!job) return kill(w, 'answered without a job', false);
    if (job.failure) return; // killed: what is still in the pipe does not count
    job.raw += d.length;
    if (job.raw > maxOutputBytes + FRAMING_SLACK) return kill(w, `answered more than ${maxOutputBytes} bytes`, false);
    for (const f of w.parser.push(d)) {
      if (f.type === FRAME.webp) {
        job.size += f.payload.length;
        if (job.size > maxOutputBytes) return kill(w, `answered more than ${maxOutputBytes} bytes`, false);
        job.chunks.push(f.payload);
      } else if (f.type === FRAME.done || f.type === FRAME.failed) {
        let said: { rss?: number; error?: string };
        try {
          said = JSON.parse(f.payload.toString());
        } catch {
          return kill(w, `broke the protocol (frame ${f.type})`, false);
        }
        w.jobs++;
        w.rss = said.rss ?? 0;
        const webp = job.size > 0 ? Buffer.concat(job.chunks) : undefined;
        if (f.type === FRAME.failed) finish(w, { failure: `could not render: ${said.error ?? 'no reason given'}` });
        else finish(w, webp ? { webp } : { failure: 'answered an empty preview' });
        if (w.jobs >= maxJobs || w.rss > maxRss) retire(w, 'recycled');
        else {
          hold(w, false);
          w.idleTimer = setTimeout(() => retire(w, 'idle'), idleMs).unref();
        }
        dispatch();
        return;
      } else return kill(w, `broke the protocol (frame ${f.type})`, false);
    }
  }

  function finish(w: Worker, result: PreviewResult) {
    const job = w.job;
    if (!job) return;
    w.job = undefined;
    w.busy = false;
    clearTimeout(job.timer);
    job.source?.destroy();
    job.resolve(result);
  }

  async function pump(w: Worker, job: Job, source: Readable) {
    const stdin = w.child.stdin!;
    const current = () => w.job === job && !w.leaving;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (!current()) return;
        stdin.write(header(FRAME.data, chunk.length));
        if (!stdin.write(chunk)) await Promise.race([once(stdin, 'drain').catch(() => {}), w.gone]);
      }
      if (current()) stdin.write(frame(FRAME.end));
    } catch (err) {
      if (current()) kill(w, `source: ${(err as Error).message}`, false);
    }
  }

  /** Hands free (or new, within `concurrency`) workers to the jobs waiting, oldest first. */
  function dispatch() {
    while (waiting.length) {
      if (closed) {
        waiting.shift()!(undefined);
        continue;
      }
      let w = workers.find((x) => !x.busy && !x.leaving);
      if (!w && workers.length < concurrency) w = start();
      if (!w) return;
      w.busy = true;
      clearTimeout(w.idleTimer);
      waiting.shift()!(w);
    }
  }

  function run(w: Worker, kind: PreviewKind, input: PreviewInput): Promise<PreviewResult> {
    return new Promise<PreviewResult>((resolve) => {
      const timer = setTimeout(() => kill(w, `timed out after ${timeoutMs} ms`, true), timeoutMs);
      const job: Job = { resolve, chunks: [], size: 0, raw: 0, timer };
      w.job = job;
      hold(w, true);
      if (!isStream(input)) {
        w.child.stdin!.write(frame(FRAME.job, { kind, file: input.file }));
        return;
      }
      job.source = input;
      input.on('error', () => {}); // reported by pump
      w.child.stdin!.write(frame(FRAME.job, { kind }));
      void pump(w, job, input);
    });
  }

  return {
    async render(kind, source) {
      const w = await new Promise<Worker | undefined>((resolve) => {
        waiting.push(resolve);
        dispatch();
      });
      if (!w) {
        if (isStream(source)) source.destroy();
        return { failure: 'the preview pool is closed' };
      }
      running++;
      try {
        return await run(w, kind, source);
      } finally {
        running--;
      }
    },
    get running() {
      return running;
    },
    get workers() {
      return workers.length;
    },
    get rssBytes() {
      return workers.reduce((sum, w) => sum + w.rss, 0);
    },
    ended,
    get pids() {
      return workers.map((w) => w.child.pid).filter((p): p is number => p !== undefined);
    },
    async close() {
      closed = true;
      dispatch();
      const all = [...workers];
      for (const w of all) {
        if (w.job) kill(w, 'the preview pool closed', true);
        else retire(w, 'idle');
      }
      await Promise.all(all.map((w) => w.gone));
    },
  };
}
