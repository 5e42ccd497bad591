import crypto from 'node:crypto';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer, useServer } from '../../support/server.js';
import { eventually } from '../../support/eventually.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { collect, connect } from '../../support/sockets.js';
import { elf, html, pdf, pe, png } from '../../support/fixtures.js';
import { snapshot } from '../../support/leftovers.js';
import { tusCreate } from '../../support/tus.js';

const s = useServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1000' } });

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const setRules = (body: Record<string, unknown>) =>
  call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, { cookie: s.owner, body });
const resetRules = () =>
  setRules({
    visitorUploadsEnabled: true,
    agentUploadsEnabled: true,
    visitorAllowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip',
    agentAllowedTypes: 'jpg|jpeg|png|gif|webp|pdf|txt|csv|doc|docx|xls|xlsx|ppt|pptx|zip',
    maxFileSizeKb: 10240,
  });

async function expectRefused(work: () => Promise<{ status: number; body: any }>, status: number, code: string) {
  const before = await snapshot(s);
  const r = await work();
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect(await snapshot(s)).toEqual(before);
  return r.body.error;
}

describe('visitor uploads', () => {
  it('accepts a PDF: stores it durably, answers 201 with the file and one message, and tells the agent live', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const agent = await connect(s.url, {}, { cookie: s.owner });
    const live = collect(agent, 'message.created');
    const bytes = pdf(50_000);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [{ name: 'invoice.pdf', data: bytes, type: 'application/pdf' }],
      { token: v.visitorToken, fields: { text: 'here it is' } },
    );
    expect(r.status).toBe(201);
    const [file] = r.body.files;
    expect(file).toMatchObject({
      name: 'invoice.pdf',
      size: bytes.length,
      mimeType: 'application/pdf',
      extension: 'pdf',
      sha256: sha(bytes),
      uploaderRole: 'visitor',
      chatId: v.chat.id,
    });
    expect(r.body.message).toMatchObject({ kind: 'file', text: 'here it is', authorRole: 'visitor' });
    expect(r.body.message.files.map((f: any) => f.id)).toEqual([file.id]);
    const seen = await live.next((p) => p.message.id === r.body.message.id);
    expect(seen.message.files[0].url).toBe(`/api/files/${file.id}/content`);
    const stored = await s.parley.deps.db
      .selectFrom('files')
      .selectAll()
      .where('id', '=', file.id)
      .executeTakeFirstOrThrow();
    expect(stored.storage_key).not.toContain('invoice');
    expect((await s.parley.deps.storage.stat(stored.storage_key))?.size).toBe(bytes.length);
    // The visitor's url is signed: it works on its own, no token needed.
    const dl = await fetch(s.url + file.url);
    expect(dl.status).toBe(200);
    expect(sha(Buffer.from(await dl.arrayBuffer()))).toBe(sha(bytes));
    agent.close();
  });

  it('puts several files of one request into one message, in order', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'a.pdf', data: pdf(1000, 'a') },
        { name: 'b.png', data: await png() },
        { name: 'c.txt', data: 'plain text\n' },
      ],
      { token: v.visitorToken },
    );
    expect(r.status).toBe(201);
    expect(r.body.files.map((f: any) => f.name)).toEqual(['a.pdf', 'b.png', 'c.txt']);
    expect(r.body.message.files.map((f: any) => f.name)).toEqual(['a.pdf', 'b.png', 'c.txt']);
    const msgs = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    expect(msgs.body.messages.filter((m: any) => m.kind === 'file')).toHaveLength(1);
  });

  it('keeps nothing when one file of a multi-file request is refused (all-or-nothing)', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await expectRefused(
      () =>
        upload(
          s.url,
          '/api/widget/chat/files',
          [
            { name: 'ok.pdf', data: pdf(200_000) },
            { name: 'evil.pdf', data: elf() },
          ],
          { token: v.visitorToken },
        ),
      415,
      'CONTENT_MISMATCH',
    );
  });
});

