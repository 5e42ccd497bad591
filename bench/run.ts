// `npm run bench`: upload throughput, server memory and latency of Parley's visitor upload route on the embedded
// default, each beside a baseline measured in the same run (a bare Node http → fs.createWriteStream sink).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { atLeast, type Delay, type Goal, printGoals, stallMs, stallVerdict, worstDelay } from './goals.js';
import { heapGrowth, PER_UPLOAD_CLASSES } from './heap-diff.js';
import { EVENT_LOOP_RESOLUTION_MS } from '../src/metrics/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;
const sizes = (process.env.BENCH_SIZES ?? '1,100,1024')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_UPLOADS = Number(process.env.BENCH_ROUND_UPLOADS ?? 500);
/** Heap snapshots after round 1 and after the last round, diffed by constructor (BENCH_HEAP=0: off). */
const HEAP = process.env.BENCH_HEAP !== '0' && ROUNDS >= 2;
// Idle RSS is read this long after a round's jobs drained: the server gives a burst's memory back after ~10 s idle.
const IDLE_WAIT_MS = 15_000;
/**
 * The server's per-node upload cap (PARLEY_MAX_CONCURRENT_UPLOADS, default 200) is raised to a round's uploads, so
 * that a round is ROUND_UPLOADS uploads at once as the issue describes; the client also retries 503/429 after their
 * Retry-After, as the widget does, and reports how often it had to.
 */
const MAX_CONCURRENT = Number(process.env.BENCH_MAX_CONCURRENT_UPLOADS ?? Math.max(200, ROUND_UPLOADS, CONCURRENT));
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const TUS_MB = Number(process.env.BENCH_TUS_MB ?? 1024);
/** Untimed 1 MiB uploads to Parley and to the sink before the timed ones (BENCH_WARMUP=0: a cold start measured). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
/** Then one untimed large upload to each (BENCH_WARMUP=0 skips it too). */
const WARMUP_LARGE_MB = 100;
/** The PATCH size of the tus run (the widget's default, 8 MiB, unless BENCH_TUS_CHUNK_MB says otherwise). */
const TUS_CHUNK = Number(process.env.BENCH_TUS_CHUNK_MB ?? 8) * MiB;
/**
 * The tus upload again after the server sat idle this long (0: not measured): an idle server collects its heap
 * (V8's memory reducer, then Parley's idle collector), and the next large upload starts from that state.
 */
const TUS_IDLE_S = Number(process.env.BENCH_TUS_IDLE_S ?? 45);

