// Malware scanning against a real clamd (started by the test with its own signature database): refused inline,
// held and quarantined after the fact, released and forwarded when clean, and both scanner-down policies.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { collect, connect } from '../../support/sockets.js';
import { pdf } from '../../support/fixtures.js';
import { snapshot } from '../../support/leftovers.js';
import { answers, startReceiver, type Receiver } from '../../support/receiver.js';
import {
  CLAMD_BINARY,
  EICAR,
  EICAR_SIGNATURE,
  MARKER_SIGNATURE,
  TEST_MARKER,
  startClamd,
  type Clamd,
} from '../../support/clamd.js';
import { zip } from '../../support/zip.js';
import { eventually } from '../../support/eventually.js';

let s: TestServer;
let clamd: Clamd;
let owner: string;
let receiver: Receiver;
let secret: string | undefined;
const api = (p: string) => `/api/workspaces/${s.workspaceId}${p}`;
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const STREAM_MAX_KB = 1024;

beforeAll(async () => {
  clamd = await startClamd({ maxStreamKb: STREAM_MAX_KB });
  s = await startServer({
    env: {
      PARLEY_CLAMAV: clamd.address,
      PARLEY_CLAMAV_STREAM_MAX_KB: String(STREAM_MAX_KB),
      PARLEY_VISITOR_FILES_PER_MINUTE: '1000',
    },
  });
  owner = await login(s.url, s.admin.email, s.admin.password);
  receiver = await startReceiver(() => secret, answers.ok());
  const saved = await call(s.url, 'PUT', api('/integrations/callback'), {
    cookie: owner,
    body: { url: receiver.url, disabled: false },
  });
  secret = saved.body.signingSecret;
}, 60_000);
afterAll(async () => {
  await s?.close();
  await receiver?.close();
  await clamd?.close();
});

const setPolicy = (whenScannerDown: 'refuse' | 'accept') =>
  call(s.url, 'PUT', api('/settings/content-safety'), { cookie: owner, body: { whenScannerDown } });

/** A PDF larger than clamd's stream limit, with our test signature near its end when `infected`. */
function largePdf(infected: boolean): Buffer {
  const body = pdf(STREAM_MAX_KB * 1024 * 2 + 12_345, infected ? 'i' : 'c');
  if (infected) TEST_MARKER.copy(body, body.length - 5000);
  return body;
}

async function visitorUpload(name: string, data: Buffer, v?: Awaited<ReturnType<typeof widgetSession>>) {
  v ??= await widgetSession(s.url, s.widgetKey);
  const r = await upload(s.url, '/api/widget/chat/files', [{ name, data }], { token: v.visitorToken });
  return { v, r };
}

// Like the browser tests: skipped where Debian's clamav-daemon is not installed, never under CI=true
// (.ci/run installs it).
const describeScan = CLAMD_BINARY || process.env.CI ? describe : describe.skip;

describeScan('scanning inline (files up to the stream limit)', () => {
  it('refuses an EICAR upload with 422 MALWARE_DETECTED naming the signature, and stores nothing', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const before = await snapshot(s);
    const { r } = await visitorUpload('notes.txt', EICAR, v);
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'MALWARE_DETECTED', signature: EICAR_SIGNATURE });
    expect(r.body.error.message).toContain(EICAR_SIGNATURE);
    expect(await snapshot(s)).toEqual(before);
  });

  it('refuses EICAR inside a zip (stored and deflated) and stores nothing', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    for (const deflate of [false, true]) {
      const before = await snapshot(s);
      const archive = zip([
        { name: 'readme.txt', data: Buffer.from('hello\n'), deflate },
        { name: 'tools/eicar.com', data: EICAR, deflate },
      ]);
      const { r } = await visitorUpload('bundle.zip', archive, v);
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'MALWARE_DETECTED', signature: EICAR_SIGNATURE });
      expect(await snapshot(s)).toEqual(before);
    }
  });

  it('refuses the whole request when one of several files is infected', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const before = await snapshot(s);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'ok.pdf', data: pdf(30_000) },
        { name: 'bad.txt', data: EICAR },
      ],
      { token: v.visitorToken },
    );
    expect(r.status).toBe(422);
    expect(await snapshot(s)).toEqual(before);
  });

  it('accepts a clean file at once with scan: clean, visible and forwarded as usual', async () => {
    const data = pdf(40_000);
    const { r } = await visitorUpload('clean.pdf', data);
    expect(r.status).toBe(201);
    expect(r.body.files[0]).toMatchObject({ scan: 'clean', sha256: sha(data) });
    const got = await call(s.url, 'GET', `/api/files/${r.body.files[0].id}`, { cookie: owner });
    expect(got.body.file.scan).toBe('clean');
    await receiver.waitFor((all) => all.some((x) => x.fields.fileId === r.body.files[0].id));
  });
});

