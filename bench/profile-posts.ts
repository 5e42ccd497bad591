// `npx tsx bench/profile-posts.ts`: a CPU profile of the server (compiled, dist/main.js) while 20 visitors of chats an
// agent has taken over (with BENCH_AUTHOR=agent: the agent, into those chats) post messages back to back for
// BENCH_SECONDS (10); prints posts/s, server CPU per post and the profile's path with the seconds to skip (start-up)
// for bench/profile-summary.ts. BENCH_SERVER_NODE_ARGS adds node flags; the agent's socket is connected, so each post
// is also fanned out as in the realtime bench. With DATABASE_URL (and REDIS_URL) the server runs on a fresh PostgreSQL
// database made for the run and dropped after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_ADMIN as admin, spawnBenchServer } from './server.js';
import { call, login, widgetSession } from '../test/support/client.js';
import { connect } from '../test/support/sockets.js';
import { createPgDatabase } from '../test/support/databases.js';

const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-prof-posts-'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-prof-data-'));
const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const pg = process.env.DATABASE_URL ? await createPgDatabase(process.env.DATABASE_URL) : undefined;
const spawnedAt = Date.now();
const { child, url } = await spawnBenchServer({
  args: [...extra, '--cpu-prof', `--cpu-prof-dir=${profDir}`, process.env.BENCH_SERVER_ENTRY ?? 'dist/main.js'],
  dataDir,
  env: pg ? { DATABASE_URL: pg.url } : {},
});
/** The server's user + system CPU in ms (/proc/<pid>/stat utime and stime, in USER_HZ = 100 ticks a second). */
const cpuMs = () => {
  const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const cookie = await login(url, admin.email, admin.password);
const ws = (await call(url, 'GET', '/api/workspaces', { cookie })).body.workspaces[0];
const sessions = await Promise.all(Array.from({ length: 20 }, () => widgetSession(url, ws.widgetKey)));
const agent = await connect(url, {}, { cookie });
let fanned = 0;
agent.on('message.created', () => fanned++);
for (const v of sessions)
  await call(url, 'POST', `/api/workspaces/${ws.id}/chats/${v.chat.id}/messages`, { cookie, body: { text: 'hi' } });
await new Promise((r) => setTimeout(r, 500));
const skip = (Date.now() - spawnedAt) / 1000;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
// BENCH_AUTHOR=agent: the agent posts into the 20 chats instead (signed in by cookie, one statement per post).
const byAgent = process.env.BENCH_AUTHOR === 'agent';
const cpuBefore = cpuMs();
const until = Date.now() + seconds * 1000;
let posted = 0;
await Promise.all(
  sessions.map(async (v) => {
    while (Date.now() < until) {
      const r = byAgent
        ? await call(url, 'POST', `/api/workspaces/${ws.id}/chats/${v.chat.id}/messages`, {
            cookie,
            body: { text: 'x' },
          })
        : await call(url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text: 'x' } });
      if (r.status === 201) posted++;
    }
  }),
);
const cpu = cpuMs() - cpuBefore;
console.log(
  `posts/s ${(posted / seconds).toFixed(0)}, server CPU per post ${(cpu / posted).toFixed(2)} ms, ` +
    `fanned out ${fanned}`,
);
agent.close();
child.kill('SIGINT');
await new Promise((r) => child.on('exit', r));
await pg?.drop();
const prof = fs.readdirSync(profDir).map((f) => path.join(profDir, f))[0];
console.log(`profile ${prof} — npx tsx bench/profile-summary.ts ${prof} 40 ${skip.toFixed(1)}`);