/** The server's /metrics, read once: a gauge's value by name (NaN when absent). */
async function scrapeMetrics(base: string): Promise<(name: string) => number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const literal = (name: string) => name.replace(/[{}"\\]/g, '\\$&');
  return (name) => Number(text.match(new RegExp(`^${literal(name)} (\\S+)`, 'm'))?.[1] ?? Number.NaN);
}

/** Waits (up to 3 min) until the server has no job due or preview running; resolves with the seconds waited. */
async function drained(base: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const m = await scrapeMetrics(base);
    if (m('parley_queue_oldest_due_age_seconds{queue="jobs"}') === 0 && m('parley_preview_jobs_running') === 0) break;
    if (Date.now() - started > 180_000) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return (Date.now() - started) / 1000;
}

/**
 * The server's event-loop delay since the previous call (prom-client's monitor is reset by each scrape): p99 and
 * max in ms beyond the monitor's interval. Its figures are the time between its timer's callbacks, which includes
 * the interval itself (an idle loop reads ~20 ms): that interval is taken off. Call once before a phase to start its
 * window.
 */
async function loopDelay(base: string): Promise<Delay> {
  const seconds = await scrapeMetrics(base);
  const beyond = (name: string) => stallMs(seconds(name), EVENT_LOOP_RESOLUTION_MS);
  return { p99: beyond('nodejs_eventloop_lag_p99_seconds'), max: beyond('nodejs_eventloop_lag_max_seconds') };
}
/** Where an idle server's memory is: V8's heap (used of committed), memory outside it, anonymous and file pages. */
async function memoryText(base: string, pid: number): Promise<string> {
  const bytes = await scrapeMetrics(base);
  return (
    `V8 heap ${mb(bytes('nodejs_heap_size_used_bytes'))} of ${mb(bytes('nodejs_heap_size_total_bytes'))} MiB, ` +
    `external ${mb(bytes('nodejs_external_memory_bytes'))} MiB, anonymous ${mb(statusBytes(pid, 'RssAnon'))} MiB, ` +
    `file ${mb(statusBytes(pid, 'RssFile'))} MiB`
  );
}
const delayText = (d: Delay) =>
  `event-loop delay p99 ${d.p99.toFixed(0)} ms, max ${d.max.toFixed(0)} ms (goal: no stall over ~5 ms)`;

/** Every process on the machine with its parent's pid, from `/proc/<pid>/stat`. */
function parentPids(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parentOf.set(Number(entry), Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parentOf;
}

/** The processes whose parent is `pid` (the server's preview workers, long-lived since issue 18's fourth session). */
function childrenOf(pid: number): number[] {
  return [...parentPids()].filter(([, parent]) => parent === pid).map(([child]) => child);
}

/** CPU time (ns) every thread of `pids` and of their descendants has run so far (previews: workers and their tools). */
function treeCpuNs(pids: number[]): number {
  const parentOf = parentPids();
  const inTree = (p: number): boolean => {
    for (let at: number | undefined = p; at !== undefined && at > 1; at = parentOf.get(at))
      if (pids.includes(at)) return true;
    return false;
  };
  let ns = 0;
  for (const p of parentOf.keys()) {
    if (!inTree(p)) continue;
    try {
      for (const t of fs.readdirSync(`/proc/${p}/task`))
        ns += Number(fs.readFileSync(`/proc/${p}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // exited meanwhile
    }
  }
  return ns;
}

/**
 * Waits until `pids` and what they started are quiet: under 2.5 % of a core over `windowMs`, or `maxMs` have passed;
 * resolves with the ms waited. Before each timed turn (50 ms windows): both servers quiet, so a 1 MiB PDF's preview
 * (~15 ms of CPU, made after the answer) no longer falls in the sink's next turn and slows the baseline instead of
 * Parley (the 1 MiB ratio read 0.56–0.73 with it there, 0.45–0.53 without; issue 18, twenty-fourth session).
 */
async function settled(pids: number[], windowMs = 50, maxMs = 10_000): Promise<number> {
  const started = Date.now();
  let before = treeCpuNs(pids);
  while (Date.now() - started < maxMs) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = treeCpuNs(pids);
    // Less than before: a process of the tree exited meanwhile, its work just done; one more window tells.
    if (now >= before && now - before < windowMs * 25_000) break;
    before = now;
  }
  return Date.now() - started;
}

/** CPU time (user + system, ms) of a process, and of its children (the preview workers): exited and still running. */
function cpuOf(pid: number): { self: number; children: number; user: number; system: number } {
  const tick = 10; // USER_HZ = 100 on Linux
  const stat = (p: number) => fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const fields = stat(pid);
  let live = 0;
  for (const child of childrenOf(pid)) {
    try {
      const f = stat(child);
      live += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // exited between the listing and the read: counted in the parent's children figure once reaped
    }
  }
  return {
    self: (Number(fields[11]) + Number(fields[12])) * tick,
    user: Number(fields[11]) * tick,
    system: Number(fields[12]) * tick,
    children: (Number(fields[13]) + Number(fields[14]) + live) * tick,
  };
}
const cpuSince = (pid: number, before: ReturnType<typeof cpuOf>, n: number) => {
  const now = cpuOf(pid);
  return {
    self: (now.self - before.self) / n,
    user: (now.user - before.user) / n,
    system: (now.system - before.system) / n,
    children: (now.children - before.children) / n,
  };
};

const rssOrZero = (pid: number) => {
  try {
    return rssOf(pid);
  } catch {
    return 0;
  }
};

/** A size line of /proc/<pid>/status (VmRSS, RssAnon, RssFile…), in bytes. */
function statusBytes(pid: number, field: string): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]) * 1024;
}
function rssOf(pid: number): number {
  return statusBytes(pid, 'VmRSS');
}

async function startChild(
  cmd: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(cmd[0]!, cmd.slice(1), {
    cwd: root,
    // One server process unless asked (with DATABASE_URL and REDIS_URL Parley would start one per core).
    env: { PARLEY_WORKERS: '1', ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = out.match(ready);
      if (m) resolve(m);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
  });
  // From here on the child's output is drained, not kept: matching a growing string of every request's log line cost
  // this (client) process CPU that the server, on the same cores, then lacked.
  child.stdout!.removeAllListeners('data');
  // BENCH_SERVER_LOG=<file>: the child's log lines go there (request lines with their statement counts).
  if (process.env.BENCH_SERVER_LOG) child.stdout!.pipe(fs.createWriteStream(process.env.BENCH_SERVER_LOG));
  else child.stdout!.resume();
  child.stderr!.removeAllListeners('data');
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  return { child, match };
}

/**
 * uploadOnce, retried as the widget does when the node is busy: a 503 (per-node cap) or 429 (per-visitor cap) is
 * retried after its Retry-After. Resolves with the whole time (waits included) and the number of retries.
 */
async function uploadRetrying(port: number, urlPath: string, size: number, headers: Record<string, string>) {
  const started = process.hrtime.bigint();
  let retries = 0;
  for (;;) {
    const r = await uploadOnce(port, urlPath, size, headers);
    if ((r.status !== 503 && r.status !== 429 && r.status !== 0) || retries >= 20) {
      return { ...r, ms: Number(process.hrtime.bigint() - started) / 1e6, retries };
    }
    retries += 1;
    await new Promise((resolve) => setTimeout(resolve, (r.retryAfter ?? 1) * 1000));
  }
}

/** Streams `size` bytes of a PDF-looking body as one multipart file part; never holds the file in memory. */
function uploadOnce(
  port: number,
  urlPath: string,
  size: number,
  headers: Record<string, string>,
): Promise<{ ms: number; status: number; retryAfter?: number }> {
  const boundary = `bench${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  // Made once per length (the client's allocation is not the server's time) and never changed once made.
  const headChunk = fileBytes(0, Math.min(size, MiB));
  const chunk = fileBytes(MiB, Math.min(size, MiB));
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: urlPath,
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          status: res.statusCode!,
          retryAfter: res.headers['retry-after'] ? Number(res.headers['retry-after']) : undefined,
        }),
      );
    });
    // A refused upload (503/429 before the body is read) closes the connection: the answer has usually come first.
    // Lost without an answer: status 0, which uploadRetrying retries.
    let answered = false;
    req.on('response', () => {
      answered = true;
    });
    req.on('error', () => {
      if (!answered) resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, status: 0 });
    });
    req.write(head);
    let sent = 0;
    let first = true;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        const piece = (first ? headChunk : chunk).subarray(0, n);
        first = false;
        sent += n;
        if (!req.write(piece)) return req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

/** Bodies (PATCHes, multipart chunks) made so far, by length and by whether they hold the file's head. */
const madeBodies = new Map<string, Buffer>();
/**
 * `n` bytes of the benchmark file starting at `offset`: a PDF header, then spaces (never held whole). Made once per
 * length and reused, never changed: the client making 8 MiB afresh for every PATCH (2.2 ms each here, while the
 * server waited for the next PATCH) was counted as the server's time.
 */
function fileBytes(offset: number, n: number): Buffer {
  const key = `${offset === 0 ? 'head' : 'rest'} ${n}`;
  let b = madeBodies.get(key);
  if (!b) {
    b = Buffer.alloc(n, 0x20);
    if (offset === 0) Buffer.from('%PDF-1.4\n').copy(b);
    madeBodies.set(key, b);
  }
  return b;
}

/** One tus request; `cutAfter` bytes of the body are sent and then the connection is lost (no answer). */
function tusRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
  cutAfter?: number,
): Promise<{ status?: number; headers: http.IncomingHttpHeaders; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      headers: { 'tus-resumable': '1.0.0', ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, sent: body?.length ?? 0 }));
    });
    if (cutAfter !== undefined && body) {
      req.on('error', () => resolve({ headers: {}, sent: cutAfter }));
      req.write(body.subarray(0, cutAfter), () => req.destroy());
      return;
    }
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A resumable upload of `size` bytes in 8 MiB PATCHes; with `cut`, the PATCH that crosses half way loses its
 * connection half way through its body and the client resumes from the server's offset (HEAD), as tus-js-client does.
 * Resolves with the time and the bytes sent in all (re-sent = sent − size).
 */