describe('the per-side matrix', () => {
  const cases = [
    { side: 'visitor', enabled: true, ext: 'pdf', expect: 201 },
    { side: 'visitor', enabled: true, ext: 'png', expect: 415 },
    { side: 'visitor', enabled: false, ext: 'pdf', expect: 403 },
    { side: 'visitor', enabled: false, ext: 'png', expect: 403 },
    { side: 'agent', enabled: true, ext: 'pdf', expect: 201 },
    { side: 'agent', enabled: true, ext: 'png', expect: 415 },
    { side: 'agent', enabled: false, ext: 'pdf', expect: 403 },
    { side: 'agent', enabled: false, ext: 'png', expect: 403 },
  ] as const;
  it.each(cases)('$side uploads $ext with the side enabled=$enabled → $expect', async (c) => {
    // Only pdf is allowed on the side under test; the other side is left wide open, to prove the rules are per side.
    await setRules({
      visitorUploadsEnabled: c.side === 'visitor' ? c.enabled : true,
      agentUploadsEnabled: c.side === 'agent' ? c.enabled : true,
      visitorAllowedTypes: c.side === 'visitor' ? 'pdf' : '',
      agentAllowedTypes: c.side === 'agent' ? 'pdf' : '',
    });
    const v = await widgetSession(s.url, s.widgetKey);
    const data = c.ext === 'pdf' ? pdf() : await png();
    const send = () =>
      c.side === 'visitor'
        ? upload(s.url, '/api/widget/chat/files', [{ name: `f.${c.ext}`, data }], { token: v.visitorToken })
        : upload(s.url, `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/files`, [{ name: `f.${c.ext}`, data }], {
            cookie: s.owner,
          });
    if (c.expect === 201) {
      const r = await send();
      expect(r.status).toBe(201);
      expect(r.body.files[0].uploaderRole).toBe(c.side);
    } else {
      const err = await expectRefused(send, c.expect, c.expect === 403 ? 'UPLOADS_DISABLED' : 'FILE_TYPE_NOT_ALLOWED');
      if (c.expect === 415) {
        expect(err.allowedTypes).toBe('pdf');
        expect(err.message).toMatch(/PNG files are not allowed\. Allowed: pdf/);
      }
    }
    await resetRules();
  });
});

