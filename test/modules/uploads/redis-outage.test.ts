// Resumable uploads while Redis (the tus locker across nodes) is down: a PATCH answers 503 UNAVAILABLE with
// Retry-After — the server's fault, retry later — instead of a 500, and once Redis is back the upload resumes and
// commits. Found by the chaos suite (npm run chaos). A Redis server of this test's own, never the shared one.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.js';
import { call, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { freePort, startRedis, stopRedis } from '../../support/redis.js';
import { tusCreate, tusHead, tusPatch } from '../../support/tus.js';

let port: number;
let redis: ChildProcess;
let s: TestServer;

beforeAll(async () => {
  port = await freePort();
  redis = await startRedis(port);
  s = await startServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await s?.close();
  if (redis) await stopRedis(redis);
});

describe('a Redis outage under a resumable upload', () => {
  it('answers 503 UNAVAILABLE with Retry-After, then resumes and commits once Redis is back', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const data = pdf(200 * 1024, 'redis-outage');
    const created = await tusCreate(s.url, auth, data.length, { filename: 'locked.pdf' });
    expect(created.status).toBe(201);
    expect((await tusPatch(created.url!, auth, 0, data.subarray(0, 100 * 1024))).status).toBe(204);

    await stopRedis(redis);
    const refused = await tusPatch(created.url!, auth, 100 * 1024, data.subarray(100 * 1024));
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    redis = await startRedis(port);
    const done = await eventually(
      async () => {
        const offset = Number((await tusHead(created.url!, auth)).headers.get('upload-offset'));
        const r = await tusPatch(created.url!, auth, offset, data.subarray(offset));
        expect(r.status).toBe(204);
        return r;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    const file = await call(s.url, 'GET', `/api/files/${done.headers.get('parley-file-id')}`, auth);
    expect(file.body.file).toMatchObject({ name: 'locked.pdf', size: data.length });
  });
});