async function tusOnce(base: string, token: string, size: number, cut: boolean) {
  const auth = { authorization: `Bearer ${token}` };
  const started = process.hrtime.bigint();
  const meta = `filename ${Buffer.from('bench.pdf').toString('base64')}`;
  const created = await tusRequest(`${base}/api/uploads/`, 'POST', {
    ...auth,
    'upload-length': String(size),
    'upload-metadata': meta,
  });
  if (created.status !== 201) throw new Error(`tus creation answered ${created.status}`);
  const url = new URL(String(created.headers.location), base).toString();
  let offset = 0;
  let sent = 0;
  let cutDone = !cut;
  let lastMs = 0;
  while (offset < size) {
    const n = Math.min(TUS_CHUNK, size - offset);
    const body = fileBytes(offset, n);
    const patchHeaders = {
      ...auth,
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    };
    if (!cutDone && offset + n > size / 2) {
      cutDone = true;
      const lost = await tusRequest(url, 'PATCH', patchHeaders, body, Math.floor(n / 2));
      sent += lost.sent;
      const head = await tusRequest(url, 'HEAD', auth);
      offset = Number(head.headers['upload-offset']);
      continue;
    }
    const patchStarted = process.hrtime.bigint();
    const r = await tusRequest(url, 'PATCH', patchHeaders, body);
    lastMs = Number(process.hrtime.bigint() - patchStarted) / 1e6;
    if (r.status !== 204) throw new Error(`tus PATCH answered ${r.status}`);
    sent += n;
    offset = Number(r.headers['upload-offset']);
  }
  // 201: what measure() expects of a finished upload (the last PATCH answered 204 with the File committed).
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, lastMs, sent, status: 201 };
}

