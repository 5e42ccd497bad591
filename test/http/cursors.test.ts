// Every keyset list (chats, List File, the delivery log, the audit log) refuses a cursor it did not give — junk, a
// truncated cursor, another list's, a time that does not exist, the bare key of an older release — with 400
// BAD_REQUEST naming `cursor`, like any malformed query parameter, instead of a first or an empty page.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { call, upload, widgetSession } from '../support/client.js';

const s = useServer();
const ws = () => `/api/workspaces/${s.workspaceId}`;

beforeAll(async () => {
  // Two of each: chats, files, deliveries (a callback that is on), audit entries.
  await call(s.url, 'PUT', `${ws()}/integrations/callback`, {
    cookie: s.owner,
    body: { url: 'http://127.0.0.1:9/hook', disabled: false },
  });
  for (let i = 0; i < 2; i++) {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(s.url, '/api/widget/chat/files', [{ name: `note-${i}.txt`, data: `hello ${i}` }], {
      token: v.visitorToken,
    });
    expect(r.status).toBe(201);
  }
});

const lists = [
  { list: 'chats', items: 'chats' },
  { list: 'files', items: 'files' },
  { list: 'deliveries', items: 'deliveries' },
  { list: 'audit', items: 'entries' },
] as const;

const page = (list: string, cursor?: string) =>
  call(s.url, 'GET', `${ws()}/${list}?limit=1${cursor === undefined ? '' : `&cursor=${cursor}`}`, {
    cookie: s.owner,
  });

describe('paging cursors', () => {
  it('refuses a cursor that is not one the list gave, on every list, and pages with its own', async () => {
    const cursors: Record<string, string> = {};
    for (const { list, items } of lists) {
      const first = await page(list);
      expect(first.status, list).toBe(200);
      expect(typeof first.body.nextCursor, list).toBe('string');
      cursors[list] = first.body.nextCursor;
      const second = await page(list, encodeURIComponent(first.body.nextCursor));
      expect(second.status, list).toBe(200);
      expect(second.body[items][0].id, list).not.toBe(first.body[items][0].id);
      cursors[`${list} key`] = first.body[items][0].id;
    }
    for (const { list } of lists) {
      const own = cursors[list]!;
      const bad = [
        'eyJhIjoxfQ', // junk that looks like base64 JSON
        '%FF%FE', // not UTF-8
        'zzzzzzzzzzzzzzzzzzzzzzzzzz',
        encodeURIComponent(own.slice(0, -3)), // truncated
        encodeURIComponent(`${own}0`),
        cursors[`${list} key`]!, // the bare key (what cursors used to be)
        encodeURIComponent(own.toUpperCase()),
        ...lists.filter((o) => o.list !== list).map((o) => encodeURIComponent(cursors[o.list]!)), // another list's
        list === 'files'
          ? encodeURIComponent(own.replace(/^files\.[^~]+/, 'files.2026-02-30T00:00:00.000Z')) // no such day
          : encodeURIComponent(`${list}.${'1'.repeat(22)}-`),
        encodeURIComponent(list === 'files' ? own.replace(/~.*/, '~') : `${list}.`),
      ];
      for (const cursor of bad) {
        const r = await page(list, cursor);
        expect(r.status, `${list} ${cursor}`).toBe(400);
        expect(r.body.error, `${list} ${cursor}`).toMatchObject({
          code: 'BAD_REQUEST',
          fields: { cursor: 'Not a cursor of this list' },
        });
      }
      // An empty cursor is the first page, like any empty filter.
      expect((await page(list, '')).status, list).toBe(200);
    }
  });
});
