// /metrics as an operator scrapes it: behind its token (or on its own port), with counters that move when files are
// uploaded, refused, downloaded and delivered.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, upload, widgetSession } from '../support/client.js';
import { pdf, png } from '../support/fixtures.js';
import { onPostgres } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';

const TOKEN = 'metrics-token-for-the-test-suite';
let s: TestServer;
let receiver: Receiver;
let secret: string | undefined;

beforeAll(async () => {
  // The preview worker stays while the test reads its gauges (it would exit after PARLEY_PREVIEW_IDLE_S unused).
  s = await startServer({ env: { PARLEY_METRICS_TOKEN: TOKEN, PARLEY_PREVIEW_IDLE_S: '3600' } });
  receiver = await startReceiver(() => secret);
  const owner = await login(s.url, s.admin.email, s.admin.password);
  const saved = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/integrations/callback`, {
    cookie: owner,
    body: { url: receiver.url, disabled: false },
  });
  expect(saved.status).toBe(200);
  secret = saved.body.signingSecret;
});
afterAll(async () => {
  await s?.close();
  await receiver?.close();
});

async function scrape(base = s.url, token: string | undefined = TOKEN): Promise<string> {
  const res = await fetch(`${base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one sample, e.g. value(text, 'parley_uploads_refused_total{code="FILE_TYPE_NOT_ALLOWED"}'). */
function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

describe('GET /metrics', () => {
  it('is refused without the token and with a wrong one', async () => {
    expect((await call(s.url, 'GET', '/metrics')).status).toBe(401);
    expect((await call(s.url, 'GET', '/metrics', { token: 'wrong-token-wrong-token' })).status).toBe(401);
  });

  it('counts uploads accepted and refused, bytes in and out, and deliveries by kind and status', async () => {
    const before = await scrape();
    const v = await widgetSession(s.url, s.widgetKey);
    const data = pdf(30_000);
    const ok = await upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data }], { token: v.visitorToken });
    expect(ok.status).toBe(201);
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(2000, 1)]);
    const bad = await upload(s.url, '/api/widget/chat/files', [{ name: 'a.exe', data: exe }], {
      token: v.visitorToken,
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    const code = bad.body.error.code as string;
    const file = ok.body.files[0];
    const got = await fetch(`${s.url}${file.url}`, { headers: { authorization: `Bearer ${v.visitorToken}` } });
    expect(got.status).toBe(200);
    await got.arrayBuffer();
    await eventually(async () => receiver.received.length > 0, { timeoutMs: 30_000 });

    // The download is counted when the server has finished the response (onResponse), which may come after the
    // client has read the last byte: the whole check waits, not only for the delivery.
    const after = await eventually(async () => {
      const text = await scrape();
      expect(value(text, 'parley_delivery_attempts_total{kind="callback",outcome="succeeded"}')).toBeGreaterThanOrEqual(
        1,
      );
      const delta = (sample: string) => value(text, sample) - value(before, sample);
      expect(delta('parley_uploads_accepted_total{side="visitor"}')).toBe(1);
      expect(delta(`parley_uploads_refused_total{code="${code}"}`)).toBe(1);
      expect(delta('parley_upload_bytes_total')).toBe(data.length);
      expect(delta('parley_download_bytes_total')).toBe(data.length);
      expect(delta('parley_upload_duration_seconds_count{result="accepted"}')).toBe(1);
      expect(delta('parley_delivery_outcomes_total{kind="callback",status="succeeded"}')).toBe(1);
      return text;
    });
    expect(value(after, 'parley_deliveries{kind="callback",status="succeeded"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'parley_delivery_attempt_duration_seconds_count{kind="callback"}')).toBeGreaterThanOrEqual(1);
    for (const name of [
      'parley_queue_depth{queue="deliveries"}',
      'parley_queue_oldest_due_age_seconds{queue="jobs"}',
      'parley_open_sockets',
      'parley_uploads_in_progress',
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(after).toContain(name);
    }
  });

  it('answers a write once the SQLite log is on disk (writes share fsyncs); reads never wait', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const flushes = async () => value(await scrape(), 'parley_db_flushes_total');
    const before = await flushes();
    const posted = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: v.visitorToken,
      body: { text: 'durable before answered' },
    });
    expect(posted.status).toBe(201);
    const afterOne = await flushes();
    expect((await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken })).status).toBe(200);
    expect(await flushes()).toBe(afterOne);
    const many = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: `m${i}` } }),
      ),
    );
    expect(many.every((r) => r.status === 201)).toBe(true);
    const afterMany = await flushes();
    if (onPostgres()) {
      // PostgreSQL commits synchronously (synchronous_commit = on): nothing to flush.
      expect([before, afterOne, afterMany]).toEqual([0, 0, 0]);
      return;
    }
    expect(afterOne).toBeGreaterThan(before);
    expect(afterMany).toBeGreaterThan(afterOne);
    expect(afterMany - afterOne).toBeLessThanOrEqual(30);
  });

  it('is served on PARLEY_METRICS_PORT without a token, and not on the main port', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const other = await startServer({ env: { PARLEY_METRICS_PORT: String(port) } });
    try {
      const text = await scrape(`http://127.0.0.1:${port}`, undefined);
      expect(text).toContain('parley_uploads_accepted_total');
      expect((await call(other.url, 'GET', '/metrics')).status).toBe(404);
      const status = await new Promise<number>((resolve) =>
        http.get(`http://127.0.0.1:${port}/other`, (res) => resolve(res.statusCode!)),
      );
      expect(status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

// Last: its upload would move the counters the tests above compare.
describe('GET /metrics, preview workers', () => {
  it('shows the preview workers: how many, their memory, and how many ended', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'p.png', data: await png(40, 30) }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(201);
    const id = r.body.files[0].id as string;
    await eventually(
      async () =>
        expect(
          (await call(s.url, 'GET', `/api/files/${id}`, { token: v.visitorToken })).body.file?.thumbnailUrl,
        ).toBeTruthy(),
      { timeoutMs: 60_000 },
    );
    const text = await scrape();
    expect(value(text, 'parley_preview_workers')).toBe(1);
    expect(value(text, 'parley_preview_workers_rss_bytes')).toBeGreaterThan(1024 * 1024);
    expect(value(text, 'parley_preview_jobs_running')).toBe(0);
    expect(text).toContain('parley_preview_workers_ended_total');
  });
});
