// Who may call is settled before what was sent is judged: a caller without access gets 401 (no credentials), 404 (a
// workspace it cannot see) or 403 (an agent on an admin route) whatever its body, never a 422 or a 400 describing the
// route's schema. Only a caller with access is told what is wrong with its body.
import { describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { addMember, call, login } from '../support/client.js';

const s = useServer();

describe('access before validation', () => {
  it('answers 401, 404 and 403 before judging the body, then 422 for a caller with access', async () => {
    const other = (await s.asOwner('POST', '/api/workspaces', { name: 'order-other' })).body.workspace;
    await addMember(s.url, s.owner, s.workspaceId, {
      email: 'order-agent@example.test',
      password: 'agent password 1',
      role: 'agent',
    });
    const agent = await login(s.url, 'order-agent@example.test', 'agent password 1');
    // A second owner-less admin who is no member of `other`.
    await addMember(s.url, s.owner, s.workspaceId, {
      email: 'order-admin@example.test',
      password: 'admin password 1',
      role: 'admin',
    });
    const admin = await login(s.url, 'order-admin@example.test', 'admin password 1');
    const routes = (ws: string) => [
      ['PUT', `/api/workspaces/${ws}/settings/file-upload`],
      ['POST', `/api/workspaces/${ws}/files/delete`],
      ['PUT', `/api/workspaces/${ws}/integrations/callback`],
      ['POST', `/api/workspaces/${ws}/members`],
    ];
    const bodies = [{ maxFileSizeKb: 'lots', fileIds: 7, url: 5, email: 1, unknown: true }, { unknown: 1 }];
    for (const body of bodies) {
      for (const [method, path] of routes(s.workspaceId)) {
        const anonymous = await call(s.url, method!, path!, { body });
        expect(anonymous.status, `${method} ${path} anonymous`).toBe(401);
        expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
        const asAgent = await call(s.url, method!, path!, { cookie: agent, body });
        expect(asAgent.status, `${method} ${path} agent`).toBe(403);
        const asAdmin = await call(s.url, method!, path!, { cookie: admin, body });
        expect(asAdmin.status, `${method} ${path} admin`).toBe(422);
      }
      for (const [method, path] of [...routes(other.id), ...routes('no-such-workspace')]) {
        const foreign = await call(s.url, method!, path!, { cookie: admin, body });
        expect(foreign.status, `${method} ${path} foreign`).toBe(404);
        expect(foreign.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
      }
    }
    // A body that is not even JSON: still 404 for a workspace the caller cannot see.
    const res = await fetch(`${s.url}/api/workspaces/${other.id}/files/delete`, {
      method: 'POST',
      headers: { cookie: admin, origin: s.url, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(404);
  });
});
