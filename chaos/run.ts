// `npm run chaos`: two Parley nodes on PostgreSQL + Redis + S3 storage under visitor and agent load, while random
// faults hit them for a fixed number of rounds — SIGKILLed nodes (restarted), terminated PostgreSQL backends, Redis
// restarts, a callback receiver that fails, and S3 outages (the storage and the customer's bucket). Then the faults
// stop, deliveries settle, and every write a client saw acknowledged (2xx) is checked: each message and file is there
// exactly once, each file's bytes download unchanged, each of its deliveries reached a final state, the callback
// receiver got it and the customer's bucket holds it. Prints the figures; exits 1 if anything was lost.
//
// CHAOS_SEED (random, printed), CHAOS_ROUNDS (20), CHAOS_ROUND_MS (2500), CHAOS_OUTPUT_DIR (each node's output,
// kept). Needs PostgreSQL (PARLEY_TEST_PG_URL or
// postgres://postgres@127.0.0.1:5432/test) and a redis-server binary (it starts its own on a free port).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { call, login, upload, widgetSession, type VisitorSession } from '../test/support/client.js';
import { BASE_PG_URL, createPgDatabase } from '../test/support/databases.js';
import { pdf } from '../test/support/fixtures.js';
import { spawnServer, type ServerProcess } from '../test/support/process.js';
import { answers, startReceiver, type Behaviour } from '../test/support/receiver.js';
import { s3ClientFor, s3StorageEnv, startS3rver, type S3Server } from '../test/support/s3rver.js';
import { freePort, startRedis, stopRedis } from '../test/support/redis.js';
import { tusCreate, tusHead, tusPatch } from '../test/support/tus.js';

const SEED = Number(process.env.CHAOS_SEED ?? crypto.randomInt(1, 2 ** 31));
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 20);
const ROUND_MS = Number(process.env.CHAOS_ROUND_MS ?? 2500);
const SETTLE_MS = Number(process.env.CHAOS_SETTLE_MS ?? 180_000);
const ADMIN = { email: 'chaos@example.test', password: 'chaos monkey battery staple' };

// mulberry32: a small seeded generator, so a run can be replayed with its seed (the timing still varies).
let rngState = SEED >>> 0;
function rand(): number {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Buffer | Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const log = (...a: unknown[]) => console.log(`[chaos ${new Date().toISOString().slice(11, 23)}]`, ...a);

// ---- the world ----
interface Node {
  name: string;
  port: number;
  dataDir: string;
  server?: ServerProcess;
  starting?: Promise<void>;
  /** Output of earlier lives (killed processes), for the final check of crash lines. */
  pastOutput: string;
  /** Exits the chaos did not cause (a crash). */
  unexpectedExits: number;
  killing?: boolean;
}

interface AckFile {
  id: string;
  name: string;
  sha256: string;
  size: number;
  via: 'visitor-multipart' | 'agent-multipart' | 'visitor-tus';
}

const faults: Record<string, number> = {
  'node SIGKILL': 0,
  'PostgreSQL backends terminated': 0,
  'Redis restart': 0,
  'receiver 500': 0,
  'receiver reset': 0,
  'receiver hang': 0,
  'storage S3 outage': 0,
  'customer S3 outage': 0,
};
const attempts = { messages: 0, files: 0 };
/** Resumable uploads: created, finished after resuming, gone (404/410) after their creation, given up after 60 s. */
const tus = {
  started: 0,
  resumed: 0,
  vanished: 0,
  abandoned: 0,
  vanishedHistory: [] as string[],
  /** What each upload given up went through (not a loss: a client gives up; printed to see why it could not end). */
  abandonedHistory: [] as string[],
  vanishedIds: [] as string[],
};
const refused = new Map<string, number>();
/** Node starts that refused to run (a dependency down at boot), by the reason the node gave. */
const startRefusals = new Map<string, number>();
const acked = { messages: [] as { id: string; text: string }[], files: [] as AckFile[] };

function noteRefusal(kind: string) {
  refused.set(kind, (refused.get(kind) ?? 0) + 1);
}

async function main() {
  log(`seed ${SEED}, ${ROUNDS} rounds of ${ROUND_MS} ms (replay: CHAOS_SEED=${SEED})`);
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    return await run(cleanups);
  } finally {
    await cleanup();
  }
}

