// A full workspace quota (507 QUOTA_EXCEEDED) is the workspace's state, not a server fault: the refusal is not
// logged at error level (operators alert on those), while a real dependency failure still is.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { call, upload, widgetSession } from '../../support/client.js';
import { eventually } from '../../support/eventually.js';
import { pdf } from '../../support/fixtures.js';
import { useServer } from '../../support/server.js';

const lines: { level: number; msg?: string; code?: string; status?: number; route?: string }[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    done();
  },
});
const s = useServer({ logStream });

describe('the log of a full quota', () => {
  it('answers 507 without an error-level log line', async () => {
    const ws = (await s.asOwner('POST', '/api/workspaces', { name: 'quota-log' })).body.workspace;
    expect((await s.asOwner('PUT', `/api/workspaces/${ws.id}`, { quotaBytes: 100 })).status).toBe(200);
    const v = await widgetSession(s.url, ws.widgetKey);
    lines.length = 0;
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf(2000) }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(507);
    // The request's own line (written once the answer is out) says 507; nothing at error level (50) came with it.
    await eventually(() => expect(lines.some((l) => l.msg === 'request' && l.status === 507)).toBe(true));
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    // The answer itself is unchanged, and nothing was stored.
    expect(r.body.error.code).toBe('QUOTA_EXCEEDED');
    expect((await call(s.url, 'GET', `/api/workspaces/${ws.id}/usage`, { cookie: s.owner })).body.bytes).toBe(0);
  });
});
