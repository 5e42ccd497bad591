// Requests signed in by the session cookie that change something must come from Parley's own origin; tokens are not
// affected. A sibling port or subdomain is "same-site", so SameSite cookies reach the server from it: only Origin /
// Sec-Fetch-Site tell. (The same attack in Chromium: test/browser/cross-site.test.ts.)
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { pdf } from '../support/fixtures.js';
import { connect } from '../support/sockets.js';

const s = useServer();
const SIBLING = 'http://127.0.0.1:1';

async function closeChat(chatId: string, headers: Record<string, string>) {
  return s.call('POST', s.api(`/chats/${chatId}/close`), { cookie: s.owner, headers });
}

function storedFiles(): string[] {
  const dir = path.join(s.dataDir, 'files');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String) : [];
}

describe('cross-site requests with the session cookie', () => {
  it('refuses a state change from another origin or a same-site page, and changes nothing', async () => {
    const v = await s.visitor();
    for (const headers of <Record<string, string>[]>[
      { origin: SIBLING },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site', origin: SIBLING },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const r = await closeChat(v.chat.id, headers);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('CROSS_SITE_REQUEST');
    }
    const chat = await s.asOwner('GET', s.api(`/chats/${v.chat.id}`));
    expect(chat.body.chat.status).not.toBe('closed');
  });

  it('accepts the same request from its own origin, and from clients that are not browsers', async () => {
    for (const headers of <Record<string, string>[]>[
      { origin: s.url },
      { 'sec-fetch-site': 'same-origin', origin: s.url },
      {},
    ]) {
      const v = await s.visitor();
      const r = await closeChat(v.chat.id, headers);
      expect(r.status).toBe(200);
      expect(r.body.chat.status).toBe('closed');
    }
  });

  it('refuses a cross-site multipart upload signed in by cookie and stores nothing', async () => {
    const v = await s.visitor();
    const before = storedFiles();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf())], { type: 'application/pdf' }), 'a.pdf');
    const res = await fetch(`${s.url}${s.api(`/chats/${v.chat.id}/files`)}`, {
      method: 'POST',
      headers: { cookie: s.owner, origin: SIBLING },
      body: form,
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('CROSS_SITE_REQUEST');
    expect(storedFiles()).toEqual(before);
  });

  it('refuses signing in from another site (login CSRF)', async () => {
    const r = await s.call('POST', '/api/auth/login', {
      body: { email: s.admin.email, password: s.admin.password },
      headers: { origin: SIBLING },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('leaves API tokens and visitor tokens alone, whatever the origin', async () => {
    const token = (await s.asOwner('POST', s.api('/tokens'), { name: 'integration' })).body.token;
    const v = await s.visitor();
    const closed = await s.call('POST', s.api(`/chats/${v.chat.id}/close`), { token, headers: { origin: SIBLING } });
    expect(closed.status).toBe(200);
    const w = await s.visitor();
    const sent = await s.call('POST', '/api/widget/chat/messages', {
      token: w.visitorToken,
      body: { text: 'hello' },
      headers: { origin: SIBLING, 'sec-fetch-site': 'cross-site' },
    });
    expect(sent.status).toBe(201);
  });

  it('refuses a socket signed in by cookie from another site', async () => {
    await expect(connect(s.url, {}, { cookie: s.owner, origin: SIBLING })).rejects.toThrow(/CROSS_SITE_REQUEST/);
    const own = await connect(s.url, {}, { cookie: s.owner, origin: s.url });
    own.close();
  });
});