describe('refusals, each leaving nothing behind', () => {
  it('refuses a file over maxFileSizeKb with 413 FILE_TOO_LARGE and the limit in details', async () => {
    await setRules({ maxFileSizeKb: 100 });
    const v = await widgetSession(s.url, s.widgetKey);
    const err = await expectRefused(
      () =>
        upload(s.url, '/api/widget/chat/files', [{ name: 'big.pdf', data: pdf(100 * 1024 + 1) }], {
          token: v.visitorToken,
        }),
      413,
      'FILE_TOO_LARGE',
    );
    expect(err.maxFileSizeKb).toBe(100);
    // Exactly at the limit is fine: 1 KB = 1024 bytes.
    expect(
      (
        await upload(s.url, '/api/widget/chat/files', [{ name: 'edge.pdf', data: pdf(100 * 1024) }], {
          token: v.visitorToken,
        })
      ).status,
    ).toBe(201);
    await resetRules();
  });

  it('stops reading a 50 MiB upload against a 100 KB limit soon after the limit, whatever Content-Length says', async () => {
    await setRules({ maxFileSizeKb: 100 });
    const v = await widgetSession(s.url, s.widgetKey);
    const before = await snapshot(s);
    const boundary = 'xXxBoundaryxXx';
    const total = 50 * 1024 * 1024;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    );
    const { port } = new URL(s.url);
    const result = await new Promise<{ status?: number; body: string; sent: number }>((resolve) => {
      let sent = 0;
      let body = '';
      let status: number | undefined;
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/widget/chat/files',
        headers: {
          authorization: `Bearer ${v.visitorToken}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + total + boundary.length + 8),
        },
      });
      req.on('response', (res) => {
        status = res.statusCode;
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status, body, sent }));
      });
      req.on('error', () => resolve({ status, body, sent }));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      pdf(64).copy(chunk);
      req.write(head);
      let stop = false;
      req.on('close', () => {
        stop = true;
      });
      const pump = () => {
        while (!stop && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return req.once('drain', pump);
        }
        if (!stop) req.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error.code).toBe('FILE_TOO_LARGE');
    // The client got to push little more than the limit (socket buffers allow a few MiB at most), never 50 MiB.
    expect(result.sent).toBeLessThan(8 * 1024 * 1024);
    expect(await snapshot(s)).toEqual(before);
    await resetRules();
  });

  it('cleans up after a client that disconnects in the middle of an upload (no temp file, no row)', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const before = await snapshot(s);
    const boundary = 'abortBoundary';
    const { port } = new URL(s.url);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/widget/chat/files',
      headers: {
        authorization: `Bearer ${v.visitorToken}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(5 * 1024 * 1024),
      },
    });
    req.on('error', () => {});
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.pdf"\r\n\r\n`);
    req.write(pdf(512 * 1024));
    // Wait until the server has started writing the file, then vanish.
    const tmp = (await import('node:path')).join(s.dataDir, 'files', '.tmp');
    const fs = await import('node:fs');
    await eventually(() => expect(fs.existsSync(tmp) ? fs.readdirSync(tmp).length : 0).toBeGreaterThan(0), {
      everyMs: 10,
    });
    req.destroy();
    await eventually(async () => expect(await snapshot(s)).toEqual(before));
  });

  it.each([
    ['an ELF executable renamed .pdf', 'report.pdf', elf],
    ['a PE executable renamed .pdf', 'report.pdf', pe],
    ['HTML renamed .png', 'cat.png', html],
    ['a PDF renamed .png', 'cat.png', () => pdf()],
    ['an ELF renamed .txt', 'notes.txt', elf],
  ])('refuses %s with 415 CONTENT_MISMATCH and stores nothing', async (_label, name, make) => {
    const v = await widgetSession(s.url, s.widgetKey);
    const err = await expectRefused(
      () => upload(s.url, '/api/widget/chat/files', [{ name, data: make() as Buffer }], { token: v.visitorToken }),
      415,
      'CONTENT_MISMATCH',
    );
    expect(err.message).toBeTruthy();
  });

  it('refuses a body that is not multipart, or is broken, with 400 MALFORMED_MULTIPART', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await expectRefused(
      () => call(s.url, 'POST', '/api/widget/chat/files', { token: v.visitorToken, body: { file: 'x' } }),
      400,
      'MALFORMED_MULTIPART',
    );
    await expectRefused(
      async () => {
        const res = await fetch(`${s.url}/api/widget/chat/files`, {
          method: 'POST',
          headers: { authorization: `Bearer ${v.visitorToken}`, 'content-type': 'multipart/form-data; boundary=abc' },
          body: '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 truncated, never closed',
        });
        return { status: res.status, body: await res.json() };
      },
      400,
      'MALFORMED_MULTIPART',
    );
  });

  it("survives bodies cut off inside a file part (the parser's error never escapes the request)", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${s.url}/api/widget/chat/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${v.visitorToken}`, 'content-type': 'multipart/form-data; boundary=cut' },
        body: `--cut\r\nContent-Disposition: form-data; name="file"; filename="cut${i}.pdf"\r\n\r\n%PDF-1.4 and then nothing`,
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('MALFORMED_MULTIPART');
    }
    expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
  });

  it.each([[''], ['..'], ['/'], ['\u202e\u202e']])(
    'refuses the file name %j with 400 INVALID_FILE_NAME',
    async (name) => {
      const v = await widgetSession(s.url, s.widgetKey);
      const boundary = 'b0undary';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n\r\n--${boundary}--\r\n`;
      await expectRefused(
        async () => {
          const res = await fetch(`${s.url}/api/widget/chat/files`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${v.visitorToken}`,
              'content-type': `multipart/form-data; boundary=${boundary}`,
            },
            body,
          });
          return { status: res.status, body: await res.json() };
        },
        400,
        'INVALID_FILE_NAME',
      );
    },
  );

  it('refuses an upload into a closed chat with 409 CHAT_CLOSED', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/close`, { cookie: s.owner });
    await expectRefused(
      () => upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf() }], { token: v.visitorToken }),
      409,
      'CHAT_CLOSED',
    );
    await expectRefused(
      () =>
        upload(s.url, `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/files`, [{ name: 'a.pdf', data: pdf() }], {
          cookie: s.owner,
        }),
      409,
      'CHAT_CLOSED',
    );
  });

  it('refuses a form field the upload reads sent twice, with 422 naming it, before or after the files', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const send = (parts: [string, string | Blob, string?][]) => async () => {
      const form = new FormData();
      for (const [name, value, fileName] of parts)
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, value, fileName);
      const res = await fetch(`${s.url}/api/widget/chat/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${v.visitorToken}` },
        body: form,
      });
      return { status: res.status, body: await res.json() };
    };
    const file = new Blob([new Uint8Array(pdf())]);
    for (const parts of [
      [
        ['text', 'first'],
        ['text', 'second'],
        ['file', file, 'a.pdf'],
      ],
      [
        ['text', 'first'],
        ['file', file, 'a.pdf'],
        ['file', file, 'b.pdf'],
        ['text', 'second'],
      ],
      [
        ['requestId', 'x'],
        ['file', file, 'a.pdf'],
        ['requestId', 'y'],
      ],
    ] as [string, string | Blob, string?][][]) {
      const error = await expectRefused(send(parts), 422, 'VALIDATION_FAILED');
      expect(error.fields).toEqual({ [parts[0]![0]]: 'Sent more than once' });
    }
  });

  it('refuses a NUL in a file name with 400, as tus does, and keeps nothing', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await expectRefused(
      () => upload(s.url, '/api/widget/chat/files', [{ name: 'a\0b.txt', data: 'hello' }], { token: v.visitorToken }),
      400,
      'MALFORMED_MULTIPART',
    );
    const tus = await tusCreate(s.url, { token: v.visitorToken }, 5, { filename: 'a\0b.txt' });
    expect(tus.status).toBe(400);
  });

  it("refuses an upload without credentials or into another workspace's chat", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    expect((await upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf() }])).status).toBe(401);
    const other = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Elsewhere' } })).body
      .workspace;
    await expectRefused(
      () =>
        upload(s.url, `/api/workspaces/${other.id}/chats/${v.chat.id}/files`, [{ name: 'a.pdf', data: pdf() }], {
          cookie: s.owner,
        }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('file names', () => {
  it('keeps Unicode for display, strips path separators and control characters, and never uses the name as the key', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: '../../etc/passwd.txt', data: 'root:x:0:0\n' },
        { name: 'résumé 履歴書.pdf', data: pdf() },
        { name: 'invoice\u202Efdp.txt', data: 'hello\n' },
        { name: `${'é'.repeat(200)}.pdf`, data: pdf() },
      ],
      { token: v.visitorToken },
    );
    expect(r.status).toBe(201);
    const names = r.body.files.map((f: any) => f.name);
    expect(names[0]).toBe('.._.._etc_passwd.txt');
    expect(names[1]).toBe('résumé 履歴書.pdf');
    expect(names[2]).toBe('invoicefdp.txt');
    expect(Buffer.byteLength(names[3])).toBeLessThanOrEqual(255);
    expect(names[3].endsWith('.pdf')).toBe(true);
    const keys = await s.parley.deps.storage.list(`ws/${s.workspaceId}/`);
    expect(keys.some((k) => k.includes('passwd') || k.includes('..'))).toBe(false);
  });

  it('stores the name the user picked from what browsers send: %22 back to a quote, encoded line breaks dropped', async () => {
    // Browsers and Node's FormData write `"` as %22 and CR/LF as %0D%0A in the filename parameter (WHATWG forms).
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'the "final" draft.txt', data: 'hello\n' },
        { name: 'two\r\nlines.txt', data: 'hello\n' },
      ],
      { token: v.visitorToken },
    );
    expect(r.status).toBe(201);
    expect(r.body.files.map((f: any) => f.name)).toEqual(['the "final" draft.txt', 'twolines.txt']);
    const got = await fetch(s.url + r.body.files[0].url);
    expect(got.headers.get('content-disposition')).toContain("filename*=UTF-8''the%20%22final%22%20draft.txt");
  });
});