async function run(cleanups: (() => Promise<unknown> | unknown)[]): Promise<number> {
  const db = await createPgDatabase(BASE_PG_URL);
  cleanups.push(() => db.drop());
  const redisPort = await freePort();
  let redis = await startRedis(redisPort);
  cleanups.push(() => stopRedis(redis));
  const storage = await startS3rver(['parley-primary']);
  cleanups.push(() => storage.close());
  const customer = await startS3rver(['customer-bucket']);
  cleanups.push(() => customer.close());

  // The callback receiver: its answer is switched by the faults; what it acknowledged (200) is counted per file.
  let signingSecret: string | undefined;
  const delivered = new Map<string, { count: number; sha256: string; webhookIds: Set<string> }>();
  const ok = answers.ok();
  const healthy: Behaviour = async (r, res) => {
    const id = r.fields.fileId ?? '';
    const seen = delivered.get(id) ?? { count: 0, sha256: r.file?.sha256 ?? '', webhookIds: new Set<string>() };
    seen.count++;
    seen.webhookIds.add(r.webhookId);
    if (r.file && seen.sha256 !== r.file.sha256) seen.sha256 = `MISMATCH ${seen.sha256} ${r.file.sha256}`;
    if (!r.signatureValid) seen.sha256 = 'BAD SIGNATURE';
    delivered.set(id, seen);
    await ok(r, res);
  };
  const receiver = await startReceiver(() => signingSecret, healthy);
  cleanups.push(() => receiver.close());

  const baseEnv: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    ...s3StorageEnv(storage, 'parley-primary'),
    PARLEY_S3_REGION: storage.region,
    PARLEY_ADMIN_EMAIL: ADMIN.email,
    PARLEY_ADMIN_PASSWORD: ADMIN.password,
    PARLEY_SECRET_KEY: 'chaos-secret-key-shared-by-both-nodes',
    PARLEY_ALLOW_PRIVATE_CALLBACKS: 'true',
    // Retries outlast any outage here (the longest is ~4 s): a dead delivery would be a loss of the receiver's copy.
    PARLEY_DELIVERY_SCHEDULE: Array(30).fill('1').join(','),
    PARLEY_DELIVERY_POLL_MS: '100',
    PARLEY_DELIVERY_LEASE_SECONDS: '4',
    PARLEY_CALLBACK_TIMEOUT_MS: '2000',
    PARLEY_JOB_POLL_MS: '200',
    PARLEY_JOB_LEASE_SECONDS: '5',
    PARLEY_VISITOR_FILES_PER_MINUTE: '100000',
    PARLEY_VISITOR_MB_PER_HOUR: '100000',
    PARLEY_VISITOR_SESSIONS_PER_IP_HOUR: '100000',
    PARLEY_VISITOR_MESSAGES_PER_MINUTE: '1000000',
    PARLEY_UPLOADS_PER_VISITOR: '50',
    PARLEY_UPLOAD_IDLE_TIMEOUT_S: '30',
    // CHAOS_LOG_LEVEL=info adds every request's line (with CHAOS_OUTPUT_DIR, to follow one upload); CHAOS_DEBUG is
    // the nodes' DEBUG (tus-node-server:* for the upload library's own steps).
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    ...(process.env.CHAOS_DEBUG ? { DEBUG: process.env.CHAOS_DEBUG } : {}),
  };
  const nodes: Node[] = [];
  for (const name of ['A', 'B']) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `parley-chaos-${name}-`));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    nodes.push({ name, port: await freePort(), dataDir, pastOutput: '', unexpectedExits: 0 });
  }
  let stopping = false;
  const startNode = (n: Node) => {
    n.starting = (async () => {
      for (let tries = 0; ; tries++) {
        try {
          const server = await spawnServer({ ...baseEnv, PORT: String(n.port), PARLEY_DATA_DIR: n.dataDir });
          server.child.once('exit', () => {
            if (n.killing || stopping) return;
            n.unexpectedExits++;
            n.pastOutput += server.output();
            if (n.server === server) n.server = undefined;
            const tail = server.output().trim().split('\n').slice(-5).join('\n    ');
            log(`node ${n.name} exited by itself (${server.child.exitCode ?? server.child.signalCode}):\n    ${tail}`);
            void startNode(n);
          });
          n.server = server;
          return;
        } catch (err) {
          // A start during an outage (Redis or S3 down, PostgreSQL terminated mid-migration) may refuse to start,
          // by design (it names what is missing and exits): counted, and tried again.
          const reason = /"level":60[^\n]*"msg":"([^"]*)"/.exec(String((err as Error).message))?.[1] ?? 'other';
          startRefusals.set(reason, (startRefusals.get(reason) ?? 0) + 1);
          if (tries > 20) throw err;
          await sleep(500);
        }
      }
    })().finally(() => {
      n.starting = undefined;
    });
    return n.starting;
  };
  cleanups.push(async () => {
    stopping = true;
    for (const n of nodes) {
      await n.starting?.catch(() => undefined);
      await n.server?.stop();
    }
  });
  await startNode(nodes[0]!);
  await startNode(nodes[1]!);
  const url = (n: Node) => `http://127.0.0.1:${n.port}`;
  const anyNode = () => url(pick(nodes));
  log(`nodes up: ${nodes.map(url).join(', ')}; Redis on ${redisPort}; storage ${storage.endpoint}`);

  // ---- workspace, integrations, visitors ----
  const base = url(nodes[0]!);
  const cookie = await login(base, ADMIN.email, ADMIN.password);
  const ws = (await call(base, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
  const must = (r: { status: number; body: unknown }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  const cb = must(
    await call(base, 'PUT', `/api/workspaces/${ws.id}/integrations/callback`, {
      cookie,
      body: { url: receiver.url, disabled: false },
    }),
    'callback settings',
  );
  signingSecret = (cb.body as { signingSecret: string }).signingSecret;
  must(
    await call(base, 'PUT', `/api/workspaces/${ws.id}/integrations/s3`, {
      cookie,
      body: {
        accessKeyId: customer.accessKeyId,
        secretAccessKey: customer.secretAccessKey,
        region: 'us-east-1',
        bucket: 'customer-bucket',
        folder: 'chaos',
        endpoint: customer.endpoint,
        forcePathStyle: true,
        disabled: false,
      },
    }),
    'S3 integration settings',
  );
  const visitors: VisitorSession[] = [];
  for (let i = 0; i < 4; i++) visitors.push(await widgetSession(base, ws.widgetKey));
  for (const v of visitors)
    must(await call(base, 'POST', `/api/workspaces/${ws.id}/chats/${v.chat.id}/assign`, { cookie }), 'assign');

  // ---- load: every client records what was acknowledged ----
  let stopLoad = false;
  const tryCall = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch {
      noteRefusal('connection error');
      return undefined;
    }
  };
  const newFile = (prefix: string) => {
    const tag = crypto.randomBytes(6).toString('hex');
    const data = pdf(between(1, 200) * 1024, `${prefix}-${tag}-${crypto.randomBytes(8).toString('hex')}`);
    return { name: `${prefix}-${tag}.pdf`, data };
  };
  // A tus client as the widget's: PATCHes of 128 KiB to any node; after a failure it asks a node for the offset
  // (HEAD) and resumes from there, for up to 60 s. Only a final 204 with Parley-File-Id acknowledges the file.
  const resumableUpload = async (token: string, data: Buffer, name: string): Promise<string | undefined> => {
    const auth = { token };
    const created = await tryCall(() =>
      tusCreate(anyNode(), auth, data.length, { filename: name, filetype: 'application/pdf' }),
    );
    if (created?.status !== 201 || !created.url) {
      if (created) noteRefusal(`tus create ${created.status} ${created.body?.error?.code ?? ''}`);
      return undefined;
    }
    tus.started++;
    const uploadPath = new URL(created.url).pathname;
    let offset = 0;
    let resumed = false;
    const history: string[] = [];
    // Not cut short when the load stops: an upload under way is finished (or given up) like a client would.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await tryCall(() =>
        tusPatch(`${anyNode()}${uploadPath}`, auth, offset, data.subarray(offset, offset + 128 * 1024)),
      );
      if (r?.status === 204) {
        const id = r.headers.get('parley-file-id');
        if (id) {
          if (resumed) tus.resumed++;
          return id;
        }
        offset = Number(r.headers.get('upload-offset'));
        continue;
      }
      history.push(r ? `PATCH@${offset} ${r.status} ${r.body?.error?.code ?? ''}` : `PATCH@${offset} no answer`);
      if (r) noteRefusal(`tus patch ${r.status} ${r.body?.error?.code ?? ''}`);
      await sleep(300);
      const head = await tryCall(() => tusHead(`${anyNode()}${uploadPath}`, auth));
      if (head?.status !== 200) history.push(`HEAD ${head?.status ?? 'no answer'}`);
      if (head?.status === 404 || head?.status === 410) {
        tus.vanished++;
        tus.vanishedHistory.push(`${uploadPath}: ${history.join(' → ')} → HEAD ${head.status}`);
        tus.vanishedIds.push(uploadPath.split('/').pop()!);
        return undefined;
      }
      if (head && head.status < 300) {
        const id = head.headers.get('parley-file-id');
        if (id) {
          tus.resumed++;
          return id;
        }
        offset = Number(head.headers.get('upload-offset'));
        resumed = true;
      }
    }
    tus.abandoned++;
    tus.abandonedHistory.push(`${uploadPath}: ${history.join(' → ')}`);
    return undefined;
  };
  const visitorLoop = async (v: VisitorSession, index: number) => {
    for (let i = 0; !stopLoad; i++) {
      const node = anyNode();
      const what = rand();
      if (what < 0.45) {
        const text = `visitor ${index} message ${i} ${crypto.randomBytes(6).toString('hex')}`;
        attempts.messages++;
        const r = await tryCall(() =>
          call(node, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text } }),
        );
        if (r?.status === 201) acked.messages.push({ id: r.body.message.id, text });
        else if (r) noteRefusal(`message ${r.status} ${r.body?.error?.code ?? ''}`);
      } else if (what < 0.9) {
        const files = Array.from({ length: between(1, 3) }, () => newFile(`v${index}`));
        attempts.files += files.length;
        const r = await tryCall(() => upload(node, '/api/widget/chat/files', files, { token: v.visitorToken }));
        if (r?.status === 201) {
          for (const f of r.body.files as { id: string; name: string }[]) {
            const sent = files.find((x) => x.name === f.name)!;
            acked.files.push({
              id: f.id,
              name: f.name,
              sha256: sha256(sent.data),
              size: sent.data.length,
              via: 'visitor-multipart',
            });
          }
        } else if (r) noteRefusal(`upload ${r.status} ${r.body?.error?.code ?? ''}`);
      } else {
        const f = newFile(`t${index}`);
        f.data = pdf(between(300, 900) * 1024, f.name);
        attempts.files++;
        const id = await resumableUpload(v.visitorToken, f.data, f.name);
        if (id) acked.files.push({ id, name: f.name, sha256: sha256(f.data), size: f.data.length, via: 'visitor-tus' });
      }
      await sleep(between(5, 60));
    }
  };
  const agentLoop = async () => {
    for (let i = 0; !stopLoad; i++) {
      const node = anyNode();
      const chat = pick(visitors).chat.id;
      if (rand() < 0.5) {
        const text = `agent message ${i} ${crypto.randomBytes(6).toString('hex')}`;
        attempts.messages++;
        const r = await tryCall(() =>
          call(node, 'POST', `/api/workspaces/${ws.id}/chats/${chat}/messages`, { cookie, body: { text } }),
        );
        if (r?.status === 201) acked.messages.push({ id: r.body.message.id, text });
        else if (r) noteRefusal(`agent message ${r.status} ${r.body?.error?.code ?? ''}`);
      } else {
        const f = newFile('a');
        attempts.files++;
        const r = await tryCall(() => upload(node, `/api/workspaces/${ws.id}/chats/${chat}/files`, [f], { cookie }));
        if (r?.status === 201) {
          const id = r.body.files[0].id as string;
          acked.files.push({ id, name: f.name, sha256: sha256(f.data), size: f.data.length, via: 'agent-multipart' });
        } else if (r) noteRefusal(`agent upload ${r.status} ${r.body?.error?.code ?? ''}`);
      }
      await sleep(between(5, 60));
    }
  };
  const load = [...visitors.map((v, i) => visitorLoop(v, i)), agentLoop()];

  // ---- faults ----
  const restoring: Promise<unknown>[] = [];
  const later = (ms: number, f: () => Promise<unknown> | unknown) => restoring.push(sleep(ms).then(() => f()));
  let receiverDown = false;
  const receiverFault = (kind: 'receiver 500' | 'receiver reset' | 'receiver hang', b: Behaviour) => {
    if (receiverDown) return false;
    receiverDown = true;
    faults[kind]!++;
    receiver.behave(b);
    later(between(1000, 4000), () => {
      receiver.behave(healthy);
      receiverDown = false;
    });
    return true;
  };
  const s3Down = new Set<S3Server>();
  const s3Fault = (kind: 'storage S3 outage' | 'customer S3 outage', s3: S3Server) => {
    if (s3Down.has(s3)) return false;
    s3Down.add(s3);
    faults[kind]!++;
    restoring.push(
      s3.stop().then(() =>
        sleep(between(500, 3000)).then(async () => {
          await s3.start();
          s3Down.delete(s3);
        }),
      ),
    );
    return true;
  };
  let redisDown = false;
  const kinds: Record<string, () => Promise<boolean> | boolean> = {
    kill: async () => {
      const up = nodes.filter((n) => n.server && !n.starting);
      if (up.length < 2) return false; // one node always serves
      const n = pick(up);
      faults['node SIGKILL']!++;
      n.killing = true;
      await n.server!.kill();
      n.killing = false;
      n.pastOutput += n.server!.output();
      n.server = undefined;
      restoring.push(sleep(between(0, 1500)).then(() => startNode(n)));
      return true;
    },
    pg: async () => {
      const admin = new pg.Client({ connectionString: BASE_PG_URL });
      await admin.connect();
      try {
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [new URL(db.url).pathname.slice(1)],
        );
      } finally {
        await admin.end();
      }
      faults['PostgreSQL backends terminated']!++;
      return true;
    },
    redis: async () => {
      if (redisDown) return false;
      redisDown = true;
      faults['Redis restart']!++;
      await stopRedis(redis);
      later(between(500, 3000), async () => {
        redis = await startRedis(redisPort);
        redisDown = false;
      });
      return true;
    },
    receiver500: () => receiverFault('receiver 500', answers.http500()),
    receiverReset: () =>
      receiverFault('receiver reset', (_r, res) => {
        res.socket?.destroy();
      }),
    receiverHang: () => receiverFault('receiver hang', answers.hang()),
    storage: () => s3Fault('storage S3 outage', storage),
    customer: () => s3Fault('customer S3 outage', customer),
  };
  const kindNames = Object.keys(kinds);
  for (let round = 1; round <= ROUNDS; round++) {
    const chosen = Array.from({ length: between(1, 2) }, () => pick(kindNames));
    const done: string[] = [];
    for (const k of chosen) if (await kinds[k]!()) done.push(k);
    log(
      `round ${round}/${ROUNDS}: ${done.join(', ') || '(skipped: already down)'} — acknowledged so far ` +
        `${acked.messages.length} messages, ${acked.files.length} files`,
    );
    await sleep(ROUND_MS);
  }

  // ---- the faults stop; the nodes come back; the load ends ----
  log('faults stopped; waiting for every service and node to be back');
  await Promise.all(restoring);
  for (const n of nodes) await (n.starting ?? (n.server ? undefined : startNode(n)));
  await sleep(1000);
  stopLoad = true;
  await Promise.all(load);
  log(`load stopped: ${acked.messages.length} messages and ${acked.files.length} files acknowledged`);

  // ---- deliveries settle ----
  const check = new pg.Client({ connectionString: db.url });
  await check.connect();
  cleanups.push(() => check.end());
  const ackedFileIds = acked.files.map((f) => f.id);
  const settleStart = Date.now();
  let pendingLeft = -1;
  for (;;) {
    const r = await check.query(
      `select count(*)::int as n from deliveries where file_id = any($1) and status not in ('succeeded', 'dead')`,
      [ackedFileIds],
    );
    pendingLeft = r.rows[0].n;
    if (pendingLeft === 0 || Date.now() - settleStart > SETTLE_MS) break;
    await sleep(500);
  }
  log(`deliveries settled in ${((Date.now() - settleStart) / 1000).toFixed(1)} s (${pendingLeft} not final)`);

  // ---- the checks ----
  const problems: string[] = [];
  const problem = (p: string) => {
    if (problems.length < 50) problems.push(p);
    else if (problems.length === 50) problems.push('… (more)');
  };

  const msgRows = (
    await check.query('select id, text from messages where id = any($1)', [acked.messages.map((m) => m.id)])
  ).rows as { id: string; text: string }[];
  const byText = (
    await check.query('select text, count(*)::int as n from messages where text = any($1) group by text', [
      acked.messages.map((m) => m.text),
    ])
  ).rows as { text: string; n: number }[];
  const textCount = new Map(byText.map((r) => [r.text, r.n]));
  const msgById = new Map(msgRows.map((r) => [r.id, r]));
  let messagesLost = 0;
  let messageDuplicates = 0;
  for (const m of acked.messages) {
    const row = msgById.get(m.id);
    if (!row || row.text !== m.text) {
      messagesLost++;
      problem(`message ${m.id} (${m.text}) missing`);
    }
    const n = textCount.get(m.text) ?? 0;
    if (n > 1) {
      messageDuplicates += n - 1;
      problem(`message "${m.text}" stored ${n} times`);
    }
  }

  const fileRows = (
    await check.query('select id, name, sha256, size, storage_key from files where id = any($1)', [ackedFileIds])
  ).rows as { id: string; name: string; sha256: string; size: string; storage_key: string }[];
  const fileById = new Map(fileRows.map((r) => [r.id, r]));
  const byName = new Map(
    (
      (
        await check.query('select name, count(*)::int as n from files where name = any($1) group by name', [
          acked.files.map((f) => f.name),
        ])
      ).rows as { name: string; n: number }[]
    ).map((r) => [r.name, r.n]),
  );
  const deliveryRows = (
    await check.query('select id, file_id, kind, status, s3_key from deliveries where file_id = any($1)', [
      ackedFileIds,
    ])
  ).rows as { id: string; file_id: string; kind: string; status: string; s3_key: string | null }[];
  const deliveriesOf = new Map<string, typeof deliveryRows>();
  for (const d of deliveryRows) deliveriesOf.set(d.file_id, [...(deliveriesOf.get(d.file_id) ?? []), d]);

  const storageClient = s3ClientFor(storage);
  const customerClient = s3ClientFor(customer);
  const objectSha = async (client: typeof storageClient, bucket: string, key: string) => {
    try {
      const o = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return sha256(await o.Body!.transformToByteArray());
    } catch (err) {
      return `unreadable: ${(err as Error).name}`;
    }
  };
  let filesLost = 0;
  let fileDuplicates = 0;
  let deliveriesFinal = 0;
  let deliveriesDead = 0;
  let deliveriesNotFinal = 0;
  let callbackDuplicates = 0;
  let callbacksMissing = 0;
  let customerObjectsMissing = 0;
  const duplicatedAt: string[] = [];
  for (const f of acked.files) {
    const row = fileById.get(f.id);
    const lose = (why: string) => {
      filesLost++;
      problem(`file ${f.id} ${f.name} (${f.via}): ${why}`);
    };
    if (!row) {
      lose('no row');
      continue;
    }
    if ((byName.get(f.name) ?? 0) > 1) {
      fileDuplicates += byName.get(f.name)! - 1;
      problem(`file ${f.name} stored ${byName.get(f.name)} times`);
    }
    if (row.sha256 !== f.sha256 || Number(row.size) !== f.size) {
      lose(`row says ${row.size} B sha256 ${row.sha256}`);
      continue;
    }
    const stored = await objectSha(storageClient, 'parley-primary', row.storage_key);
    if (stored !== f.sha256) {
      lose(`storage object ${row.storage_key}: ${stored}`);
      continue;
    }
    const dl = await tryCall(() => fetch(`${anyNode()}/api/files/${f.id}/content`, { headers: { cookie } }));
    const bytes = dl?.ok ? Buffer.from(await dl.arrayBuffer()) : undefined;
    if (!bytes || sha256(bytes) !== f.sha256) {
      lose(`download: ${dl?.status ?? 'no answer'}${bytes ? ` sha256 ${sha256(bytes)}` : ''}`);
      continue;
    }
    const ds = deliveriesOf.get(f.id) ?? [];
    for (const kind of ['callback', 's3']) {
      const mine = ds.filter((d) => d.kind === kind);
      if (mine.length !== 1) {
        lose(`${mine.length} ${kind} deliveries`);
        continue;
      }
      const d = mine[0]!;
      if (d.status === 'succeeded' || d.status === 'dead') deliveriesFinal++;
      else {
        deliveriesNotFinal++;
        problem(`delivery ${d.id} (${kind}) of ${f.id} still ${d.status}`);
      }
      if (d.status === 'dead') {
        deliveriesDead++;
        problem(`delivery ${d.id} (${kind}) of ${f.id} is dead`);
      }
      if (kind === 'callback') {
        const got = delivered.get(f.id);
        if (!got) {
          callbacksMissing++;
          problem(`receiver never acknowledged file ${f.id}`);
        } else {
          if (got.sha256 !== f.sha256) problem(`receiver got file ${f.id} as ${got.sha256}`);
          if (got.webhookIds.size !== 1 || !got.webhookIds.has(d.id))
            problem(`receiver saw webhook ids ${[...got.webhookIds].join(' ')} for delivery ${d.id}`);
          if (got.count > 1) {
            callbackDuplicates += got.count - 1;
            duplicatedAt.push(f.id);
          }
        }
      } else if (d.status === 'succeeded') {
        const there = d.s3_key ? await objectSha(customerClient, 'customer-bucket', d.s3_key) : 'no s3_key';
        if (there !== f.sha256) {
          customerObjectsMissing++;
          problem(`customer bucket ${d.s3_key}: ${there}`);
        }
      }
    }
  }
  // The customer's bucket holds one object per succeeded S3 delivery (the key is fixed when it is planned, so a
  // re-sent delivery overwrites its own object); the storage bucket's objects that no file row holds are crash
  // leftovers for the reconciliation job (reported, not a failure).
  const listKeys = async (client: S3Client, bucket: string, prefix: string) => {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys;
  };
  // Every succeeded S3 delivery, also of files whose upload answer the client never got (committed, then the node
  // died or the connection broke): those are real files, delivered as they should be.
  const expectedCustomerKeys = new Set(
    (
      (await check.query(`select s3_key from deliveries where kind = 's3' and status = 'succeeded'`)).rows as {
        s3_key: string;
      }[]
    ).map((d) => d.s3_key),
  );
  const extraCustomerObjects = (await listKeys(customerClient, 'customer-bucket', 'chaos/')).filter(
    (k) => !expectedCustomerKeys.has(k),
  );
  for (const k of extraCustomerObjects.slice(0, 5)) problem(`customer bucket holds an object no delivery made: ${k}`);
  const heldKeys = new Set(
    ((await check.query('select storage_key, thumbnail_key from files')).rows as Record<string, string | null>[])
      .flatMap((r) => [r.storage_key, r.thumbnail_key])
      .filter(Boolean),
  );
  const storageLeftovers = (await listKeys(storageClient, 'parley-primary', 'ws/')).filter((k) => !heldKeys.has(k));
  storageClient.destroy();
  customerClient.destroy();

  const outputOf = (n: Node) => `${n.pastOutput}\n${n.server?.output() ?? ''}`;
  // CHAOS_OUTPUT_DIR: every node's output of all its lives, one file per node (to follow an upload or a request).
  if (process.env.CHAOS_OUTPUT_DIR) {
    fs.mkdirSync(process.env.CHAOS_OUTPUT_DIR, { recursive: true });
    for (const n of nodes) fs.writeFileSync(path.join(process.env.CHAOS_OUTPUT_DIR, `${n.name}.log`), outputOf(n));
  }
  const outputLines = nodes.flatMap((n) => outputOf(n).split('\n'));
  const crashLines = outputLines.filter((l) =>
    /Unhandled 'error' event|uncaughtException|unhandledRejection|"level":60/.test(l),
  );
  for (const l of crashLines.slice(0, 5)) problem(`node output: ${l.slice(0, 300)}`);
  // Error-level lines (a 500, a job that failed): counted by their message, shown, not failing the run by themselves.
  const errorKinds = new Map<string, number>();
  for (const l of outputLines) {
    if (!l.startsWith('{') || !l.includes('"level":50')) continue;
    let key = l.slice(0, 160);
    try {
      const j = JSON.parse(l);
      const cause = j.err ?? j.cause ?? {};
      const why = String(cause.message ?? '').slice(0, 100);
      key = `${j.msg ?? ''} (${cause.type ?? cause.name ?? ''} ${cause.code ?? ''}: ${why})`;
    } catch {}
    errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
  }
  const unexpectedExits = nodes.reduce((a, n) => a + n.unexpectedExits, 0);
  if (tus.vanished) problem(`${tus.vanished} resumable uploads answered 404/410 after their creation was acknowledged`);
  for (const h of tus.vanishedHistory) problem(`vanished upload ${h}`);
  // What the nodes said of each vanished upload (its requests, its commit, its removal), for the next reader.
  for (const id of tus.vanishedIds) {
    const said = nodes.flatMap((n) =>
      outputOf(n)
        .split('\n')
        .filter((l) => l.includes(id))
        .map((l) => `${n.name}: ${l.slice(0, 400)}`),
    );
    for (const l of said.slice(0, 40)) problem(`  ${l}`);
  }
  if (unexpectedExits) problem(`${unexpectedExits} node exits that were not ours`);
  for (const h of tus.abandonedHistory) log(`upload given up after 60 s (not a loss) ${h.slice(0, 2000)}`);

  // ---- figures ----
  const lost = messagesLost + filesLost + callbacksMissing + customerObjectsMissing + deliveriesDead;
  const rows: [string, string | number][] = [
    ['seed', SEED],
    ['rounds', ROUNDS],
    ...Object.entries(faults).map(([k, n]) => [`faults: ${k}`, n] as [string, number]),
    ['faults injected (total)', Object.values(faults).reduce((a, b) => a + b, 0)],
    ['messages attempted / acknowledged', `${attempts.messages} / ${acked.messages.length}`],
    ['files attempted / acknowledged', `${attempts.files} / ${acked.files.length}`],
    [
      '  of which visitor multipart / agent multipart / tus',
      ['visitor-multipart', 'agent-multipart', 'visitor-tus']
        .map((v) => acked.files.filter((f) => f.via === v).length)
        .join(' / '),
    ],
    [
      'tus uploads created / resumed to the end / vanished / given up',
      `${tus.started} / ${tus.resumed} / ${tus.vanished} / ${tus.abandoned}`,
    ],
    ['writes acknowledged', acked.messages.length + acked.files.length],
    ['writes lost (messages + files)', messagesLost + filesLost],
    ['duplicate messages / files stored', `${messageDuplicates} / ${fileDuplicates}`],
    ['deliveries final / not final', `${deliveriesFinal} / ${deliveriesNotFinal}`],
    ['deliveries dead', deliveriesDead],
    ['callbacks missing at receiver', callbacksMissing],
    ['callbacks received more than once (at-least-once, same webhook-id)', callbackDuplicates],
    [
      'objects missing in customer bucket / extra objects there',
      `${customerObjectsMissing} / ${extraCustomerObjects.length}`,
    ],
    ['storage objects no file holds (crash leftovers for files.reconcile)', storageLeftovers.length],
    ['crash lines in node output / unexpected node exits', `${crashLines.length} / ${unexpectedExits}`],
    ['error-level log lines (500s, failed jobs)', [...errorKinds.values()].reduce((a, b) => a + b, 0)],
    ['requests refused (not acknowledged, by answer)', [...refused.values()].reduce((a, b) => a + b, 0)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('\nChaos suite — figures');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('  refusals:', [...refused.entries()].map(([k, n]) => `${k.trim()} ×${n}`).join(', ') || 'none');
  for (const [k, n] of errorKinds) console.log(`  error log ×${n}: ${k}`);
  for (const [k, n] of startRefusals) console.log(`  node start refused ×${n} (retried): ${k}`);
  if (duplicatedAt.length) console.log(`  files called back more than once: ${duplicatedAt.slice(0, 10).join(', ')}`);
  const failed =
    lost > 0 ||
    messageDuplicates + fileDuplicates > 0 ||
    deliveriesNotFinal > 0 ||
    crashLines.length > 0 ||
    problems.length > 0 ||
    acked.files.length === 0 ||
    acked.messages.length === 0;
  if (problems.length) console.log(`\nProblems:\n  ${problems.join('\n  ')}`);
  console.log(failed ? '\nCHAOS: FAILED' : '\nCHAOS: OK — writes lost = 0');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
