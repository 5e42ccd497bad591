// Embed settings (issue 17 item 7): the widget's colour, position, greeting and allowed websites, validated strictly,
// for admins of the workspace only; and their enforcement by the widget session, the loader's appearance look-up and
// the widget page's frame-ancestors header.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { addMember, call, login } from '../../support/client.js';

const s = useServer();
let path: string;
beforeAll(() => {
  path = s.api('/settings/embed');
});

const session = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
  call(s.url, 'POST', `/api/widget/${s.widgetKey}/session`, { headers, body });

describe('embed settings', () => {
  it('start from the defaults: blue, bottom-right, no greeting, any website', async () => {
    const r = await s.asOwner('GET', path);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ color: '#2563eb', position: 'bottom-right', greeting: '', allowedOrigins: [] });
  });

  it('save and normalise colour, position, greeting and origins', async () => {
    const r = await s.asOwner('PUT', path, {
      color: '#0F766E',
      position: 'bottom-left',
      greeting: '  Hello! Ask us anything.  ',
      allowedOrigins: ['HTTPS://Shop.Example.com:443/', '', 'http://127.0.0.1:8080', 'https://*.example.org'],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      color: '#0f766e',
      position: 'bottom-left',
      greeting: 'Hello! Ask us anything.',
      allowedOrigins: ['https://shop.example.com', 'http://127.0.0.1:8080', 'https://*.example.org'],
    });
    expect((await s.asOwner('GET', path)).body).toEqual(r.body);
    // A partial change keeps the rest.
    const partial = await s.asOwner('PUT', path, { greeting: '' });
    expect(partial.body).toMatchObject({ color: '#0f766e', greeting: '', allowedOrigins: r.body.allowedOrigins });
    await s.asOwner('PUT', path, { allowedOrigins: [], position: 'bottom-right' });
  });

  it.each([
    [{ color: 'red' }, 'color'],
    [{ color: '#12345' }, 'color'],
    [{ position: 'top-left' }, 'position'],
    [{ greeting: 'x'.repeat(301) }, 'greeting'],
    [{ allowedOrigins: ['https://example.com/path'] }, 'allowedOrigins'],
    [{ allowedOrigins: ['example.com'] }, 'allowedOrigins'],
    [{ allowedOrigins: ['*'] }, 'allowedOrigins'],
    [{ allowedOrigins: ['https://*.com'] }, 'allowedOrigins'],
    [{ allowedOrigins: ['ftp://example.com'] }, 'allowedOrigins'],
    [{ allowedOrigins: ['https://user@example.com'] }, 'allowedOrigins'],
    [{ allowedOrigins: ['https://example.com?x=1'] }, 'allowedOrigins'],
    [{ allowedOrigins: 'https://example.com' }, 'allowedOrigins'],
    [{ colour: '#ffffff' }, 'colour'],
  ])('refuse %j with 422 naming %s', async (body, field) => {
    const r = await s.asOwner('PUT', path, body);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toHaveProperty(field);
    // The refusal names positions and rules, never the values sent (no echo of the request).
    const sent = Object.values(body).flat();
    for (const v of sent) if (typeof v === 'string' && v.length > 5) expect(JSON.stringify(r.body)).not.toContain(v);
  });

  it('are for admins only, and only of their own workspace', async () => {
    await addMember(s.url, s.owner, s.workspaceId, {
      email: 'agent@embed.test',
      password: 'agent-password',
      role: 'agent',
    });
    const agent = await login(s.url, 'agent@embed.test', 'agent-password');
    for (const [method, body] of [['GET'], ['PUT', { greeting: 'hi' }]] as const) {
      const r = await call(s.url, method, path, { cookie: agent, body });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    const other = await s.asOwner('POST', '/api/workspaces', { name: 'Other shop' });
    await addMember(s.url, s.owner, other.body.workspace.id, {
      email: 'admin@other.test',
      password: 'admin-password',
      role: 'admin',
    });
    const foreignAdmin = await login(s.url, 'admin@other.test', 'admin-password');
    const r = await call(s.url, 'PUT', path, { cookie: foreignAdmin, body: { greeting: 'hacked' } });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
    expect((await s.asOwner('GET', path)).body.greeting).toBe('');
  });
});

