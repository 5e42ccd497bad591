// A resumable upload outlives its server: stopped half way and started again on the same data dir and database, the
// server answers the client's HEAD with the offset it had, takes the rest, and commits one File with the right sha256.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.js';
import { dropPgDatabase } from '../../support/databases.js';
import { call, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { tusCreate, tusHead, tusPatch } from '../../support/tus.js';
import { eventually } from '../../support/eventually.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tus-restart-'));
const servers: TestServer[] = [];
let databaseUrl: string | undefined;

afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl) {
    // The first server kept its PostgreSQL database for the second; drop it here.
    await dropPgDatabase(databaseUrl);
  }
});

describe('a server restart mid-upload', () => {
  it('resumes from the offset it had and commits one File with the right bytes', async () => {
    const first = await startServer({ dataDir, keep: true });
    servers.push(first);
    databaseUrl = first.databaseUrl;
    const v = await widgetSession(first.url, first.widgetKey);
    const auth = { token: v.visitorToken };
    const bytes = pdf(3 * 1024 * 1024, 'restart');
    const created = await tusCreate(first.url, auth, bytes.length, { filename: 'long.pdf' });
    const uploadPath = new URL(created.url!).pathname;
    expect((await tusPatch(created.url!, auth, 0, bytes.subarray(0, 1_000_000))).status).toBe(204);
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await startServer({ dataDir, keep: true, ...(databaseUrl ? { databaseUrl } : {}) });
    servers.push(second);
    const url = second.url + uploadPath;
    const commits: { bytesRead: number }[] = [];
    second.parley.deps.events.on('upload.committed', (e) => void commits.push(e));
    const head = await tusHead(url, auth);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('1000000');
    const last = await tusPatch(url, auth, 1_000_000, bytes.subarray(1_000_000));
    expect(last.status).toBe(204);
    const file = (await call(second.url, 'GET', `/api/files/${last.headers.get('parley-file-id')}`, auth)).body.file;
    expect(file).toMatchObject({
      name: 'long.pdf',
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    });
    const files = (await call(second.url, 'GET', '/api/widget/chat/files', auth)).body.files;
    expect(files).toHaveLength(1);
    // This node did not see the first megabyte come: its commit read every byte back to hash them.
    await eventually(() => expect(commits).toEqual([expect.objectContaining({ bytesRead: bytes.length })]));
  });
});
