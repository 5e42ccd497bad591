// `npx tsx bench/tus-commit.ts`: how long a resumable upload's last PATCH takes when it carries one byte, i.e. the
// commit of a finished upload (bytes checked, stored as a File, the transaction), for BENCH_TUS_COMMIT_MB (default
// 256, 512) MiB uploads on the embedded default (BENCH_S3=1: on S3 storage, an s3rver in its own process);
// BENCH_SERVER_ENTRY runs another build (default dist/main.js).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_ADMIN as admin, spawnBenchServer } from './server.js';
import { call, login, widgetSession } from '../test/support/client.js';
import { pdf } from '../test/support/fixtures.js';
import { tusCreate, tusPatch } from '../test/support/tus.js';
import { startS3rverProcess } from '../test/support/s3rver.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tus-commit-'));
const s3 = process.env.BENCH_S3 === '1' ? await startS3rverProcess(['bench-tus-commit']) : undefined;
const { child, url } = await spawnBenchServer({
  args: [process.env.BENCH_SERVER_ENTRY ?? 'dist/main.js'],
  dataDir,
  env: s3
    ? {
        PARLEY_STORAGE: 's3',
        PARLEY_S3_BUCKET: 'bench-tus-commit',
        PARLEY_S3_ENDPOINT: s3.endpoint,
        PARLEY_S3_FORCE_PATH_STYLE: 'true',
        PARLEY_S3_REGION: s3.region,
        PARLEY_S3_ACCESS_KEY_ID: s3.accessKeyId,
        PARLEY_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      }
    : {},
});
try {
  const cookie = await login(url, admin.email, admin.password);
  const ws = (await call(url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
  await call(url, 'PUT', `/api/workspaces/${ws.id}/settings/file-upload`, {
    cookie,
    body: { maxFileSizeKb: 1024 * 1024 },
  });
  for (const mb of (process.env.BENCH_TUS_COMMIT_MB ?? '256,512').split(',').map(Number)) {
    const auth = { token: (await widgetSession(url, ws.widgetKey)).visitorToken };
    const data = pdf(mb * 1024 * 1024, `commit-${mb}`);
    const created = await tusCreate(url, auth, data.length, { filename: `commit-${mb}.pdf` });
    const chunk = 32 * 1024 * 1024;
    for (let at = 0; at < data.length - 1; at += chunk) {
      const r = await tusPatch(created.url!, auth, at, data.subarray(at, Math.min(at + chunk, data.length - 1)));
      if (r.status !== 204) throw new Error(`PATCH ${r.status}`);
    }
    const t = process.hrtime.bigint();
    const last = await tusPatch(created.url!, auth, data.length - 1, data.subarray(data.length - 1));
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (last.status !== 204) throw new Error(`last PATCH ${last.status}`);
    console.log(`${mb} MiB: the commit (last PATCH of one byte) took ${ms.toFixed(0)} ms`);
  }
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  await s3?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
