// A visitor's data (GDPR articles 15, 17, 20): admins find a visitor by chat or by what the bot collected, export a
// zip of the transcript and files, and erase everything: chats, messages, files, uploads in progress, and the copies
// forwarded to the customer's bucket and callback. Proven on two nodes (PostgreSQL, Redis, S3 storage) and on one
// node with local disk.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNodes, useServer, type ServerHandle } from '../../support/server.js';
import { call, widgetSession } from '../../support/client.js';
import { pdf, png } from '../../support/fixtures.js';
import { startS3rver, type S3Server } from '../../support/s3rver.js';
import { startReceiver, type Receiver } from '../../support/receiver.js';
import { eventually } from '../../support/eventually.js';
import { connect } from '../../support/sockets.js';
import { tusCreate, tusPatch } from '../../support/tus.js';
import { readZip } from '../../support/read-zip.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const COPIES = 'erasure-copies';
let s3: S3Server;
let receiver: Receiver;
let secret: string | undefined;

beforeAll(async () => {
  s3 = await startS3rver([COPIES, 'erasure-primary']);
  receiver = await startReceiver(() => secret);
});
afterAll(async () => {
  await receiver?.close();
  await s3?.close();
});

const s3Client = () =>
  new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
const keysIn = async (bucket: string) =>
  ((await s3Client().send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);

/** Turns on both integrations with "Also delete forwarded copies". */
async function forwardCopies(node: ServerHandle, folder: string) {
  await node.asOwner('PUT', node.api('/integrations/s3'), {
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    region: 'us-east-1',
    bucket: COPIES,
    folder,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    disabled: false,
    deleteCopies: true,
  });
  const cb = await node.asOwner('PUT', node.api('/integrations/callback'), {
    url: receiver.url,
    disabled: false,
    deleteCopies: true,
  });
  secret = cb.body.signingSecret;
}

/** A visitor with `chats` chats (all but the last closed) holding `files` files between them, some from agents. */
async function visitorWithHistory(node: ServerHandle, chats: number, files: number) {
  let v = await widgetSession(node.url, node.widgetKey);
  const token = v.visitorToken;
  const chatIds: string[] = [];
  const fileIds: string[] = [];
  for (let c = 0; c < chats; c++) {
    if (c > 0) v = await widgetSession(node.url, node.widgetKey, token);
    chatIds.push(v.chat.id);
    const share = c === chats - 1 ? files - fileIds.length : Math.floor(files / chats);
    for (let i = 0; i < share; i++) {
      const agent = i % 4 === 3;
      const r = agent
        ? await node.upload(node.api(`/chats/${v.chat.id}/files`), [{ name: `answer ${c}-${i}.pdf`, data: pdf() }], {
            cookie: node.owner,
          })
        : await node.upload('/api/widget/chat/files', [{ name: `scan ${c}-${i}.pdf`, data: pdf(3000, `${c}${i}`) }], {
            token,
          });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      fileIds.push(r.body.files[0].id);
    }
    if (c < chats - 1) await node.asOwner('POST', node.api(`/chats/${v.chat.id}/close`), {});
  }
  const visitorId = (
    await node.parley.deps.db.selectFrom('chats').select('visitor_id').where('id', '=', chatIds[0]!).executeTakeFirst()
  )?.visitor_id as string;
  return { token, chatIds, fileIds, visitorId };
}

async function rowsLeft(node: ServerHandle, chatIds: string[], fileIds: string[], visitorId: string) {
  const db = node.parley.deps.db;
  const count = async (q: { execute(): Promise<unknown[]> }) => (await q.execute()).length;
  return {
    visitors: await count(db.selectFrom('visitors').select('id').where('id', '=', visitorId)),
    chats: await count(db.selectFrom('chats').select('id').where('id', 'in', chatIds)),
    messages: await count(db.selectFrom('messages').select('id').where('chat_id', 'in', chatIds)),
    files: await count(db.selectFrom('files').select('id').where('id', 'in', fileIds)),
    uploads: await count(db.selectFrom('resumable_uploads').select('id').where('chat_id', 'in', chatIds)),
    requests: await count(db.selectFrom('upload_requests').select('id').where('chat_id', 'in', chatIds)),
    // Forwards, and the deletions of the copies once done: their S3 keys name the files.
    deliveries: await count(db.selectFrom('deliveries').select('id').where('chat_id', 'in', chatIds)),
    attempts: await count(
      db
        .selectFrom('delivery_attempts')
        .innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')
        .select('delivery_attempts.id')
        .where('deliveries.chat_id', 'in', chatIds),
    ),
  };
}
const NOTHING = { visitors: 0, chats: 0, messages: 0, files: 0, uploads: 0, requests: 0, deliveries: 0, attempts: 0 };

// Both nodes store on one directory (a shared volume): s3rver cannot hold tus uploads (no multipart copy), and the
// upload in progress must be visible to both.
const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-erasure-'));
afterAll(() => fs.rmSync(shared, { recursive: true, force: true }));

/** Every file under a directory, recursively (stored bytes, thumbnails, tus data and metadata). */
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => d.name)
    : [];

