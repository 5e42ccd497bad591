// Starts a real clamd (Debian's clamav-daemon) as a child of the test, with its own config, a unix socket in a temp
// dir and a signature database the test writes (no freshclam, no internet): EICAR and a signature of our own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1');
/** Bytes our own test signature (Parley.Test.Marker) matches anywhere in a file. */
export const TEST_MARKER = Buffer.from('PARLEY-TEST-MALWARE-MARKER-7f3a9c', 'latin1');
export const EICAR_SIGNATURE = 'Parley.Test.EICAR.UNOFFICIAL';
export const MARKER_SIGNATURE = 'Parley.Test.Marker.UNOFFICIAL';

export const CLAMD_BINARY = ['/usr/sbin/clamd', '/usr/local/sbin/clamd'].find((p) => fs.existsSync(p));

export interface Clamd {
  /** The PARLEY_CLAMAV value. */
  address: string;
  socketPath: string;
  maxStreamBytes: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('connect', () => s.write('zPING\0'));
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(got.startsWith('PONG')));
    setTimeout(() => s.destroy(), 2000);
  });
}

export async function startClamd(opts: { maxStreamKb?: number } = {}): Promise<Clamd> {
  if (!CLAMD_BINARY) throw new Error('clamd is not installed (apt-get install clamav-daemon)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-clamd-'));
  const dbDir = path.join(dir, 'db');
  fs.mkdirSync(dbDir);
  const hex = (b: Buffer) => b.toString('hex');
  fs.writeFileSync(
    path.join(dbDir, 'parley.ndb'),
    `Parley.Test.EICAR:0:*:${hex(EICAR)}\nParley.Test.Marker:0:*:${hex(TEST_MARKER)}\n`,
  );
  const socketPath = path.join(dir, 'clamd.sock');
  const maxStreamKb = opts.maxStreamKb ?? 1024;
  fs.writeFileSync(
    path.join(dir, 'clamd.conf'),
    [
      `LocalSocket ${socketPath}`,
      `DatabaseDirectory ${dbDir}`,
      'Foreground yes',
      `LogFile ${path.join(dir, 'clamd.log')}`,
      `TemporaryDirectory ${dir}`,
      `StreamMaxLength ${maxStreamKb}K`,
      'MaxThreads 4',
      'SelfCheck 0',
      'ScanArchive yes',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const clamd: Clamd = {
    address: `unix:${socketPath}`,
    socketPath,
    maxStreamBytes: maxStreamKb * 1024,
    async start() {
      if (child) return;
      fs.rmSync(socketPath, { force: true });
      child = spawn(CLAMD_BINARY!, ['-c', path.join(dir, 'clamd.conf')], { stdio: 'ignore' });
      const started = child;
      started.on('exit', () => {
        if (child === started) child = undefined;
      });
      for (let i = 0; i < 300; i++) {
        if (await ping(socketPath)) return;
        if (!child) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`clamd did not start:\n${fs.readFileSync(path.join(dir, 'clamd.log'), 'utf8')}`);
    },
    async stop() {
      const c = child;
      if (!c) return;
      child = undefined;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
      fs.rmSync(socketPath, { force: true });
    },
    async close() {
      await clamd.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await clamd.start();
  return clamd;
}
