// List File's "Download as zip": a selection, or everything matching the filters, as one streamed zip whose entries
// are the stored bytes, named <chat ref>/<file name> (repeats get " (2)"); other workspaces' ids are 404 and
// the download is in the audit log. (The memory bound on a 2 GB zip: zip-memory.test.ts.)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { addMember, call, login, upload, widgetSession } from '../../support/client.js';
import { pdf, png } from '../../support/fixtures.js';
import { readZip } from '../../support/read-zip.js';

const s = useServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1000' } });
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function zipOf(workspaceId: string, body: unknown, cookie = s.owner) {
  const res = await fetch(`${s.url}/api/workspaces/${workspaceId}/files/zip`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), buf: Buffer.from(await res.arrayBuffer()) };
}

describe('List File zip download', () => {
  it('zips a selection with the stored bytes, unique names per chat, and never another workspace’s file', async () => {
    const ws = (await s.asOwner('POST', '/api/workspaces', { name: 'zips' })).body.workspace;
    const other = (await s.asOwner('POST', '/api/workspaces', { name: 'zips-other' })).body.workspace;
    const v = await widgetSession(s.url, ws.widgetKey);
    const vo = await widgetSession(s.url, other.widgetKey);
    const a = pdf(5000, 'a');
    const b = pdf(6000, 'b');
    const image = await png();
    const send = async (token: string, name: string, data: Buffer) =>
      (await upload(s.url, '/api/widget/chat/files', [{ name, data }], { token })).body.files[0];
    const f1 = await send(v.visitorToken, 'report.pdf', a);
    const f2 = await send(v.visitorToken, 'report.pdf', b);
    const f3 = await send(v.visitorToken, 'photo.png', image);
    const foreign = await send(vo.visitorToken, 'theirs.pdf', pdf());

    // Another workspace's id in the selection: 404 naming it, as for a file that never was; no zip, no audit entry.
    for (const stranger of [foreign.id, 'no-such-file-id']) {
      const refused = await zipOf(ws.id, { fileIds: [f1.id, stranger] });
      expect(refused.status).toBe(404);
      expect(JSON.parse(refused.buf.toString())).toEqual({
        error: { code: 'NOT_FOUND', message: expect.stringMatching(/nothing was done/), missing: [stranger] },
      });
    }
    expect((await s.asOwner('GET', `/api/workspaces/${ws.id}/audit?action=files.zip_downloaded`)).body.entries).toEqual(
      [],
    );

    const z = await zipOf(ws.id, { fileIds: [f1.id, f2.id, f3.id, f3.id] });
    expect(z.status).toBe(200);
    expect(z.type).toBe('application/zip');
    const entries = await readZip(z.buf);
    const ref = v.chat.ref;
    expect(entries.map((e) => e.name).sort()).toEqual([
      `${ref}/photo.png`,
      `${ref}/report (2).pdf`,
      `${ref}/report.pdf`,
    ]);
    const bySha = new Set(entries.map((e) => sha(e.data)));
    expect(bySha).toEqual(new Set([sha(a), sha(b), sha(image)]));

    const audit = (await s.asOwner('GET', `/api/workspaces/${ws.id}/audit?action=files.zip_downloaded`)).body.entries;
    expect(audit[0]).toMatchObject({ action: 'files.zip_downloaded', details: { selected: 4 } });
  });

  it('zips all files matching the filter (chat by short reference, type), and refuses an empty request', async () => {
    const ws = (await s.asOwner('POST', '/api/workspaces', { name: 'zip-filter' })).body.workspace;
    const v1 = await widgetSession(s.url, ws.widgetKey);
    const v2 = await widgetSession(s.url, ws.widgetKey);
    for (let i = 0; i < 3; i++)
      await upload(s.url, '/api/widget/chat/files', [{ name: `doc${i}.pdf`, data: pdf(3000, `${i}`) }], {
        token: v1.visitorToken,
      });
    await upload(s.url, '/api/widget/chat/files', [{ name: 'pic.png', data: await png() }], { token: v1.visitorToken });
    await upload(s.url, '/api/widget/chat/files', [{ name: 'elsewhere.pdf', data: pdf() }], { token: v2.visitorToken });

    const pdfsOfChat = await readZip((await zipOf(ws.id, { filter: { chatId: `#${v1.chat.ref}`, type: 'pdf' } })).buf);
    expect(pdfsOfChat.map((e) => e.name).sort()).toEqual([0, 1, 2].map((i) => `${v1.chat.ref}/doc${i}.pdf`));
    const all = await readZip((await zipOf(ws.id, { filter: {} })).buf);
    expect(all).toHaveLength(5);

    // A browser form (so the download streams to disk): the same request as the form field `request`.
    const form = await fetch(`${s.url}/api/workspaces/${ws.id}/files/zip`, {
      method: 'POST',
      headers: { cookie: s.owner, 'content-type': 'application/x-www-form-urlencoded', origin: s.url },
      body: new URLSearchParams({ request: JSON.stringify({ filter: { type: 'png' } }) }).toString(),
    });
    expect(form.status).toBe(200);
    expect((await readZip(Buffer.from(await form.arrayBuffer()))).map((e) => e.name)).toEqual([
      `${v1.chat.ref}/pic.png`,
    ]);
    // Only the download routes take forms; every other route still refuses them.
    const elsewhere = await fetch(`${s.url}/api/workspaces/${ws.id}/files/delete`, {
      method: 'POST',
      headers: { cookie: s.owner, 'content-type': 'application/x-www-form-urlencoded', origin: s.url },
      body: new URLSearchParams({ request: JSON.stringify({ fileIds: ['x'] }) }).toString(),
    });
    expect(elsewhere.status).toBe(415);

    const empty = await zipOf(ws.id, {});
    expect(empty.status).toBe(422);
    const agent = await addMember(s.url, s.owner, ws.id, {
      email: 'zip-agent@example.test',
      password: 'agent password 1',
      role: 'agent',
    });
    expect(agent).toBeTruthy();
    const agentCookie = await login(s.url, 'zip-agent@example.test', 'agent password 1');
    expect((await zipOf(ws.id, { filter: {} }, agentCookie)).status).toBe(403);
    expect((await call(s.url, 'POST', `/api/workspaces/${ws.id}/files/zip`, { body: { filter: {} } })).status).toBe(
      401,
    );
  });

  it('answers a failing zip or CSV with an error, never by taking the server down', async () => {
    const ws = (await s.asOwner('POST', '/api/workspaces', { name: 'zip-faults' })).body.workspace;
    const v = await widgetSession(s.url, ws.widgetKey);
    const send = async (name: string, data: Buffer) =>
      (await upload(s.url, '/api/widget/chat/files', [{ name, data }], { token: v.visitorToken })).body.files[0];
    const kept = await send('kept.pdf', pdf(4000, 'k'));
    const gone = await send('gone.pdf', pdf(4000, 'g'));
    // The bytes of one file vanish from storage (a disk or bucket fault).
    fs.rmSync(path.join(s.dataDir, 'files', 'ws', ws.id, gone.id));
    const healthy = async () => (await fetch(`${s.url}/healthz`)).status;

    // The zip's first bytes may be out before the missing file is reached: the download is cut (never a silently
    // short zip), or answered with an error; either way the server stays up.
    for (const fileIds of [[gone.id], [kept.id, gone.id]]) {
      const outcome = await zipOf(ws.id, { fileIds }).then(
        (z) => z.status,
        () => 'cut',
      );
      expect(outcome === 'cut' || (typeof outcome === 'number' && outcome >= 400)).toBe(true);
      expect(await healthy()).toBe(200);
    }

    // A date the schema admits but JavaScript cannot represent is refused before streaming, in the zip's filter
    // and in the CSV's query, as on List File itself.
    const leap = '2016-12-31T23:59:60Z';
    const zip = await zipOf(ws.id, { filter: { from: leap } });
    expect(zip.status).toBe(422);
    expect(JSON.parse(zip.buf.toString()).error.fields).toHaveProperty(['filter.from']);
    const csv = await s.asOwner('GET', `/api/workspaces/${ws.id}/files.csv?to=${leap}`);
    expect(csv.status).toBe(422);
    expect(csv.body.error.fields).toHaveProperty('to');
    expect(await healthy()).toBe(200);
  });
});