describe('allowed origins, enforced', () => {
  const own = () => new URL(s.url).origin;

  it('let any website in while the list is empty, and hand the look to the widget', async () => {
    await s.asOwner('PUT', path, { color: '#7c3aed', greeting: 'Hi there', allowedOrigins: [] });
    const r = await session({ origin: 'https://anywhere.test' });
    expect(r.status).toBe(200);
    expect(r.body.appearance).toEqual({ color: '#7c3aed', position: 'bottom-right', greeting: 'Hi there' });
    const page = await fetch(`${s.url}/widget/?key=${s.widgetKey}`);
    expect(page.headers.get('content-security-policy')).toBeNull();
  });

  it('refuse a session from a website not listed and accept a listed one', async () => {
    await s.asOwner('PUT', path, { allowedOrigins: ['https://shop.example.com', 'https://*.example.org'] });
    const foreign = await session({ origin: 'https://evil.test' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    // The website is not quoted back (no echo of the request).
    expect(JSON.stringify(foreign.body)).not.toContain('evil.test');
    // A page calling the API itself cannot claim another website in the body.
    const lying = await session({ origin: 'https://evil.test' }, { embedOrigin: 'https://shop.example.com' });
    expect(lying.status).toBe(403);
    expect((await session({ origin: 'https://shop.example.com' })).status).toBe(200);
    expect((await session({ origin: 'https://help.example.org' })).status).toBe(200);
    expect((await session({ origin: 'https://example.org' })).status).toBe(403);
    expect((await session({ origin: 'http://shop.example.com' })).status).toBe(403);
    expect((await session({ origin: 'null' })).status).toBe(403);
  });

  it("judge the widget iframe (Parley's own origin) by the embedding page it names", async () => {
    expect((await session({ origin: own() }, { embedOrigin: 'https://shop.example.com' })).status).toBe(200);
    const framed = await session({ origin: own() }, { embedOrigin: 'https://evil.test' });
    expect(framed.status).toBe(403);
    expect(framed.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    // Parley's own pages (demo page, bot preview, the widget opened alone) pass.
    expect((await session({ origin: own() })).status).toBe(200);
    expect((await session({ origin: own() }, { embedOrigin: own() })).status).toBe(200);
    // A request naming no website at all is refused once a list is set.
    const anonymous = await session({});
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('answer the loader cross-origin: the look for a listed website, ORIGIN_NOT_ALLOWED for others', async () => {
    const appearance = (origin: string) =>
      call(s.url, 'GET', `/api/widget/${s.widgetKey}/appearance`, { headers: { origin } });
    const ok = await appearance('https://shop.example.com');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.body).toEqual({ color: '#7c3aed', position: 'bottom-right', greeting: 'Hi there' });
    const refused = await appearance('https://evil.test');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect((await call(s.url, 'GET', '/api/widget/no-such-key/appearance')).status).toBe(404);
  });

  it("put the list in the widget page's frame-ancestors", async () => {
    // (The header does not depend on web/dist being built: it is on the answer for the page's address either way.)
    for (const page of [
      `/widget/?key=${s.widgetKey}`,
      `/widget/index.html?key=${s.widgetKey}&preview=1`,
      // The same page by escaped paths (browsers keep the escapes, the static files decode them): found by QA.
      `/widget/%69ndex.html?key=${s.widgetKey}`,
      `/widget/index%2ehtml?key=${s.widgetKey}`,
    ]) {
      const r = await fetch(s.url + page);
      expect(r.headers.get('content-security-policy')).toBe(
        "frame-ancestors 'self' https://shop.example.com https://*.example.org",
      );
    }
    const unknown = await fetch(`${s.url}/widget/?key=nope`);
    expect(unknown.headers.get('content-security-policy')).toBeNull();
    await s.asOwner('PUT', path, { allowedOrigins: [] });
    const open = await fetch(`${s.url}/widget/?key=${s.widgetKey}`);
    expect(open.headers.get('content-security-policy')).toBeNull();
  });
});