describe('erasure on two nodes (PostgreSQL, Redis, one shared data volume)', () => {
  const [a, b] = useNodes(2, {
    dataDir: shared,
    env: { REDIS_URL, PARLEY_VISITOR_FILES_PER_MINUTE: '10000' },
  });

  it('erases a visitor with 3 chats and 20 files: no row, byte or object is left, every copy deleted', async () => {
    const node = a!;
    const other = b!;
    await forwardCopies(node, 'erase');
    const v = await visitorWithHistory(node, 3, 20);
    // Every file reached both copies before the erasure.
    await eventually(
      async () => {
        const ds = (await node.asOwner('GET', node.api('/deliveries?status=succeeded'))).body.deliveries;
        return ds.length >= 40;
      },
      { timeoutMs: 60_000 },
    );
    expect((await keysIn(COPIES)).length).toBe(20);
    // An upload in progress on node B, and the visitor's socket there.
    const tus = await tusCreate(other.url, { token: v.token }, 200_000, { filename: 'half.pdf' });
    expect(tus.status, JSON.stringify(tus.body)).toBe(201);
    expect((await tusPatch(tus.url!, { token: v.token }, 0, pdf(200_000).subarray(0, 100_000))).status).toBe(204);
    const socket = await connect(other.url, { token: v.token });
    const dropped = new Promise<string>((resolve) => socket.on('disconnect', (why) => resolve(why)));

    const erased = await node.asOwner('DELETE', node.api(`/visitors/${v.visitorId}`));
    expect(erased.status).toBe(202);
    expect(erased.body).toEqual({ chats: 3 });
    expect(await dropped).toBe('io server disconnect');
    // The widget's token no longer works anywhere.
    expect((await call(other.url, 'GET', '/api/widget/chat', { token: v.token })).status).toBe(401);

    await eventually(
      async () => {
        await Promise.all([node.parley.idle(), other.parley.idle()]);
        // An expect, so a timeout reports what is left.
        expect(await rowsLeft(node, v.chatIds, v.fileIds, v.visitorId)).toEqual(NOTHING);
      },
      // Includes the deletions of both copies (40 deliveries) reaching the bucket and the receiver.
      { timeoutMs: 120_000 },
    );
    // Nothing of the workspace is left on the volume: no bytes, thumbnails or tus data.
    await eventually(async () => filesUnder(path.join(shared, 'files', 'ws', node.workspaceId)).length === 0);
    await eventually(async () => filesUnder(path.join(shared, 'uploads')).length === 0);
    await eventually(async () => (await keysIn(COPIES)).length === 0, { timeoutMs: 60_000 });
    await receiver.waitFor(
      (all) => v.fileIds.every((id) => all.some((r) => r.json?.type === 'file.deleted' && r.json.fileId === id)),
      60_000,
    );
    const events = receiver.received.filter((r) => r.json?.type === 'file.deleted');
    expect(events.every((e) => e.signatureValid)).toBe(true);

    // One audit entry, without personal data: who erased which opaque visitor id, and how many chats.
    const audit = (await node.asOwner('GET', node.api('/audit?action=visitor.erased'))).body.entries;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: `visitor:${v.visitorId}`, details: { chats: 3 } });
    expect(JSON.stringify(audit[0])).not.toMatch(/scan |answer |\.pdf/);
    socket.close();
  }, 240_000); // two nodes forward 40 copies, then erase and delete them: over the 60 s default under CI load
});

