// Runs Parley as a real child process (node + tsx on src/main.ts), for restart, crash and start-up tests, and the
// `parley` command (src/cli.ts) the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stdout(): string;
  stderr(): string;
  /**
   * Waits until the combined output matches `re`. stdout and stderr are two pipes read in separate callbacks, so a
   * line the server wrote to stderr before its "running" line on stdout may still be on its way when spawnServer
   * resolves (the generated owner password, for one).
   */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, no shutdown code runs. */
  kill(): Promise<void>;
}

/** Runs src/main.ts, or `parley <args>` (src/cli.ts) when args are given. One process unless PARLEY_WORKERS says
 * otherwise (with DATABASE_URL and REDIS_URL the server would start a worker per core). */
export function runMain(
  env: Record<string, string>,
  args?: string[],
): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', ...(args ? ['src/cli.ts', ...args] : ['src/main.ts'])], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'info',
      PARLEY_WORKERS: '1',
      // Load tests post back to back as one visitor; the limit has its own test (test/modules/limits).
      PARLEY_VISITOR_MESSAGES_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

// The start-up deadline is generous: on a loaded CI machine, tsx compiling the app in a fresh process can take a
// minute.
export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = 90_000,
  args?: string[],
): Promise<ServerProcess> {
  const { child, done } = runMain({ PORT: '0', HOST: '127.0.0.1', ...env }, args);
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), timeoutMs);
    child.stdout!.on('data', () => {
      const m = out.match(/Parley is running on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    void done.then(({ code }) => {
      clearTimeout(t);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput: (re, timeoutMs = 10_000) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (!m) return false;
          clearTimeout(t);
          child.stdout!.off('data', onData);
          child.stderr!.off('data', onData);
          resolve(m);
          return true;
        };
        const onData = () => void check();
        const t = setTimeout(() => {
          child.stdout!.off('data', onData);
          child.stderr!.off('data', onData);
          reject(new Error(`no output matching ${re} within ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        if (check()) return;
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
      }),
    async stop() {
      child.kill('SIGTERM');
      return (await done).code;
    },
    async kill() {
      child.kill('SIGKILL');
      await done;
    },
  };
}

/** Runs `parley <args>` (src/cli.ts) to completion, with `input` on stdin when given. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  if (input === undefined) child.stdin!.end();
  else child.stdin!.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
