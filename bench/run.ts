// `npm run bench`: upload throughput, server memory and latency of Parley's visitor upload route on the embedded
// default, each beside a baseline measured in the same run (a bare Node http → fs.createWriteStream sink).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;
const sizes = (process.env.BENCH_SIZES ?? '1,100,1024').split(',').map(Number);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 200);

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) * 1024;
}

async function startChild(cmd: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const onData = (d: Buffer) => { out += d; const m = out.match(ready); if (m) resolve(m); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
  });
  return { child, match };
}

/** Streams `size` bytes of a PDF-looking body as one multipart file part; never holds the file in memory. */
function uploadOnce(port: number, urlPath: string, size: number, headers: Record<string, string>): Promise<{ ms: number; status: number }> {
  const boundary = `bench${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(Math.min(size, 1 * MiB), 0x20);
  Buffer.from('%PDF-1.4\n').copy(chunk);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) } });
    req.on('response', (res) => { res.resume(); res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.statusCode! })); });
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    let first = true;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        const piece = first ? chunk.subarray(0, n) : chunk.subarray(0, n).fill(0x20, 0, 9);
        first = false;
        sent += n;
        if (!req.write(piece)) return req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

async function measure(pid: number, work: () => Promise<{ ms: number; status: number }>) {
  const before = rssOf(pid);
  let peak = before;
  const timer = setInterval(() => { try { peak = Math.max(peak, rssOf(pid)); } catch { /* gone */ } }, 10);
  try {
    const r = await work();
    if (r.status !== 201) throw new Error(`upload answered ${r.status}`);
    return { ...r, peakRss: peak, rssBefore: before };
  } finally {
    clearInterval(timer);
  }
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const mb = (b: number) => (b / MiB).toFixed(1);

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const sinkDir = path.join(work, 'sink');
  fs.mkdirSync(sinkDir);
  const sink = await startChild([process.execPath, 'bench/sink-server.mjs', sinkDir], {}, /SINK (\d+)/);
  const sinkPort = Number(sink.match[1]);
  const parley = await startChild([process.execPath, '--import', 'tsx', 'src/main.ts'], {
    PORT: '0', PARLEY_DATA_DIR: path.join(work, 'data'), PARLEY_ADMIN_EMAIL: 'bench@example.test', PARLEY_ADMIN_PASSWORD: 'bench-password',
    PARLEY_MAX_UPLOAD_MB: '2048', PARLEY_VISITOR_FILES_PER_MINUTE: '100000', PARLEY_VISITOR_MB_PER_HOUR: '1000000', LOG_LEVEL: 'warn',
  }, /running on http:\/\/127\.0\.0\.1:(\d+)/);
  const port = Number(parley.match[1]);
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.test', password: 'bench-password' }) });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const ws = (await (await fetch(`${base}/api/workspaces`, { headers: { cookie } })).json()).workspaces[0];
  await fetch(`${base}/api/workspaces/${ws.id}/settings/file-upload`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ maxFileSizeKb: 2048 * 1024 }) });
  const session = async () => (await (await fetch(`${base}/api/widget/${ws.widgetKey}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()).visitorToken as string;
  const token = await session();

  console.log(`Parley upload benchmark — ${os.cpus().length} cores, Node ${process.version}, data on ${os.tmpdir()}`);
  console.log('size      | Parley MB/s | sink MB/s | ratio | Parley peak RSS | sink peak RSS');
  console.log('----------|-------------|-----------|-------|-----------------|--------------');
  for (const sizeMb of sizes) {
    const size = sizeMb * MiB;
    const reps = sizeMb <= 1 ? 20 : 1;
    const run = async (pid: number, once: () => Promise<{ ms: number; status: number }>) => {
      let ms = 0; let peak = 0; let before = 0;
      for (let i = 0; i < reps; i++) { const m = await measure(pid, once); ms += m.ms; peak = Math.max(peak, m.peakRss); before = before || m.rssBefore; }
      return { mbps: (sizeMb * reps) / (ms / 1000), peak, before };
    };
    const sinkRun = await run(sink.child.pid!, () => uploadOnce(sinkPort, '/', size, {}));
    const parleyRun = await run(parley.child.pid!, () => uploadOnce(port, '/api/widget/chat/files', size, { authorization: `Bearer ${token}` }));
    console.log(`${String(sizeMb).padStart(5)} MiB | ${parleyRun.mbps.toFixed(1).padStart(11)} | ${sinkRun.mbps.toFixed(1).padStart(9)} | ${(parleyRun.mbps / sinkRun.mbps).toFixed(2).padStart(5)} | ${mb(parleyRun.peak).padStart(11)} MiB | ${mb(sinkRun.peak).padStart(9)} MiB`);
    for (const f of fs.readdirSync(sinkDir)) fs.rmSync(path.join(sinkDir, f));
  }

  const tokens = await Promise.all(Array.from({ length: CONCURRENT }, session));
  const concurrent = async (p: number, urlPath: string, headersFor: (i: number) => Record<string, string>) => {
    const results = await Promise.all(tokens.map((_t, i) => uploadOnce(p, urlPath, MiB, headersFor(i))));
    const bad = results.filter((r) => r.status !== 201).length;
    if (bad) throw new Error(`${bad} concurrent uploads failed`);
    return results.map((r) => r.ms);
  };
  const sinkLat = await concurrent(sinkPort, '/', () => ({}));
  const parleyLat = await concurrent(port, '/api/widget/chat/files', (i) => ({ authorization: `Bearer ${tokens[i]}` }));
  console.log(`\n${CONCURRENT} concurrent 1 MiB uploads (each by its own visitor):`);
  console.log(`  Parley  p50 ${pct(parleyLat, 50).toFixed(0)} ms   p99 ${pct(parleyLat, 99).toFixed(0)} ms   peak RSS ${mb(rssOf(parley.child.pid!))} MiB (now)`);
  console.log(`  sink    p50 ${pct(sinkLat, 50).toFixed(0)} ms   p99 ${pct(sinkLat, 99).toFixed(0)} ms`);

  parley.child.kill('SIGTERM');
  sink.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err) => { console.error(err); process.exit(1); });