describe('export and erasure on one node (local disk)', () => {
  const s = useServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '10000' } });

  it('pages the name search: every match is found, however many visitors the loose SQL match hits', async () => {
    const db = s.parley.deps.db;
    // 60 visitors the bot knows as "Pager n", and 120 whose state only has a key with that word (not an answer).
    const want = new Set<string>();
    for (let i = 0; i < 180; i++) {
      const v = await widgetSession(s.url, s.widgetKey);
      const vars = i % 3 === 0 ? { name: `Pager ${i}` } : { pagerStep: 'x', name: `Someone ${i}` };
      const state = JSON.stringify({ rev: 1, step: null, waiting: null, vars });
      await db.updateTable('chats').set({ bot_state: state }).where('id', '=', v.chat.id).execute();
      const visitor = await db.selectFrom('chats').select('visitor_id').where('id', '=', v.chat.id).executeTakeFirst();
      if (i % 3 === 0) want.add(visitor!.visitor_id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { status: number; body: any } = await s.asOwner(
        'GET',
        s.api(`/visitors?q=pager${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      );
      expect(r.status).toBe(200);
      expect(r.body.visitors.length).toBeLessThanOrEqual(50);
      seen.push(...r.body.visitors.map((x: { id: string }) => x.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(cursor).toBeNull();
    expect(seen).toHaveLength(want.size);
    expect(new Set(seen)).toEqual(want);
    // A cursor this list did not give is refused, not a first page.
    const bad = await s.asOwner('GET', s.api('/visitors?q=pager&cursor=chats.zzz'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
  });

  it('finds the visitor by chat reference or collected email and exports transcript and files as a zip', async () => {
    const v = await visitorWithHistory(s, 2, 5);
    const db = s.parley.deps.db;
    const state = JSON.stringify({
      rev: 3,
      step: null,
      waiting: null,
      vars: { name: 'Ada Lovelace', email: 'ada@example.test' },
    });
    await db.updateTable('chats').set({ bot_state: state }).where('id', '=', v.chatIds[0]!).execute();
    const image = await s.upload('/api/widget/chat/files', [{ name: 'photo.png', data: await png() }], {
      token: v.token,
    });
    expect(image.status).toBe(201);
    await s.call('POST', '/api/widget/chat/messages', { token: v.token, body: { text: 'Here is <b>my</b> photo' } });

    const chat = await db.selectFrom('chats').select('ref').where('id', '=', v.chatIds[1]!).executeTakeFirstOrThrow();
    const byRef = (await s.asOwner('GET', s.api(`/visitors?chat=%23${chat.ref.toLowerCase()}`))).body.visitors;
    expect(byRef.map((x: any) => x.id)).toEqual([v.visitorId]);
    const byEmail = (await s.asOwner('GET', s.api('/visitors?q=ADA@example'))).body.visitors;
    expect(byEmail).toEqual([
      expect.objectContaining({ id: v.visitorId, name: 'Ada Lovelace', email: 'ada@example.test' }),
    ]);
    expect(byEmail[0].chats).toHaveLength(2);
    // The JSON's keys are not answers.
    expect((await s.asOwner('GET', s.api('/visitors?q=waiting'))).body.visitors).toEqual([]);

    const res = await fetch(`${s.url}${s.api(`/visitors/${v.visitorId}/export`)}`, {
      method: 'POST',
      headers: { cookie: s.owner },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const entries = await readZip(Buffer.from(await res.arrayBuffer()));
    const names = entries.map((e) => e.name);
    expect(names.slice(0, 2)).toEqual(['transcript.json', 'transcript.html']);
    expect(names.filter((n) => n.startsWith('files/'))).toHaveLength(6);
    const transcript = JSON.parse(entries[0]!.data.toString());
    expect(transcript.visitor).toMatchObject({ id: v.visitorId, email: 'ada@example.test' });
    expect(transcript.chats).toHaveLength(2);
    const files = transcript.chats.flatMap((c: any) => c.messages.flatMap((m: any) => m.files));
    expect(files).toHaveLength(6);
    // Every file in the transcript points at its bytes in the zip, and they are the uploaded bytes.
    for (const f of files) {
      const entry = entries.find((e) => e.name === f.path)!;
      expect(entry.data.length).toBe(f.size);
      expect(crypto.createHash('sha256').update(entry.data).digest('hex')).toBe(f.sha256);
    }
    const html = entries[1]!.data.toString();
    expect(html).toContain('Here is &lt;b&gt;my&lt;/b&gt; photo');
    expect(html).not.toContain('<script');
    const audit = (await s.asOwner('GET', s.api('/audit?action=visitor.exported'))).body.entries;
    expect(audit[0]).toMatchObject({ target: `visitor:${v.visitorId}`, details: { chats: 2, files: 6 } });
  });

  it("finds and exports what Parley('identify') and the widget recorded about the visitor (found by QA)", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const identify = await s.call('POST', '/api/widget/chat/visitor', {
      token: v.visitorToken,
      body: {
        name: 'Grace <img src=x onerror=alert(1)>',
        email: 'grace@navy.test',
        attributes: { plan: '<script>alert(1)</script>', customerId: 'C-7781' },
        pageUrl: 'https://shop.example.com/cart',
      },
    });
    expect(identify.status).toBe(200);
    const visitorId = identify.body.chat.visitorId;
    for (const q of ['grace@navy', 'C-7781']) {
      const found = (await s.asOwner('GET', s.api(`/visitors?q=${encodeURIComponent(q)}`))).body.visitors;
      expect(found).toEqual([expect.objectContaining({ id: visitorId, email: 'grace@navy.test' })]);
    }
    const res = await fetch(`${s.url}${s.api(`/visitors/${visitorId}/export`)}`, {
      method: 'POST',
      headers: { cookie: s.owner },
    });
    expect(res.status).toBe(200);
    const entries = await readZip(Buffer.from(await res.arrayBuffer()));
    const transcript = JSON.parse(entries[0]!.data.toString());
    expect(transcript.visitor).toMatchObject({ name: 'Grace <img src=x onerror=alert(1)>', email: 'grace@navy.test' });
    expect(transcript.chats[0].visitor).toMatchObject({
      attributes: { plan: '<script>alert(1)</script>', customerId: 'C-7781' },
      pageUrl: 'https://shop.example.com/cart',
    });
    const html = entries[1]!.data.toString();
    expect(html).toContain('C-7781');
    expect(html).toContain('https://shop.example.com/cart');
    expect(html).toContain('Grace &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
  });

  // File names are data in URLs too (Rocket.Chat #10604): "invoice #12.pdf" must not link to "invoice " plus a
  // fragment. The page is opened from the unpacked zip, so its links resolve against the page's own place.
  it('links each file in transcript.html to its entry in the zip, whatever its name holds (# ? % &)', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const names = ['invoice #12.pdf', 'what?.txt', '100% sure.txt', `it's "fine".txt`, 'a&b <c>.txt'];
    const data = (name: string) => (name.endsWith('.pdf') ? pdf(3000, name) : Buffer.from(`${name}\n`));
    const sent = await s.upload(
      '/api/widget/chat/files',
      names.map((name) => ({ name, data: data(name) })),
      { token: v.visitorToken },
    );
    expect(sent.status).toBe(201);
    const chat = await s.parley.deps.db
      .selectFrom('chats')
      .select('visitor_id')
      .where('id', '=', v.chat.id)
      .executeTakeFirstOrThrow();
    const res = await fetch(`${s.url}${s.api(`/visitors/${chat.visitor_id}/export`)}`, {
      method: 'POST',
      headers: { cookie: s.owner },
    });
    expect(res.status).toBe(200);
    const entries = await readZip(Buffer.from(await res.arrayBuffer()));
    const html = entries.find((e) => e.name === 'transcript.html')!.data.toString();
    const fromHtml = (text: string) =>
      text.replace(
        /&(amp|lt|gt|quot|#39);/g,
        (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e as 'amp'],
      );
    const page = new URL('file:///export/transcript.html');
    const linked = [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map(([, href, label]) => {
      const target = new URL(fromHtml(href!), page);
      expect(target.search + target.hash, `the link of ${label}`).toBe('');
      const entry = entries.find((e) => `/export/${e.name}` === decodeURIComponent(target.pathname));
      return { label: fromHtml(label!), entry: entry?.name, data: entry?.data };
    });
    expect(linked).toHaveLength(names.length);
    for (const name of names) {
      const link = linked.find((l) => l.label.startsWith(`${name} (`));
      expect(link?.entry, name).toMatch(/^files\/[A-Z0-9]+\//);
      expect(link!.data).toEqual(data(name));
    }
  });

  it("erases files, thumbnails and an upload in progress from local disk; others' visitors are 404", async () => {
    const v = await visitorWithHistory(s, 1, 3);
    await s.upload('/api/widget/chat/files', [{ name: 'photo.png', data: await png() }], { token: v.token });
    await s.parley.idle(); // the thumbnail exists
    const tus = await tusCreate(s.url, { token: v.token }, 100_000, { filename: 'half.pdf' });
    await tusPatch(tus.url!, { token: v.token }, 0, pdf(100_000).subarray(0, 50_000));
    const uploadId = tus.url!.split('/').pop()!;
    const tusDir = path.join(s.dataDir, 'uploads');
    expect(fs.readdirSync(tusDir).some((n) => n.startsWith(uploadId))).toBe(true);
    const keys = (
      await s.parley.deps.db
        .selectFrom('files')
        .select(['storage_key', 'thumbnail_key'])
        .where('chat_id', '=', v.chatIds[0]!)
        .execute()
    ).flatMap((f) => [f.storage_key, f.thumbnail_key].filter(Boolean) as string[]);
    expect(keys.length).toBe(5);

    const ws = (await s.asOwner('POST', '/api/workspaces', { name: 'elsewhere' })).body.workspace;
    expect((await s.asOwner('DELETE', `/api/workspaces/${ws.id}/visitors/${v.visitorId}`)).status).toBe(404);
    expect((await s.asOwner('POST', `/api/workspaces/${ws.id}/visitors/${v.visitorId}/export`)).status).toBe(404);

    expect((await s.asOwner('DELETE', s.api(`/visitors/${v.visitorId}`))).status).toBe(202);
    await s.parley.idle();
    expect(await rowsLeft(s, v.chatIds, v.fileIds, v.visitorId)).toEqual(NOTHING);
    for (const key of keys) expect(await s.parley.deps.storage.stat(key)).toBeUndefined();
    await eventually(async () => {
      await s.parley.idle();
      return !fs.readdirSync(tusDir).some((n) => n.startsWith(uploadId));
    });
    // Erasing again: nothing is there any more.
    expect((await s.asOwner('DELETE', s.api(`/visitors/${v.visitorId}`))).status).toBe(404);
  });

  // On PostgreSQL every request started its own erasure, with its own audit entry (found by QA).
  it('erases once when asked several times at once: one 202, the others 404, one audit entry', async () => {
    const v = await visitorWithHistory(s, 1, 1);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => s.asOwner('DELETE', s.api(`/visitors/${v.visitorId}`))),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 404, 404, 404, 404]);
    await s.parley.idle();
    expect(await rowsLeft(s, v.chatIds, v.fileIds, v.visitorId)).toEqual(NOTHING);
    const entries = (await s.asOwner('GET', s.api('/audit?action=visitor.erased'))).body.entries;
    expect(entries.filter((e: any) => e.target === `visitor:${v.visitorId}`)).toHaveLength(1);
  });

  it('removes deletions of copies that finished before the chats were deleted (found by CI)', async () => {
    const v = await visitorWithHistory(s, 1, 1);
    // The deletion of a copy that already succeeded while the erasure was still purging files: it names the file.
    const now = new Date().toISOString();
    const db = s.parley.deps.db;
    const done = { workspace_id: s.workspaceId, file_id: v.fileIds[0]!, chat_id: v.chatIds[0]!, attempts: 1 };
    await db
      .insertInto('deliveries')
      .values(
        [
          {
            ...done,
            id: 'd-s3-delete-done',
            kind: 's3-delete' as const,
            status: 'succeeded' as const,
            s3_key: 'erase/chat/scan.pdf',
          },
          { ...done, id: 'd-event-done', kind: 'callback-event' as const, status: 'succeeded' as const, s3_key: null },
        ].map((d) => ({
          ...d,
          next_attempt_at: now,
          lease_owner: null,
          lease_until: null,
          last_error: null,
          remote_uid: null,
          remote_url: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    await db
      .insertInto('delivery_attempts')
      .values({
        id: 'a-done',
        delivery_id: 'd-s3-delete-done',
        started_at: now,
        finished_at: now,
        outcome: 'succeeded',
        http_status: 204,
        error: null,
      })
      .execute();
    expect((await s.asOwner('DELETE', s.api(`/visitors/${v.visitorId}`))).status).toBe(202);
    await s.parley.idle();
    expect(await rowsLeft(s, v.chatIds, v.fileIds, v.visitorId)).toEqual(NOTHING);
  });
});

describe('erasure with S3 storage', () => {
  const PRIMARY = 'erasure-primary';
  const s = useServer(() => ({
    env: {
      PARLEY_VISITOR_FILES_PER_MINUTE: '10000',
      PARLEY_STORAGE: 's3',
      PARLEY_S3_BUCKET: PRIMARY,
      PARLEY_S3_ENDPOINT: s3.endpoint,
      PARLEY_S3_FORCE_PATH_STYLE: 'true',
      PARLEY_S3_ACCESS_KEY_ID: s3.accessKeyId,
      PARLEY_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PARLEY_S3_REGION: s3.region,
    },
  }));

  it("removes every stored object of the visitor's files (bytes and thumbnails) from the bucket", async () => {
    const v = await visitorWithHistory(s, 2, 4);
    await s.upload('/api/widget/chat/files', [{ name: 'photo.png', data: await png() }], { token: v.token });
    await s.parley.idle(); // the thumbnail exists
    const prefix = `ws/${s.workspaceId}/`;
    const stored = (await keysIn(PRIMARY)).filter((k) => k.startsWith(prefix));
    expect(stored.length).toBe(6); // five files and one thumbnail
    expect((await s.asOwner('DELETE', s.api(`/visitors/${v.visitorId}`))).status).toBe(202);
    await eventually(async () => {
      await s.parley.idle();
      return (await keysIn(PRIMARY)).filter((k) => k.startsWith(prefix)).length === 0;
    });
    expect(await rowsLeft(s, v.chatIds, v.fileIds, v.visitorId)).toEqual(NOTHING);
  });
});