describeScan('files larger than the stream limit are held and scanned by a job', () => {
  it('holds a large infected file from everyone but its uploader, then quarantines it; an admin may release it', async () => {
    const agent = await connect(s.url, {}, { cookie: owner });
    const agentCreated = collect(agent, 'message.created');
    const data = largePdf(true);
    const v = await widgetSession(s.url, s.widgetKey);
    const visitor = await connect(s.url, { token: v.visitorToken });
    const visitorCreated = collect(visitor, 'message.created');
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'big.pdf', data }], { token: v.visitorToken });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const file = r.body.files[0];
    expect(file.scan).toBe('pending');

    // While held: the visitor sees it but cannot download; agents do not know of it; nothing is forwarded.
    const held = await call(s.url, 'GET', `/api/files/${file.id}`, { token: v.visitorToken });
    expect(held.body.file.scan).toBe('pending');
    expect((await fetch(s.url + file.url)).status).toBe(403);
    await s.parley.idle();

    const blocked = await visitorCreated.next((p) => p.message.text === 'File blocked: it contains malware');
    expect(blocked.message.authorRole).toBe('system');
    await agentCreated.next(
      (p) => p.message.text === 'File blocked: it contains malware' && p.message.chatId === v.chat.id,
    );
    const after = await call(s.url, 'GET', `/api/files/${file.id}`, { cookie: owner });
    expect(after.body.file).toMatchObject({ scan: 'infected', scanSignature: MARKER_SIGNATURE });
    // Never downloadable: not by the visitor's signed URL, not by the admin, not from storage under its key.
    expect((await fetch(s.url + file.url)).status).toBe(403);
    expect((await fetch(`${s.url}/api/files/${file.id}/content`, { headers: { cookie: owner } })).status).toBe(403);
    const keys = await s.parley.deps.storage.list(`ws/${s.workspaceId}/${file.id}`);
    expect(keys).toEqual([]);
    const row = await s.parley.deps.db
      .selectFrom('files')
      .selectAll()
      .where('id', '=', file.id)
      .executeTakeFirstOrThrow();
    expect(row.storage_key.startsWith('quarantine/')).toBe(true);
    expect(receiver.received.some((x) => x.fields.fileId === file.id)).toBe(false);
    const deliveries = await call(s.url, 'GET', api(`/deliveries?fileId=${file.id}`), { cookie: owner });
    expect(deliveries.body.deliveries).toEqual([]);
    // List File shows it with its signature.
    const list = await call(s.url, 'GET', api(`/files?q=big.pdf`), { cookie: owner });
    expect(list.body.files.find((f: any) => f.id === file.id)).toMatchObject({
      scan: 'infected',
      scanSignature: MARKER_SIGNATURE,
    });
    // Backfill never forwards it either.
    await call(s.url, 'POST', api('/deliveries/backfill'), { cookie: owner, body: { kind: 'callback' } });
    await s.parley.idle();
    expect(receiver.received.some((x) => x.fields.fileId === file.id)).toBe(false);

    // Release needs confirm: true, and then the file is announced and forwarded.
    const unconfirmed = await call(s.url, 'POST', api(`/files/${file.id}/release`), { cookie: owner, body: {} });
    expect(unconfirmed.status).toBe(422);
    const released = await call(s.url, 'POST', api(`/files/${file.id}/release`), {
      cookie: owner,
      body: { confirm: true },
    });
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body.file).toMatchObject({ scan: 'infected', scanSignature: MARKER_SIGNATURE });
    expect(released.body.file.releasedAt).toBeTruthy();
    const audit = await call(s.url, 'GET', api('/audit?action=file.released'), { cookie: owner });
    expect(audit.body.entries.some((e: any) => e.target === `file:${file.id}`)).toBe(true);
    const dl = await fetch(`${s.url}/api/files/${file.id}/content`, { headers: { cookie: owner } });
    expect(dl.status).toBe(200);
    expect(sha(Buffer.from(await dl.arrayBuffer()))).toBe(sha(data));
    await receiver.waitFor((all) => all.some((x) => x.fields.fileId === file.id));
    agent.close();
    visitor.close();
  }, 60_000);

  // A double click on "Release" (or two admins at once) sent the file to the receiver once per request (found by QA).
  it('releases a quarantined file once when the confirmation arrives several times at once', async () => {
    const data = largePdf(true);
    const { r } = await visitorUpload('twice.pdf', data);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const file = r.body.files[0];
    await s.parley.idle();
    expect((await call(s.url, 'GET', `/api/files/${file.id}`, { cookie: owner })).body.file.scan).toBe('infected');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(s.url, 'POST', api(`/files/${file.id}/release`), { cookie: owner, body: { confirm: true } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('CONFLICT');
    await s.parley.idle();
    const deliveries = await call(s.url, 'GET', api(`/deliveries?fileId=${file.id}`), { cookie: owner });
    expect(deliveries.body.deliveries).toHaveLength(1);
    await receiver.waitFor((all) => all.some((x) => x.fields.fileId === file.id));
    expect(receiver.received.filter((x) => x.fields.fileId === file.id)).toHaveLength(1);
    const audit = await call(s.url, 'GET', api('/audit?action=file.released'), { cookie: owner });
    expect(audit.body.entries.filter((e: any) => e.target === `file:${file.id}`)).toHaveLength(1);
    const dl = await fetch(`${s.url}/api/files/${file.id}/content`, { headers: { cookie: owner } });
    expect(dl.status).toBe(200);
    expect(sha(Buffer.from(await dl.arrayBuffer()))).toBe(sha(data));
    expect(await s.parley.deps.storage.list(`quarantine/ws/${s.workspaceId}/${file.id}`)).toEqual([]);
  }, 60_000);

  // clamd reads a stream that starts with a zip's header as a zip and looks for its central directory, which lies
  // beyond the first window: a member in that window went unseen and the file was released as clean (found by QA).
  it('finds malware in the first member of a zip larger than one clamd stream', async () => {
    const padding = crypto.randomBytes(STREAM_MAX_KB * 1024 * 2 + 777);
    for (const deflate of [true, false]) {
      const archive = zip([
        { name: 'tools/eicar.com', data: EICAR, deflate },
        { name: 'video.bin', data: padding },
      ]);
      const { r } = await visitorUpload('bundle.zip', archive);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.files[0].scan).toBe('pending');
      await s.parley.idle();
      const after = await call(s.url, 'GET', `/api/files/${r.body.files[0].id}`, { cookie: owner });
      expect(after.body.file).toMatchObject({ scan: 'infected', scanSignature: EICAR_SIGNATURE });
    }
  }, 60_000);

  it('releases a large clean file after its scan: announced to agents then, and forwarded', async () => {
    const agent = await connect(s.url, {}, { cookie: owner });
    const agentCreated = collect(agent, 'message.created');
    const data = largePdf(false);
    const { r } = await visitorUpload('big-clean.pdf', data);
    expect(r.status).toBe(201);
    const file = r.body.files[0];
    expect(file.scan).toBe('pending');
    await s.parley.idle();
    const seen = await agentCreated.next((p) => p.message.id === r.body.message.id);
    expect(seen.message.files[0]).toMatchObject({ id: file.id, scan: 'clean' });
    await receiver.waitFor((all) => all.some((x) => x.fields.fileId === file.id && x.file?.sha256 === sha(data)));
    const dl = await fetch(s.url + seen.message.files[0].url, { headers: { cookie: owner } });
    expect(sha(Buffer.from(await dl.arrayBuffer()))).toBe(sha(data));
    agent.close();
  }, 60_000);
});

