import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerHandle, useServer } from '../../support/server.js';
import { call, login, upload, widgetSession, addMember } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { answers, startReceiver, type Behaviour, type Receiver } from '../../support/receiver.js';
import { collect, connect } from '../../support/sockets.js';

// The product's callback timeout (30 s) here: a receiver in this process answers at once, but a test process stalled
// on a loaded machine would have a 400 ms timeout fire first (a second attempt, a second copy: "attempts 1" and "sends
// a file once" fail). Only the receiver that never answers needs a short timeout: its own server, at the end.
const s = useServer();
let receiver: Receiver;
let secret: string | undefined;
const api = (p: string) => `/api/workspaces/${s.workspaceId}${p}`;
const delivery = async (fileId: string, h: ServerHandle = s) =>
  (
    await call(h.url, 'GET', `/api/workspaces/${h.workspaceId}/deliveries?fileId=${fileId}&kind=callback`, {
      cookie: h.owner,
    })
  ).body.deliveries[0];

beforeAll(async () => {
  receiver = await startReceiver(() => secret);
  const saved = await call(s.url, 'PUT', api('/integrations/callback'), {
    cookie: s.owner,
    body: { url: receiver.url, disabled: false },
  });
  expect(saved.status).toBe(200);
  secret = saved.body.signingSecret;
});
afterAll(async () => {
  await receiver?.close();
});

async function visitorUpload(name = 'doc.pdf', data = pdf(20_000), h: ServerHandle = s) {
  const v = await widgetSession(h.url, h.widgetKey);
  const r = await upload(h.url, '/api/widget/chat/files', [{ name, data }], { token: v.visitorToken });
  expect(r.status).toBe(201);
  return { v, file: r.body.files[0], data };
}

/** `h`'s delivery to `rec` (misbehaving) is retried and logs `reason` under one webhook-id; it succeeds once `rec`
 * answers well again (by a re-send if it had died meanwhile). */
async function expectRetried(h: ServerHandle, rec: Receiver, reason: RegExp) {
  const ws = `/api/workspaces/${h.workspaceId}`;
  const { file } = await visitorUpload(undefined, undefined, h);
  const d = await eventually(async () => {
    const x = await delivery(file.id, h);
    expect(x?.attempts).toBeGreaterThanOrEqual(2);
    return x;
  });
  expect(['failed', 'dead', 'pending']).toContain(d.status);
  expect(d.lastError).toMatch(reason);
  const detail = await call(h.url, 'GET', `${ws}/deliveries/${d.id}`, { cookie: h.owner });
  expect(detail.body.attempts.filter((a: any) => a.outcome === 'failed').length).toBeGreaterThanOrEqual(1);
  expect(detail.body.attempts[0].error).toMatch(reason);
  // The same webhook-id on every retry, so the receiver can de-duplicate.
  expect(new Set(rec.received.filter((x) => x.fields.fileId === file.id).map((x) => x.webhookId))).toEqual(
    new Set([d.id]),
  );
  rec.behave(answers.ok());
  // Ends dead after the last scheduled retry... or succeeds now that the receiver is healthy again.
  const end = await eventually(async () => {
    const x = await delivery(file.id, h);
    expect(['succeeded', 'dead']).toContain(x.status);
    return x;
  });
  if (end.status === 'dead') {
    expect((await call(h.url, 'POST', `${ws}/deliveries/${d.id}/retry`, { cookie: h.owner })).status).toBe(202);
    await eventually(async () => expect((await delivery(file.id, h)).status).toBe('succeeded'));
  }
}

