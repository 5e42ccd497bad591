// A front end's folder without its trailing slash (/admin, /console) is redirected to it once, cleanly:
// @fastify/static's own redirect did not return its reply, and with the app's asynchronous onSend hooks Fastify sent
// a second answer (a 301 to the browser, then "Reply was already sent", ERR_HTTP_HEADERS_SENT and a 500 in the
// request log).
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { useServer } from '../support/server.js';

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
const logs: { level: number; msg?: string; path?: string; status?: number }[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
    done();
  },
});
const s = useServer({ logStream });

describe.runIf(fs.existsSync(path.join(webDist, 'admin')))('front ends without their trailing slash', () => {
  it('answer one 301 to the folder with its slash, query kept, and log no error', async () => {
    for (const [asked, target] of [
      ['/admin', '/admin/'],
      ['/console?chat=abc', '/console/?chat=abc'],
    ]) {
      const r = await fetch(`${s.url}${asked}`, { redirect: 'manual' });
      expect(r.status).toBe(301);
      expect(r.headers.get('location')).toBe(target);
      await r.arrayBuffer();
    }
    const followed = await fetch(`${s.url}/admin`);
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toMatch(/text\/html/);
    // The request log's lines are written after the answer: wait for the three of them.
    const statuses = () =>
      logs.filter((l) => l.msg === 'request' && (l.path === '/admin' || l.path === '/console')).map((l) => l.status);
    await eventually(() => expect(statuses()).toHaveLength(3));
    expect(statuses()).toEqual([301, 301, 301]);
    expect(logs.filter((l) => l.level >= 40)).toEqual([]);
  });
});
