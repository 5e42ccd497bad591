// Deliveries survive crashes and never run twice at once across nodes.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../../support/process.js';
import { processEnv, startServer, TEST_ADMIN } from '../../support/server.js';
import { createPgDatabase } from '../../support/databases.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { answers, startReceiver } from '../../support/receiver.js';
import { startS3rver } from '../../support/s3rver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('crash safety', () => {
  it('re-sends deliveries that were pending or mid-send when the process was killed (same webhook-id, none lost)', async () => {
    const { env, cleanup } = await processEnv('parley-crash-', {
      PARLEY_ALLOW_PRIVATE_CALLBACKS: 'true',
      PARLEY_DELIVERY_SCHEDULE: '0.2,0.4,0.8,1,1,1,1',
      PARLEY_DELIVERY_POLL_MS: '100',
      PARLEY_DELIVERY_LEASE_SECONDS: '2',
    });
    cleanups.push(cleanup);
    let secret: string | undefined;
    const receiver = await startReceiver(() => secret, answers.hang());
    cleanups.push(() => receiver.close());

    const first = await spawnServer(env);
    const cookie = await login(first.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const ws = (await call(first.url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
    secret = (
      await call(first.url, 'PUT', `/api/workspaces/${ws.id}/integrations/callback`, {
        cookie,
        body: { url: receiver.url },
      })
    ).body.signingSecret;
    const v = await widgetSession(first.url, ws.widgetKey);
    const fileIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await upload(first.url, '/api/widget/chat/files', [{ name: `f${i}.pdf`, data: pdf(5000, String(i)) }], {
        token: v.visitorToken,
      });
      fileIds.push(r.body.files[0].id);
    }
    // Some sends are in flight (the receiver holds them), the rest are pending: now the process dies.
    await receiver.waitFor((all) => all.length >= 1);
    await first.kill();
    receiver.behave(answers.ok());

    const second = await spawnServer(env);
    cleanups.push(async () => {
      await second.stop();
    });
    const cookie2 = await login(second.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const deliveries = await eventually(
      async () => {
        const list = (
          await call(second.url, 'GET', `/api/workspaces/${ws.id}/deliveries?kind=callback`, { cookie: cookie2 })
        ).body.deliveries;
        expect(list.map((d: any) => d.status)).toEqual(Array(6).fill('succeeded'));
        return list;
      },
      { timeoutMs: 30_000 },
    );
    for (const id of fileIds) {
      const seen = receiver.received.filter((r) => r.fields.fileId === id);
      expect(seen.length, `file ${id}`).toBeGreaterThanOrEqual(1);
      const d = deliveries.find((x: any) => x.fileId === id);
      // A duplicate is possible (it was mid-send), but always with the same webhook-id so the receiver can drop it.
      expect(new Set(seen.map((r) => r.webhookId))).toEqual(new Set([d.id]));
      expect(seen.every((r) => r.signatureValid)).toBe(true);
    }
    // Two server processes are started and one killed: on a loaded 2-core machine that alone can take a minute.
  }, 180_000);
});

describe('two nodes draining one queue', () => {
  it('delivers 500 files once each, never sending the same delivery from two nodes at once', async () => {
    const db = await createPgDatabase();
    cleanups.push(db.drop);
    // The scale-out setup: PostgreSQL and one S3-compatible primary store shared by both nodes.
    const primary = await startS3rver(['parley-primary']);
    cleanups.push(() => primary.close());
    const env = {
      PARLEY_VISITOR_FILES_PER_MINUTE: '10000',
      PARLEY_DELIVERY_POLL_MS: '20',
      PARLEY_STORAGE: 's3',
      PARLEY_S3_BUCKET: 'parley-primary',
      PARLEY_S3_ENDPOINT: primary.endpoint,
      PARLEY_S3_FORCE_PATH_STYLE: 'true',
      PARLEY_S3_ACCESS_KEY_ID: primary.accessKeyId,
      PARLEY_S3_SECRET_ACCESS_KEY: primary.secretAccessKey,
      PARLEY_S3_REGION: primary.region,
    };
    const a = await startServer({ databaseUrl: db.url, env });
    const b = await startServer({ databaseUrl: db.url, env });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    let secret: string | undefined;
    const receiver = await startReceiver(
      () => secret,
      async (r, res) => {
        await new Promise((resolve) => setTimeout(resolve, 3));
        await answers.ok()(r, res);
      },
    );
    cleanups.push(() => receiver.close());
    const cookie = await login(a.url, a.admin.email, a.admin.password);
    // Hold deliveries back while the files arrive, so that both nodes find a full queue.
    await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/integrations/callback`, {
      cookie,
      body: { url: receiver.url, disabled: true },
    });
    const v = await widgetSession(a.url, a.widgetKey);
    for (let i = 0; i < 50; i++) {
      const files = Array.from({ length: 10 }, (_, j) => ({ name: `n${i}-${j}.txt`, data: `file ${i}-${j}\n` }));
      const r = await upload(i % 2 ? b.url : a.url, '/api/widget/chat/files', files, { token: v.visitorToken });
      expect(r.status).toBe(201);
    }
    secret = (
      await call(a.url, 'PUT', `/api/workspaces/${a.workspaceId}/integrations/callback`, {
        cookie,
        body: { disabled: false },
      })
    ).body.signingSecret;
    const queued = await call(b.url, 'POST', `/api/workspaces/${a.workspaceId}/deliveries/backfill`, {
      cookie,
      body: { kind: 'callback' },
    });
    expect(queued.body.queued).toBe(500);
    await receiver
      .waitFor((all) => new Set(all.map((r) => r.webhookId)).size === 500, 120_000)
      .catch(async (err) => {
        const stuck = await a.parley.deps.db
          .selectFrom('deliveries')
          .selectAll()
          .where('status', '!=', 'succeeded')
          .limit(5)
          .execute();
        throw new Error(`${err.message}; not succeeded: ${JSON.stringify(stuck)}`);
      });
    await eventually(
      async () => {
        const done = await a.parley.deps.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'succeeded')
          .executeTakeFirstOrThrow();
        expect(Number(done.n)).toBe(500);
      },
      { timeoutMs: 30_000 },
    );
    expect(receiver.concurrentDuplicates).toBe(0);
    expect(receiver.received.length).toBe(500);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
  }, 180_000);
});