async function measure<T extends { ms: number; status: number }>(pid: number, work: () => Promise<T>) {
  const before = rssOf(pid);
  let peak = before;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      /* gone */
    }
  }, 10);
  try {
    const r = await work();
    if (r.status !== 201) throw new Error(`upload answered ${r.status}`);
    return { ...r, peakRss: peak, rssBefore: before };
  } finally {
    clearInterval(timer);
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const mb = (b: number) => (b / MiB).toFixed(1);

/** The issue's goals, each with what this run measured and its verdict, printed at the end. */
const goals: Goal[] = [];
/** Event-loop delay of each phase in which uploads ran one at a time. */
const oneAtATime: Array<[string, Delay]> = [];
const ratioGoal = (name: string, ratio: number, goal: number) =>
  goals.push([name, `${ratio.toFixed(2)}× the bare pipe`, atLeast(ratio, goal, (n) => n.toFixed(2))]);
const delayGoal = (name: string, d: Delay) =>
  goals.push([name, `p99 ${d.p99.toFixed(0)} ms, max ${d.max.toFixed(0)} ms`, stallVerdict(d)]);

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const sinkDir = path.join(work, 'sink');
  fs.mkdirSync(sinkDir);
  const sink = await startChild([process.execPath, 'bench/sink-server.mjs', sinkDir], {}, /SINK (\d+)/);
  const sinkPort = Number(sink.match[1]);
  // The compiled server, as `npm start` runs it (rebuilt first only when dist/ is stale).
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: root, stdio: 'inherit' });
  // BENCH_SERVER_NODE_ARGS: extra flags for the server's node, e.g. `--cpu-prof --cpu-prof-dir=bench/profiles`.
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const parley = await startChild(
    // BENCH_SERVER_ENTRY: another build to compare with in the same conditions (default: this checkout's dist/).
    [process.execPath, ...serverArgs, process.env.BENCH_SERVER_ENTRY ?? 'dist/main.js'],
    {
      PORT: '0',
      PARLEY_DATA_DIR: path.join(work, 'data'),
      PARLEY_ADMIN_EMAIL: 'bench@example.test',
      PARLEY_ADMIN_PASSWORD: 'bench-password',
      PARLEY_MAX_UPLOAD_MB: '2048',
      PARLEY_VISITOR_FILES_PER_MINUTE: '100000',
      PARLEY_VISITOR_MB_PER_HOUR: '1000000',
      PARLEY_VISITOR_SESSIONS_PER_IP_HOUR: '1000000',
      PARLEY_VISITOR_MESSAGES_PER_MINUTE: '1000000',
      PARLEY_VISITOR_SESSIONS_PER_WIDGET_HOUR: '1000000',
      PARLEY_METRICS_TOKEN: METRICS_TOKEN,
      PARLEY_MAX_CONCURRENT_UPLOADS: String(MAX_CONCURRENT),
      ...(HEAP ? { PARLEY_HEAP_SNAPSHOTS_DIR: path.join(work, 'heap') } : {}),
      LOG_LEVEL: 'info',
    },
    /running on http:\/\/127\.0\.0\.1:(\d+)/,
  );
  // Idle: started, owner created, nothing asked of it yet but a moment to settle (start-up's garbage and the
  // allocator's freed pages are given back after ~10 s of idle, src/memory.ts).
  await new Promise((r) => setTimeout(r, IDLE_WAIT_MS));
  const idleRss = rssOf(parley.child.pid!);
  let peakRss = idleRss;
  const port = Number(parley.match[1]);
  const base = `http://127.0.0.1:${port}`;
  /** The two servers: each timed turn waits until both (and what they started) are quiet. */
  const servers = [sink.child.pid!, parley.child.pid!];
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.test', password: 'bench-password' }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const ws = (await (await fetch(`${base}/api/workspaces`, { headers: { cookie } })).json()).workspaces[0];
  await fetch(`${base}/api/workspaces/${ws.id}/settings/file-upload`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ maxFileSizeKb: 2048 * 1024 }),
  });
  const session = async () =>
    (
      await (
        await fetch(`${base}/api/widget/${ws.widgetKey}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()
    ).visitorToken as string;
  const token = await session();

  console.log(`Parley upload benchmark — ${os.cpus().length} cores, Node ${process.version}, data on ${os.tmpdir()}`);
  // CPU: ms of CPU per MiB stored (user + system of the process; "+ n" = its preview workers, after the 201) — steadier
  // than MB/s on a shared machine, where the wall clock depends on what the other tenants run.
  console.log(
    'size      | Parley MB/s | sink MB/s | ratio | Parley peak RSS | sink peak RSS | Parley CPU ms/MiB | sink CPU ms/MiB',
  );
  console.log(
    '----------|-------------|-----------|-------|-----------------|---------------|-------------------|----------------',
  );
  const parleyUpload = (size: number) => () =>
    uploadOnce(port, '/api/widget/chat/files', size, { authorization: `Bearer ${token}` });
  const sinkUpload = (size: number) => () => uploadOnce(sinkPort, '/', size, {});
  /** The sink keeps what it is sent: its files go after each measurement (GiBs of them otherwise). */
  const clearSink = () => {
    for (const f of fs.readdirSync(sinkDir)) fs.rmSync(path.join(sinkDir, f));
  };
  // Steady state, as the pipe is measured: a server's first uploads compile its code (V8 tiers the route's functions
  // up over the first few dozen calls), a cost every long-running server pays once. WARMUP untimed 1 MiB uploads to
  // each first; the first one's time and CPU are printed so the cold cost stays visible.
  if (WARMUP > 0 && sizes.length > 0) {
    const cold = { sink: cpuOf(sink.child.pid!), parley: cpuOf(parley.child.pid!) };
    const first = { sink: await sinkUpload(MiB)(), parley: await parleyUpload(MiB)() };
    const firstCpu = {
      sink: cpuSince(sink.child.pid!, cold.sink, 1),
      parley: cpuSince(parley.child.pid!, cold.parley, 1),
    };
    for (let i = 1; i < WARMUP; i++) {
      await measure(sink.child.pid!, sinkUpload(MiB));
      await measure(parley.child.pid!, parleyUpload(MiB));
    }
    clearSink();
    console.log(
      `(${WARMUP} untimed 1 MiB uploads to each first; the first: Parley ${first.parley.ms.toFixed(0)} ms, ` +
        `${firstCpu.parley.self.toFixed(0)} ms CPU; sink ${first.sink.ms.toFixed(0)} ms, ${firstCpu.sink.self.toFixed(0)} ms CPU)`,
    );
  }
  // A process's first large upload pays once more: the hashing thread's start (off-thread-hash.ts) and the heap's
  // growth under the first MiBs of Buffers — a 100 MiB upload's CPU was 5.0–5.3 ms per MiB the first time, 2.7–3.0
  // after (the sink's 2.5 then 1.6–1.8: the disk's first large write). One untimed upload of WARMUP_LARGE_MB to each,
  // printed like the first small one.
  if (WARMUP > 0 && (sizes.some((mb) => mb * MiB >= 8 * MiB) || TUS_MB > 0)) {
    const untimed = async (pid: number, upload: () => Promise<{ ms: number; status: number }>) => {
      await settled(servers);
      const before = cpuOf(pid);
      const { ms } = await measure(pid, upload);
      return `${ms.toFixed(0)} ms, ${cpuSince(pid, before, 1).self.toFixed(0)} ms CPU`;
    };
    const sinkFirst = await untimed(sink.child.pid!, sinkUpload(WARMUP_LARGE_MB * MiB));
    clearSink();
    const parleyFirst = await untimed(parley.child.pid!, parleyUpload(WARMUP_LARGE_MB * MiB));
    console.log(`(then one untimed ${WARMUP_LARGE_MB} MiB upload to each: Parley ${parleyFirst}; sink ${sinkFirst})`);
  }
  for (const sizeMb of sizes) {
    const size = sizeMb * MiB;
    const reps = sizeMb <= 1 ? Number(process.env.BENCH_REPS ?? 40) : 1;
    // The sink and Parley take turns, one upload each, and the sink has the last turn too (sink, Parley, …, Parley,
    // sink): both meet the same moments of a shared machine, and its state. Writing GiBs changes what the next write
    // costs the kernel (the bare pipe's own system time per MiB doubled after ~3 GiB in one run), so a single large
    // upload is measured between two of the sink's, whose mean is the baseline.
    type Run = { ms: number; n: number; peak: number; cpuBefore: ReturnType<typeof cpuOf> };
    const start = (pid: number): Run => ({ ms: 0, n: 0, peak: 0, cpuBefore: cpuOf(pid) });
    const runs = { sink: start(sink.child.pid!), parley: start(parley.child.pid!) };
    const once = async (r: Run, pid: number, upload: () => Promise<{ ms: number; status: number }>) => {
      await settled(servers);
      const m = await measure(pid, upload);
      r.ms += m.ms;
      r.n++;
      r.peak = Math.max(r.peak, m.peakRss);
      if (pid === sink.child.pid) clearSink();
    };
    await loopDelay(base);
    for (let i = 0; i < reps; i++) {
      await once(runs.sink, sink.child.pid!, sinkUpload(size));
      await once(runs.parley, parley.child.pid!, parleyUpload(size));
    }
    await once(runs.sink, sink.child.pid!, sinkUpload(size));
    oneAtATime.push([`multipart ${sizeMb} MiB`, await loopDelay(base)]);
    const done = (r: Run, pid: number) => ({
      mbps: (sizeMb * r.n) / (r.ms / 1000),
      peak: r.peak,
      cpu: cpuSince(pid, r.cpuBefore, sizeMb * r.n),
    });
    const sinkRun = done(runs.sink, sink.child.pid!);
    const parleyRun = done(runs.parley, parley.child.pid!);
    peakRss = Math.max(peakRss, parleyRun.peak);
    console.log(
      `${String(sizeMb).padStart(5)} MiB | ${parleyRun.mbps.toFixed(1).padStart(11)} | ${sinkRun.mbps.toFixed(1).padStart(9)} | ${(parleyRun.mbps / sinkRun.mbps).toFixed(2).padStart(5)} | ${mb(parleyRun.peak).padStart(11)} MiB | ${mb(sinkRun.peak).padStart(9)} MiB | ${`${parleyRun.cpu.self.toFixed(1)} + ${parleyRun.cpu.children.toFixed(1)}`.padStart(17)} | ${sinkRun.cpu.self.toFixed(1).padStart(15)}`,
    );
    ratioGoal(`multipart ${sizeMb} MiB ≥ 0.9× the bare pipe`, parleyRun.mbps / sinkRun.mbps, 0.9);
  }

  if (TUS_MB > 0) {
    // Resumable uploads (issue 14): the same bytes through tus in 8 MiB PATCHes vs the bare pipe, same run — measured
    // between two of the sink's runs (the baseline is their mean: see the multipart sizes above).
    const size = TUS_MB * MiB;
    const sinkOnce = async () => {
      await settled(servers);
      const before = cpuOf(sink.child.pid!);
      const r = await measure(sink.child.pid!, sinkUpload(size));
      const cpu = cpuSince(sink.child.pid!, before, TUS_MB);
      clearSink();
      return { ...r, cpu };
    };
    const between = async <T extends { ms: number; status: number }>(work: () => Promise<T>) => {
      const first = await sinkOnce();
      await settled(servers);
      const tusCpuBefore = cpuOf(parley.child.pid!);
      const run = await measure(parley.child.pid!, work);
      const cpu = cpuSince(parley.child.pid!, tusCpuBefore, TUS_MB);
      const last = await sinkOnce();
      const sink = {
        ms: (first.ms + last.ms) / 2,
        peakRss: Math.max(first.peakRss, last.peakRss),
        cpu: (first.cpu.self + last.cpu.self) / 2,
      };
      return { run, cpu, sink };
    };
    await loopDelay(base);
    const { run: tusRun, cpu: tusCpu, sink: sinkRun } = await between(() => tusOnce(base, token, size, false));
    peakRss = Math.max(peakRss, tusRun.peakRss);
    const cutRun = await measure(parley.child.pid!, () => tusOnce(base, token, size, true));
    oneAtATime.push([`tus ${TUS_MB} MiB and its cut run`, await loopDelay(base)]);
    const mbps = (ms: number) => (TUS_MB / (ms / 1000)).toFixed(1);
    console.log(`\n${TUS_MB} MiB through tus in ${TUS_CHUNK / MiB} MiB PATCHes (the last one commits the File):`);
    console.log(
      `  bare pipe ${mbps(sinkRun.ms)} MB/s   tus ${mbps(tusRun.ms)} MB/s   ratio ${(sinkRun.ms / tusRun.ms).toFixed(2)}`,
    );
    console.log(
      `  of which the last PATCH (its bytes, then the copy into the blob store with sha256 and magic bytes, and the ` +
        `commit): ${(tusRun.lastMs / 1000).toFixed(1)} s of ${(tusRun.ms / 1000).toFixed(1)} s`,
    );
    console.log(`  peak RSS: tus ${mb(tusRun.peakRss)} MiB, sink ${mb(sinkRun.peakRss)} MiB`);
    console.log(
      `  CPU per MiB: tus ${tusCpu.self.toFixed(1)} + ${tusCpu.children.toFixed(1)} ms (preview workers), ` +
        `sink ${sinkRun.cpu.toFixed(1)} ms (tus user ${tusCpu.user.toFixed(1)}, system ${tusCpu.system.toFixed(1)})`,
    );
    ratioGoal(`tus ${TUS_MB} MiB ≥ 0.9× the bare pipe`, sinkRun.ms / tusRun.ms, 0.9);
    const resent = cutRun.sent - size;
    console.log(
      `  cut at 50 % (half a PATCH lost, resumed from HEAD): ${mbps(cutRun.ms)} MB/s, re-sent ${mb(resent)} MiB ` +
        `(goal ≤ one chunk, ${TUS_CHUNK / MiB} MiB): ${resent <= TUS_CHUNK ? 'met' : 'NOT met'}`,
    );
    if (TUS_IDLE_S > 0) {
      await new Promise((r) => setTimeout(r, TUS_IDLE_S * 1000));
      // The sink's first run of the pair comes after the idle spell: Parley has still had none of its own.
      // The window starts after the idle spell: the idle collector's collection ran in it, with nothing to serve.
      await loopDelay(base);
      const idle = await between(() => tusOnce(base, token, size, false));
      oneAtATime.push([`tus ${TUS_MB} MiB after idle`, await loopDelay(base)]);
      const idleRun = idle.run;
      const idleCpu = idle.cpu;
      console.log(
        `  after ${TUS_IDLE_S} s idle (the server collected its heap meanwhile): tus ${mbps(idleRun.ms)} MB/s, ` +
          `bare pipe ${mbps(idle.sink.ms)} MB/s, ratio ${(idle.sink.ms / idleRun.ms).toFixed(2)}, CPU per MiB ` +
          `${idleCpu.self.toFixed(1)} ms (user ${idleCpu.user.toFixed(1)}, system ${idleCpu.system.toFixed(1)}; ` +
          `sink ${idle.sink.cpu.toFixed(1)} ms)`,
      );
      ratioGoal(`tus ${TUS_MB} MiB after ${TUS_IDLE_S} s idle ≥ 0.9× the bare pipe`, idle.sink.ms / idleRun.ms, 0.9);
    }
  }

  if (oneAtATime.length > 0) {
    // Uploads one at a time leave the loop free between their own callbacks: a stall here is the upload path's own
    // synchronous work or a garbage collection's pause (or, on a shared machine, the server waiting for a core). In
    // the burst below every core is busy and the delay is the queue of all the uploads' work.
    console.log(
      `\nEvent-loop delay while uploads ran one at a time (beyond the monitor's ${EVENT_LOOP_RESOLUTION_MS} ms interval):`,
    );
    for (const [name, d] of oneAtATime)
      console.log(`  ${name.padEnd(36)} p99 ${d.p99.toFixed(1)} ms, max ${d.max.toFixed(1)} ms`);
    const worst = worstDelay(oneAtATime.map(([, d]) => d));
    delayGoal('event loop during uploads one at a time: no stall over ~5 ms', worst);
  }

  if (CONCURRENT > 0) {
    const tokens = await Promise.all(Array.from({ length: CONCURRENT }, session));
    const concurrent = async (p: number, urlPath: string, headersFor: (i: number) => Record<string, string>) => {
      const results = await Promise.all(tokens.map((_t, i) => uploadOnce(p, urlPath, MiB, headersFor(i))));
      const bad = results.filter((r) => r.status !== 201).length;
      if (bad) throw new Error(`${bad} concurrent uploads failed`);
      return results.map((r) => r.ms);
    };
    // The sink's burst before Parley's and again after it (as the sizes above): the baseline is the mean of the two.
    const sinkBurst = async () => {
      await settled(servers, 1000, 180_000);
      const before = cpuOf(sink.child.pid!);
      const lat = await concurrent(sinkPort, '/', () => ({}));
      const cpu = cpuSince(sink.child.pid!, before, CONCURRENT).self;
      clearSink();
      return { p50: pct(lat, 50), p99: pct(lat, 99), cpu };
    };
    const sinkFirst = await sinkBurst();
    await settled(servers);
    const parleyCpu = cpuOf(parley.child.pid!);
    await loopDelay(base);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssOf(parley.child.pid!));
    }, 10);
    const parleyLat = await concurrent(port, '/api/widget/chat/files', (i) => ({
      authorization: `Bearer ${tokens[i]}`,
    }));
    clearInterval(sampler);
    console.log(`\n${CONCURRENT} concurrent 1 MiB uploads (each by its own visitor):`);
    console.log(
      `  Parley  p50 ${pct(parleyLat, 50).toFixed(0)} ms   p99 ${pct(parleyLat, 99).toFixed(0)} ms   peak RSS ${mb(rssOf(parley.child.pid!))} MiB (now)`,
    );
    const parleyCpuPer = cpuSince(parley.child.pid!, parleyCpu, CONCURRENT);
    const burstDelay = await loopDelay(base);
    // The previews of the burst are made after it (a durable job each): wait for them, then count all the CPU.
    const settledMs = await settled([parley.child.pid!], 1000, 180_000);
    const afterPreviews = cpuSince(parley.child.pid!, parleyCpu, CONCURRENT);
    const sinkLast = await sinkBurst();
    const sinkP99 = (sinkFirst.p99 + sinkLast.p99) / 2;
    console.log(
      `  sink    p50 ${sinkFirst.p50.toFixed(0)} / ${sinkLast.p50.toFixed(0)} ms   p99 ${sinkFirst.p99.toFixed(0)} / ` +
        `${sinkLast.p99.toFixed(0)} ms (before / after Parley's)`,
    );
    const p99Ratio = pct(parleyLat, 99) / sinkP99;
    console.log(
      `  p99 ratio ${p99Ratio.toFixed(2)} (goal ≤ 1.5; to the mean of the sink's); CPU per upload: Parley ` +
        `${parleyCpuPer.self.toFixed(1)} ms (+ ${parleyCpuPer.children.toFixed(1)} ms preview workers), sink ` +
        `${((sinkFirst.cpu + sinkLast.cpu) / 2).toFixed(1)} ms`,
    );
    // What bounds the burst: the server's CPU for all of it (every thread: the file writes and fsyncs run on libuv's),
    // beside its p99.
    console.log(
      `  the burst's server CPU (all threads): ${CONCURRENT} × ${parleyCpuPer.self.toFixed(1)} ms = ` +
        `${((CONCURRENT * parleyCpuPer.self) / 1000).toFixed(2)} s, against its p99 of ` +
        `${(pct(parleyLat, 99) / 1000).toFixed(2)} s`,
    );
    console.log(`  Parley  ${delayText(burstDelay)}`);
    goals.push([
      `${CONCURRENT} concurrent 1 MiB uploads, p99 ≤ 1.5× the sink's`,
      `${p99Ratio.toFixed(2)}×`,
      p99Ratio <= 1.5 ? 'met' : `${(p99Ratio / 1.5).toFixed(1)}× over the goal`,
    ]);
    delayGoal(`event loop during ${CONCURRENT} concurrent uploads: no stall over ~5 ms`, burstDelay);
    peakRss = Math.max(peakRss, rssOf(parley.child.pid!));
    const workers = childrenOf(parley.child.pid!);
    console.log(
      `  with the previews made after the burst (settled ${(settledMs / 1000).toFixed(0)} s later): CPU per upload ` +
        `${afterPreviews.self.toFixed(1)} ms + ${afterPreviews.children.toFixed(1)} ms preview workers; server RSS ` +
        `${mb(rssOf(parley.child.pid!))} MiB, ${workers.length} preview worker(s) alive, RSS ` +
        `${mb(workers.reduce((sum, w) => sum + rssOrZero(w), 0))} MiB`,
    );
    console.log(
      `\nCompiled server (node dist/main.js, embedded default): idle RSS ${mb(idleRss)} MiB (target < 120 MiB),`,
    );
    goals.push([
      'idle RSS of the compiled server < 120 MiB (issue 11)',
      `${mb(idleRss)} MiB`,
      idleRss < 120 * MiB ? 'met' : `${mb(idleRss - 120 * MiB)} MiB over`,
    ]);
    console.log(`  peak RSS ${mb(peakRss)} MiB over this run (sampled during uploads and after the concurrent burst)`);
  }

  if (ROUNDS > 0) {
    // Memory creep: rounds of ROUND_UPLOADS concurrent 100 KB PDFs, each by its own visitor; idle RSS after each.
    console.log(
      `\n${ROUNDS} rounds of ${ROUND_UPLOADS} concurrent 100 KB uploads (idle RSS ${IDLE_WAIT_MS / 1000} s after its jobs drained):`,
    );
    const roundRss: number[] = [];
    const snapshots: string[] = [];
    /** SIGUSR2 → the server writes a heap snapshot (PARLEY_HEAP_SNAPSHOTS_DIR); resolves with its file once complete. */
    const heapSnapshot = async () => {
      const dir = path.join(work, 'heap');
      const seen = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
      process.kill(parley.child.pid!, 'SIGUSR2');
      for (;;) {
        await new Promise((r) => setTimeout(r, 200));
        const fresh = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter(
          (f) => f.endsWith('.heapsnapshot') && !seen.has(f),
        );
        if (fresh.length > 0) return path.join(dir, fresh[0]!);
      }
    };
    for (let round = 1; round <= ROUNDS; round++) {
      const visitors = await Promise.all(Array.from({ length: ROUND_UPLOADS }, session));
      await loopDelay(base);
      const cpuBefore = cpuOf(parley.child.pid!);
      const lat = await Promise.all(
        visitors.map((t) =>
          uploadRetrying(port, '/api/widget/chat/files', 100 * 1024, { authorization: `Bearer ${t}` }),
        ),
      );
      const cpu = cpuSince(parley.child.pid!, cpuBefore, ROUND_UPLOADS);
      const bad = lat.filter((r) => r.status !== 201).length;
      const retries = lat.reduce((n, r) => n + r.retries, 0);
      const refusals = Object.entries(
        lat
          .filter((r) => r.status !== 201)
          .reduce<Record<number, number>>((m, r) => {
            m[r.status] = (m[r.status] ?? 0) + 1;
            return m;
          }, {}),
      )
        .map(([status, n]) => `${n}× ${status}`)
        .join(', ');
      const delay = await loopDelay(base);
      // Idle means idle: the round's thumbnail jobs (~40 s of preview work for 500 PDFs here) drained first.
      const drainS = await drained(base);
      await new Promise((r) => setTimeout(r, IDLE_WAIT_MS));
      roundRss.push(rssOf(parley.child.pid!));
      const growth = ((roundRss[round - 1]! / roundRss[0]! - 1) * 100).toFixed(0);
      console.log(
        `  round ${round}: ${ROUND_UPLOADS - bad}/${ROUND_UPLOADS} stored${bad ? ` (${refusals})` : ''}, ${retries} ` +
          `retried after 503/429, p99 ${pct(
            lat.map((r) => r.ms),
            99,
          ).toFixed(0)} ms, server CPU ${cpu.self.toFixed(1)} ms per upload (+ ${cpu.children.toFixed(1)} ms in ` +
          `preview workers), ${delayText(delay)}; jobs drained in ${drainS.toFixed(0)} s; idle RSS ${mb(roundRss[round - 1]!)} MiB (${growth} % vs round 1)`,
      );
      console.log(`    idle: ${await memoryText(base, parley.child.pid!)}`);
      if (HEAP && (round === 1 || round === ROUNDS)) snapshots.push(await heapSnapshot());
      if (HEAP && round === 1) {
        // Writing a snapshot takes memory of its own (V8's copy of the graph); the server gives it back once idle
        // (src/memory.ts), so the creep is measured from round 1's own reading, before its snapshot.
        await new Promise((r) => setTimeout(r, IDLE_WAIT_MS));
        console.log(
          `  (idle RSS ${IDLE_WAIT_MS / 1000} s after round 1's heap snapshot: ${mb(rssOf(parley.child.pid!))} MiB)`,
        );
      }
    }
    const creep = roundRss[roundRss.length - 1]! / roundRss[0]! - 1;
    goals.push([
      `idle RSS after ${ROUNDS} rounds of ${ROUND_UPLOADS} within 20 % of round 1's`,
      `${(creep * 100).toFixed(0)} %`,
      creep <= 0.2 ? 'met' : `${((creep - 0.2) * 100).toFixed(0)} points over`,
    ]);
    console.log(
      `  creep: ${(creep * 100).toFixed(0)} % after ${ROUNDS} rounds (goal ≤ 20 %): ${creep <= 0.2 ? 'met' : 'NOT met'}`,
    );
    if (snapshots.length === 2) {
      // Objects still reachable after round 1 vs after the last round, by constructor (V8 collects before it writes).
      const growth = heapGrowth(snapshots[0]!, snapshots[1]!);
      const uploadsBetween = (ROUNDS - 1) * ROUND_UPLOADS;
      console.log(`  heap snapshot diff, after round 1 → after round ${ROUNDS} (${uploadsBetween} uploads between):`);
      for (const g of growth.slice(0, 12)) {
        console.log(
          `    ${g.name.slice(0, 40).padEnd(40)} ${String(g.before).padStart(7)} → ${String(g.after).padStart(7)}  ` +
            `(+${g.grew}, ${(g.bytes / 1024).toFixed(0)} KiB)`,
        );
      }
      // A class made per upload that leaked would grow by about one per upload; allow a handful (pools, caches).
      const leaked = growth.filter((g) => PER_UPLOAD_CLASSES.includes(g.name) && g.grew >= uploadsBetween / 10);
      goals.push([
        'heap snapshot diff: no retained per-upload objects',
        leaked.length === 0 ? 'none grew' : leaked.map((g) => `${g.name} +${g.grew}`).join(', '),
        leaked.length === 0 ? 'met' : 'NOT met',
      ]);
      console.log(
        `  per-upload classes (${PER_UPLOAD_CLASSES.join(', ')}): ${
          leaked.length === 0
            ? 'none grew by ≥ 10 % of the uploads between the snapshots — no retained per-upload objects'
            : `GREW: ${leaked.map((g) => `${g.name} +${g.grew}`).join(', ')}`
        }`,
      );
    }
  }

  printGoals('Goals (issues 18 and 11), measured in this run', goals);

  // Wait for the server's exit: a --cpu-prof / --heap-prof profile is written on the way out.
  const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)));
  parley.child.kill('SIGTERM');
  sink.child.kill('SIGTERM');
  await Promise.all([exited(parley.child), exited(sink.child)]);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
