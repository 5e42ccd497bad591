// A Parley server as a child process for the benches that start their own: the same settings for all (a temp data
// dir, a known owner, the visitor rate limits out of the way), `args` after `node`, `env` on top. Resolves once it
// prints "running on http://…"; rejects with what it printed if it exits first or has not started in three minutes.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const BENCH_ADMIN = { email: 'bench@example.test', password: 'bench password 123' };
const root = path.resolve(import.meta.dirname, '..');

export async function spawnBenchServer(opts: {
  args: string[];
  dataDir: string;
  env?: Record<string, string>;
}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, opts.args, {
    cwd: root,
    env: {
      PARLEY_WORKERS: '1',
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: opts.dataDir,
      PARLEY_ADMIN_EMAIL: BENCH_ADMIN.email,
      PARLEY_ADMIN_PASSWORD: BENCH_ADMIN.password,
      PARLEY_SECRET_KEY: 'bench-secret-key-of-at-least-32-random-characters',
      PARLEY_VISITOR_SESSIONS_PER_IP_HOUR: '1000000',
      PARLEY_VISITOR_MESSAGES_PER_MINUTE: '1000000',
      PARLEY_VISITOR_SESSIONS_PER_WIDGET_HOUR: '1000000',
      PARLEY_VISITOR_MB_PER_HOUR: '1000000',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // BENCH_SERVER_LOG=<file>: every server's output is appended there (with --trace-gc in BENCH_SERVER_NODE_ARGS, its
  // collections, each line naming the process: bench/gc-summary.ts).
  const log = process.env.BENCH_SERVER_LOG ? fs.createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' }) : null;
  let out = '';
  let started = false;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      log?.write(d);
      if (started) return; // not kept once started: a long run would hold all of it
      out += d;
      const m = out.match(/running on (http:\/\/[\d.:]+)/);
      if (m) {
        started = true;
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`server did not start: ${out}`)), 180_000).unref();
  });
  return { child, url };
}