describe('upload quotas', () => {
  it("answers 429 RATE_LIMITED once a visitor's bytes this hour pass the quota, stopping mid-stream and storing nothing", async () => {
    const limited = await startServer({ env: { PARLEY_VISITOR_MB_PER_HOUR: '1' } });
    try {
      const v = await widgetSession(limited.url, limited.widgetKey);
      expect(
        (
          await upload(limited.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf(600 * 1024) }], {
            token: v.visitorToken,
          })
        ).status,
      ).toBe(201);
      const before = await snapshot(limited);
      const r = await upload(limited.url, '/api/widget/chat/files', [{ name: 'b.pdf', data: pdf(600 * 1024) }], {
        token: v.visitorToken,
      });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(await snapshot(limited)).toEqual(before);
    } finally {
      await limited.close();
    }
  });

  it('answers 429 RATE_LIMITED past the files-per-minute limit of a visitor, and stores nothing for it', async () => {
    const limited = await startServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '2' } });
    try {
      const v = await widgetSession(limited.url, limited.widgetKey);
      expect(
        (
          await upload(limited.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf() }], {
            token: v.visitorToken,
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await upload(limited.url, '/api/widget/chat/files', [{ name: 'b.pdf', data: pdf() }], {
            token: v.visitorToken,
          })
        ).status,
      ).toBe(201);
      const before = await snapshot(limited);
      const r = await upload(limited.url, '/api/widget/chat/files', [{ name: 'c.pdf', data: pdf() }], {
        token: v.visitorToken,
      });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(await snapshot(limited)).toEqual(before);
      // Another visitor is not affected.
      const w = await widgetSession(limited.url, limited.widgetKey);
      expect(
        (
          await upload(limited.url, '/api/widget/chat/files', [{ name: 'd.pdf', data: pdf() }], {
            token: w.visitorToken,
          })
        ).status,
      ).toBe(201);
    } finally {
      await limited.close();
    }
  });
});