describe('the external callback', () => {
  it('shows a whsec_ signing secret and rotates it on request', async () => {
    const got = await call(s.url, 'GET', api('/integrations/callback'), { cookie: s.owner });
    expect(got.body).toMatchObject({
      url: receiver.url,
      disabled: false,
      signingSecret: expect.stringMatching(/^whsec_/),
    });
    const row = await s.parley.deps.db.selectFrom('callback_integrations').selectAll().executeTakeFirstOrThrow();
    expect(row.signing_secret_enc).not.toContain(got.body.signingSecret.slice(6));
    const rotated = await call(s.url, 'PUT', api('/integrations/callback'), {
      cookie: s.owner,
      body: { rotateSecret: true },
    });
    expect(rotated.body.signingSecret).not.toBe(got.body.signingSecret);
    secret = rotated.body.signingSecret;
  });

  it("POSTs every visitor file as signed multipart with file and chatID, and stores the receiver's uid and url", async () => {
    const agent = await connect(s.url, {}, { cookie: s.owner });
    const events = collect(agent, 'file.delivery');
    const { v, file, data } = await visitorUpload('Relevé août.pdf');
    await receiver.waitFor((all) => all.some((r) => r.fields.fileId === file.id));
    const r = receiver.received.find((x) => x.fields.fileId === file.id)!;
    expect(r.signatureValid).toBe(true);
    expect(r.fields.chatID).toBe(v.chat.id);
    expect(r.fields).toMatchObject({
      fileName: 'Relevé août.pdf',
      mimeType: 'application/pdf',
      size: String(data.length),
      sha256: file.sha256,
      uploaderRole: 'visitor',
      workspaceId: s.workspaceId,
    });
    expect(r.file).toMatchObject({
      name: 'Relevé août.pdf',
      mimeType: 'application/pdf',
      size: data.length,
      sha256: crypto.createHash('sha256').update(data).digest('hex'),
    });
    const d = await eventually(async () => {
      const x = await delivery(file.id);
      expect(x?.status).toBe('succeeded');
      return x;
    });
    expect(r.webhookId).toBe(d.id);
    expect(d).toMatchObject({
      remoteUid: `uid-${file.id}`,
      remoteUrl: `https://files.example.test/${file.id}`,
      attempts: 1,
    });
    const f = await call(s.url, 'GET', `/api/files/${file.id}`, { cookie: s.owner });
    expect(f.body.file).toMatchObject({
      remoteUid: `uid-${file.id}`,
      remoteUrl: `https://files.example.test/${file.id}`,
    });
    expect(f.body.file.deliveries[0]).toMatchObject({ kind: 'callback', status: 'succeeded' });
    await events.next((e) => e.fileId === file.id && e.delivery.status === 'succeeded');
    agent.close();
  });

  it('forwards agent files too', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, api(`/chats/${v.chat.id}/files`), [{ name: 'reply.pdf', data: pdf() }], {
      cookie: s.owner,
    });
    await receiver.waitFor((all) =>
      all.some((x) => x.fields.fileId === r.body.files[0].id && x.fields.uploaderRole === 'agent'),
    );
  });

  it.each([
    ['HTTP 500', answers.http500(), /500/],
    ['status 1', answers.status1('disk full'), /disk full/],
  ])('retries after %s and records why in the attempt log', async (_label, behaviour, reason) => {
    receiver.behave(behaviour);
    await expectRetried(s, receiver, reason);
  });

  it.each([
    ['a plain HTTP 200 {"ok":true}', (_r: unknown, res: any) => res.writeHead(200).end('{"ok":true}')],
    ['HTTP 204 with no body', (_r: unknown, res: any) => res.writeHead(204).end()],
    ['HTTP 200 that is not JSON', answers.badJson()],
    ['status 0 without a uid', answers.noUid()],
  ])('counts %s as delivered, notes "answer not in the expected format" and never sends it again', async (_l, b) => {
    receiver.behave(b as Behaviour);
    const { file } = await visitorUpload();
    const d = await eventually(async () => {
      const x = await delivery(file.id);
      expect(x?.status).toBe('succeeded');
      return x;
    });
    expect(d.attempts).toBe(1);
    const detail = await call(s.url, 'GET', api(`/deliveries/${d.id}`), { cookie: s.owner });
    expect(detail.body.attempts).toHaveLength(1);
    expect(detail.body.attempts[0]).toMatchObject({ outcome: 'succeeded', error: 'answer not in the expected format' });
    // A later file goes through the same worker; by then a re-send of the first would have been picked up.
    receiver.behave(answers.ok());
    const later = await visitorUpload();
    await eventually(async () => expect((await delivery(later.file.id))?.status).toBe('succeeded'));
    expect(receiver.received.filter((x) => x.fields.fileId === file.id)).toHaveLength(1);
  });

  it('records an answer carrying NUL characters (a JSON "\\u0000"), without them, and sends the file once', async () => {
    const nulJson = (body: Record<string, unknown>) => JSON.stringify(body).replaceAll('NUL', '\\u0000');
    receiver.behave((_r, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(nulJson({ status: 0, uid: 'uNULid', url: 'https://files.example.test/aNULb' }));
    });
    const { file } = await visitorUpload();
    const d = await eventually(async () => {
      const x = await delivery(file.id);
      expect(x?.status).toBe('succeeded');
      return x;
    });
    expect(d).toMatchObject({ attempts: 1, remoteUid: 'uid', remoteUrl: 'https://files.example.test/ab' });
    receiver.behave((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(nulJson({ status: 1, message: 'fuNULll' }));
    });
    const refused = await visitorUpload();
    const r = await eventually(async () => {
      const x = await delivery(refused.file.id);
      expect(x?.lastError).toBeTruthy();
      return x;
    });
    expect(r.lastError).toBe('receiver refused: full');
    receiver.behave(answers.ok());
    const later = await visitorUpload();
    await eventually(async () => expect((await delivery(later.file.id))?.status).toBe('succeeded'));
    expect(receiver.received.filter((x) => x.fields.fileId === file.id)).toHaveLength(1);
  });

  it('gives up after the last scheduled attempt (dead), and the admin can re-send', async () => {
    receiver.behave(answers.http500());
    const { file } = await visitorUpload();
    const dead = await eventually(async () => {
      const x = await delivery(file.id);
      expect(x?.status).toBe('dead');
      return x;
    });
    expect(dead.attempts).toBe(4); // first try + the 3 retries of the test schedule
    receiver.behave(answers.ok());
    expect(
      (await call(s.url, 'GET', api('/deliveries?status=dead'), { cookie: s.owner })).body.deliveries.map(
        (x: any) => x.id,
      ),
    ).toContain(dead.id);
    const retry = await call(s.url, 'POST', api(`/deliveries/${dead.id}/retry`), { cookie: s.owner });
    expect(retry.status).toBe(202);
    const done = await eventually(async () => {
      const x = await delivery(file.id);
      expect(x.status).toBe('succeeded');
      return x;
    });
    expect(done.attempts).toBe(5);
  });

  it('retries a timeout and a refused connection, and succeeds once the receiver is up', async () => {
    const down = await startReceiver(() => secret, answers.ok());
    const port = down.port;
    await down.close(); // nothing listens there now: connection refused
    await call(s.url, 'PUT', api('/integrations/callback'), {
      cookie: s.owner,
      body: { url: `http://127.0.0.1:${port}/hook` },
    });
    const { file } = await visitorUpload();
    const failed = await eventually(async () => {
      const x = await delivery(file.id);
      expect(x?.attempts).toBeGreaterThanOrEqual(1);
      expect(x.lastError).toBeTruthy();
      return x;
    });
    expect(failed.lastError).toMatch(/refused/i);
    const back = await startReceiver(() => secret, answers.ok(), port);
    try {
      await eventually(async () => expect((await delivery(file.id)).status).toBe('succeeded'));
      expect(back.received.some((r) => r.fields.fileId === file.id && r.signatureValid)).toBe(true);
    } finally {
      await back.close();
      await call(s.url, 'PUT', api('/integrations/callback'), { cookie: s.owner, body: { url: receiver.url } });
    }
  });

  it('stops forwarding at once when disabled', async () => {
    await call(s.url, 'PUT', api('/integrations/callback'), { cookie: s.owner, body: { disabled: true } });
    const { file } = await visitorUpload();
    expect(
      (await call(s.url, 'GET', api(`/deliveries?fileId=${file.id}`), { cookie: s.owner })).body.deliveries,
    ).toEqual([]);
    await call(s.url, 'PUT', api('/integrations/callback'), { cookie: s.owner, body: { disabled: false } });
    // Files that arrived while it was off can be sent afterwards.
    const backfill = await call(s.url, 'POST', api('/deliveries/backfill'), {
      cookie: s.owner,
      body: { kind: 'callback' },
    });
    expect(backfill.status).toBe(202);
    expect(backfill.body.queued).toBeGreaterThanOrEqual(1);
    await receiver.waitFor((all) => all.some((r) => r.fields.fileId === file.id));
  });

  // On PostgreSQL each of several backfills at once planned its own delivery of every file: the receiver got each
  // file once per request (found by QA; a double click on the admin's button does it).
  it('forwards each file once when backfills arrive at once', async () => {
    await call(s.url, 'PUT', api('/integrations/callback'), { cookie: s.owner, body: { disabled: true } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await visitorUpload()).file.id);
    await call(s.url, 'PUT', api('/integrations/callback'), { cookie: s.owner, body: { disabled: false } });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(s.url, 'POST', api('/deliveries/backfill'), { cookie: s.owner, body: { kind: 'callback' } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(answers.reduce((n, a) => n + a.body.queued, 0)).toBe(3);
    for (const id of ids) {
      const all = (await call(s.url, 'GET', api(`/deliveries?fileId=${id}`), { cookie: s.owner })).body.deliveries;
      expect(all).toHaveLength(1);
    }
    await receiver.waitFor((all) => ids.every((id) => all.some((r) => r.fields.fileId === id)));
  });

  it('sends a file once when Re-send arrives several times while its delivery is under way', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    receiver.behave(async (r, res) => {
      await held;
      answers.ok()(r, res);
    });
    const { file } = await visitorUpload();
    await receiver.waitFor((all) => all.some((r) => r.fields.fileId === file.id));
    const d = await delivery(file.id);
    const resent = await Promise.all(
      Array.from({ length: 5 }, () => call(s.url, 'POST', api(`/deliveries/${d.id}/retry`), { cookie: s.owner })),
    );
    expect(resent.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    await new Promise((r) => setTimeout(r, 300));
    release();
    receiver.behave(answers.ok());
    await eventually(async () => expect((await delivery(file.id)).status).toBe('succeeded'));
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.filter((r) => r.fields.fileId === file.id)).toHaveLength(1);
    expect(receiver.concurrentDuplicates).toBe(0);
  });

  it('answers a Re-send that arrives while a retry is under way with pending, and sends the file once more', async () => {
    // The first attempt fails; the worker's retry (on the backoff schedule) is held at the receiver while the admin
    // presses Re-send: the answer must say the file is on its way, not the failed state of the attempt before.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let seen = 0;
    receiver.behave(async (r, res) => {
      seen += 1;
      if (seen === 1) return answers.http500()(r, res);
      await held;
      answers.ok()(r, res);
    });
    const { file } = await visitorUpload();
    await receiver.waitFor((all) => all.filter((r) => r.fields.fileId === file.id).length === 2);
    const d = await delivery(file.id);
    expect(d.status).toBe('failed'); // the retry is held: its lease is live and its outcome not yet recorded
    const resent = await call(s.url, 'POST', api(`/deliveries/${d.id}/retry`), { cookie: s.owner });
    expect(resent.status).toBe(202);
    expect(resent.body.delivery.status).toBe('pending');
    expect((await delivery(file.id)).status).toBe('pending');
    release();
    receiver.behave(answers.ok());
    await eventually(async () => expect((await delivery(file.id)).status).toBe('succeeded'));
    expect(receiver.received.filter((r) => r.fields.fileId === file.id)).toHaveLength(2);
    expect(receiver.concurrentDuplicates).toBe(0);
  });

  it('sends a test callback and reports the answer', async () => {
    const r = await call(s.url, 'POST', api('/integrations/callback/test'), { cookie: s.owner });
    expect(r.body).toMatchObject({ ok: true, status: 200 });
    expect(receiver.received.some((x) => x.fields.fileName === 'parley-test.txt' && x.signatureValid)).toBe(true);
  });

  it('keeps the integration admin-only (403 for agents, 404 across workspaces)', async () => {
    await addMember(s.url, s.owner, s.workspaceId, {
      email: 'cb-agent@example.test',
      password: 'agent-password',
      role: 'agent',
    });
    const agent = await login(s.url, 'cb-agent@example.test', 'agent-password');
    expect((await call(s.url, 'GET', api('/integrations/callback'), { cookie: agent })).status).toBe(403);
    expect((await call(s.url, 'GET', api('/deliveries'), { cookie: agent })).status).toBe(403);
    const other = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'CB other' } })).body
      .workspace;
    await addMember(s.url, s.owner, other.id, {
      email: 'cb-other@example.test',
      password: 'other-password',
      role: 'admin',
    });
    const otherAdmin = await login(s.url, 'cb-other@example.test', 'other-password');
    expect((await call(s.url, 'GET', api('/integrations/callback'), { cookie: otherAdmin })).status).toBe(404);
    const anyDelivery = (await call(s.url, 'GET', api('/deliveries'), { cookie: s.owner })).body.deliveries[0];
    expect(
      (
        await call(s.url, 'POST', `/api/workspaces/${other.id}/deliveries/${anyDelivery.id}/retry`, {
          cookie: otherAdmin,
        })
      ).status,
    ).toBe(404);
  });
});

describe('a receiver that never answers', () => {
  const short = useServer({ env: { PARLEY_CALLBACK_TIMEOUT_MS: '400' } });
  let hung: Receiver;
  let hungSecret: string | undefined;
  beforeAll(async () => {
    hung = await startReceiver(() => hungSecret, answers.hang());
    const saved = await call(short.url, 'PUT', `/api/workspaces/${short.workspaceId}/integrations/callback`, {
      cookie: short.owner,
      body: { url: hung.url, disabled: false },
    });
    expect(saved.status).toBe(200);
    hungSecret = saved.body.signingSecret;
  });
  afterAll(async () => {
    await hung?.close();
  });

  it('is retried after the callback timeout, and the attempt log says it timed out', async () => {
    await expectRetried(short, hung, /timed out/);
  });
});
