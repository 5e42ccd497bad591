// Preview workers are long-lived (src/previews/pool.ts): when one dies with a thumbnail job in flight, that job is
// failed and retried by the job runner within its attempts, so the thumbnail is still made — never lost.
// The worker is stopped (SIGSTOP) before the upload, so the job is certain to be in flight in it, then killed.
import os from 'node:os';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { previewPool } from '../../../src/modules/files/thumbnail.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { eventually } from '../../support/eventually.js';
import { png } from '../../support/fixtures.js';
import { useServer } from '../../support/server.js';

const logs: { msg?: string; kind?: string; err?: { message?: string } }[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
    done();
  },
});
// One worker, which must not leave on its own (idle exit) between the first thumbnail and the stopped one.
const s = useServer({ env: { PARLEY_PREVIEW_WORKERS: '1', PARLEY_PREVIEW_IDLE_S: '3600' }, logStream });

describe('a preview worker that dies with a thumbnail job in flight', () => {
  it('fails the job, and its retry makes the thumbnail', async () => {
    const visitor = await widgetSession(s.url, s.widgetKey);
    const thumbnailOf = async (id: string) =>
      (await call(s.url, 'GET', `/api/files/${id}`, { token: visitor.visitorToken })).body.file?.thumbnailUrl;
    const send = async (name: string) => {
      const r = await upload(s.url, '/api/widget/chat/files', [{ name, data: await png(80, 60) }], {
        token: visitor.visitorToken,
      });
      expect(r.status).toBe(201);
      return r.body.files[0].id as string;
    };
    // A first thumbnail starts the one worker.
    const first = await send('first.png');
    await eventually(async () => expect(await thumbnailOf(first)).toBeTruthy(), { timeoutMs: 60_000 });
    const pool = previewPool(s.parley.deps.config)!;
    const [pid] = pool.pids;
    expect(pid).toBeDefined();
    // Background work: the worker runs PARLEY_PREVIEW_NICE (default 5) steps below the server's priority.
    expect(os.getPriority(pid!)).toBe(Math.min(19, os.getPriority() + 5));

    process.kill(pid!, 'SIGSTOP');
    const second = await send('second.png');
    await eventually(() => expect(pool.running).toBe(1));
    process.kill(pid!, 'SIGKILL');

    const failed = await eventually(() => {
      const line = logs.find((l) => l.msg === 'job failed; it will be retried' && l.kind === 'files.thumbnails');
      expect(line).toBeDefined();
      return line!;
    });
    expect(failed.err?.message).toMatch(/preview worker died.*killed by SIGKILL/);
    // The retry (after the runner's backoff) runs in a new worker and makes it.
    await eventually(async () => expect(await thumbnailOf(second)).toBeTruthy(), { timeoutMs: 90_000 });
    expect(pool.pids).not.toContain(pid);
  }, 180_000);
});