describeScan('when clamd is down', () => {
  it('refuses uploads with 503 SCANNER_UNAVAILABLE by default, storing nothing', async () => {
    await setPolicy('refuse');
    await clamd.stop();
    try {
      const v = await widgetSession(s.url, s.widgetKey);
      const before = await snapshot(s);
      const { r } = await visitorUpload('doc.pdf', pdf(10_000), v);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('SCANNER_UNAVAILABLE');
      expect(r.headers.get('retry-after')).toBeTruthy();
      expect(await snapshot(s)).toEqual(before);
      const ready = await fetch(`${s.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks.scanner).not.toBe('ok');
    } finally {
      await clamd.start();
    }
  }, 60_000);

  it('accepts and holds uploads when the workspace says so, and scans them when clamd is back', async () => {
    expect((await setPolicy('accept')).body.whenScannerDown).toBe('accept');
    await clamd.stop();
    let fileId: string;
    let infectedId: string;
    let agentMessageId: string;
    const v = await widgetSession(s.url, s.widgetKey);
    try {
      const { r } = await visitorUpload('later.pdf', pdf(10_000), v);
      expect(r.status).toBe(201);
      fileId = r.body.files[0].id;
      const heldMessageId = r.body.message.id as string;
      expect(r.body.files[0].scan).toBe('pending');
      // An agent's held upload: the visitor does not see the message or the file until it is released.
      const sent = await upload(s.url, api(`/chats/${v.chat.id}/files`), [{ name: 'offer.pdf', data: pdf(9000) }], {
        cookie: owner,
      });
      expect(sent.status).toBe(201);
      expect(sent.body.files[0].scan).toBe('pending');
      agentMessageId = sent.body.message.id;
      const files = await call(s.url, 'GET', '/api/widget/chat/files', { token: v.visitorToken });
      expect(files.body.files.map((f: any) => f.id)).toEqual([fileId]);
      const messages = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
      expect(messages.body.messages.some((m: any) => m.id === agentMessageId)).toBe(false);
      const byId = await call(s.url, 'GET', `/api/files/${sent.body.files[0].id}`, { token: v.visitorToken });
      expect(byId.status).toBe(404);
      // …and agents do not see the visitor's held file in the side panel.
      const panel = await call(s.url, 'GET', api(`/chats/${v.chat.id}/files`), { cookie: owner });
      expect(panel.body.files.some((f: any) => f.id === fileId)).toBe(false);
      const bad = await visitorUpload('later.txt', EICAR);
      expect(bad.r.status).toBe(201);
      infectedId = bad.r.body.files[0].id;
      // The job's first attempt fails while clamd is down; it stays queued.
      await s.parley.deps.jobs.wake();
      // Wait for that attempt to have run (its error recorded), so the check below is not made before it.
      await eventually(async () => {
        const job = await s.parley.deps.db
          .selectFrom('jobs')
          .select('last_error')
          .where('kind', '=', 'files.scan')
          .where('payload', 'like', `%${heldMessageId}%`)
          .executeTakeFirstOrThrow();
        expect(job.last_error).toBeTruthy();
      });
      expect(receiver.received.some((x) => x.fields.fileId === fileId)).toBe(false);
    } finally {
      await clamd.start();
      await setPolicy('refuse');
    }
    // The retry comes due (backoff shortened for the test) and the files are decided.
    await s.parley.deps.db
      .updateTable('jobs')
      .set({ run_at: new Date().toISOString() })
      .where('kind', '=', 'files.scan')
      .execute();
    await s.parley.idle();
    const clean = await call(s.url, 'GET', `/api/files/${fileId!}`, { cookie: owner });
    expect(clean.body.file.scan).toBe('clean');
    const infected = await call(s.url, 'GET', `/api/files/${infectedId!}`, { cookie: owner });
    expect(infected.body.file).toMatchObject({ scan: 'infected', scanSignature: EICAR_SIGNATURE });
    await receiver.waitFor((all) => all.some((x) => x.fields.fileId === fileId));
    const messages = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    expect(messages.body.messages.some((m: any) => m.id === agentMessageId)).toBe(true);
  }, 60_000);
});
