// Small HTTP helpers for API tests: JSON requests, sign-in with a cookie, widget sessions, multipart uploads.
export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; cookie?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

export async function login(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}

export interface VisitorSession {
  visitorToken: string;
  chat: { id: string; ref: string; status: string };
  uploads: { enabled: boolean; allowedTypes: string; maxFileSizeKb: number };
}

export async function widgetSession(base: string, widgetKey: string, visitorToken?: string): Promise<VisitorSession> {
  const r = await call<VisitorSession>(base, 'POST', `/api/widget/${widgetKey}/session`, {
    body: visitorToken ? { visitorToken } : {},
  });
  if (r.status !== 200) throw new Error(`session failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface UploadPart {
  name: string;
  data: Buffer | Uint8Array | string;
  type?: string;
}

/** Multipart upload with fetch (FormData); `fields` go before the files. */
export async function upload(
  base: string,
  path: string,
  files: UploadPart[],
  opts: { token?: string; cookie?: string; fields?: Record<string, string> } = {},
): Promise<Res> {
  const form = new FormData();
  for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v);
  for (const f of files)
    form.append(
      'file',
      new Blob([typeof f.data === 'string' ? f.data : new Uint8Array(f.data)], {
        type: f.type ?? 'application/octet-stream',
      }),
      f.name,
    );
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(base + path, { method: 'POST', headers, body: form });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

/**
 * Adds a member the way the product does: the admin invites (POST …/members answers the one-time link), and the
 * invitee accepts it with their own name and password. Returns the member's user.
 */
export async function addMember(
  base: string,
  adminCookie: string,
  workspaceId: string,
  member: { email: string; name?: string; password: string; role: 'admin' | 'agent' },
): Promise<{ id: string; email: string; name: string }> {
  const { password, ...invite } = member;
  const r = await call(base, 'POST', `/api/workspaces/${workspaceId}/members`, { cookie: adminCookie, body: invite });
  if (r.status !== 201) throw new Error(`invite failed: ${r.status} ${JSON.stringify(r.body)}`);
  const token = new URLSearchParams(new URL(r.body.invitation.link).hash.slice(1)).get('invite')!;
  const a = await call(base, 'POST', `/api/invitations/${encodeURIComponent(token)}/accept`, {
    body: { name: member.name, password },
  });
  if (a.status !== 200) throw new Error(`accept failed: ${a.status} ${JSON.stringify(a.body)}`);
  return a.body.user;
}
