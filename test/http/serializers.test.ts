// Start-up cost: Fastify asks for a response serializer per route, status and context (over a thousand requests for
// ~75 distinct schemas). They are built once per distinct schema and process, so a node starts in about a second and
// a second app in the same process (tests, several nodes) builds none. Answers still drop fields a schema omits.
import { afterAll, describe, expect, it } from 'vitest';
import { serializerStats } from '../../src/http/validation.js';
import { TEST_ADMIN, startServer, type TestServer } from '../support/server.js';
import { call, login } from '../support/client.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('response serializers', () => {
  it('are built once per distinct schema and shared by every route and every app of the process', async () => {
    servers.push(await startServer());
    const first = { ...serializerStats };
    expect(first.builds).toBeGreaterThan(0);
    expect(first.reused).toBeGreaterThan(first.builds);
    servers.push(await startServer());
    expect(serializerStats.builds).toBe(first.builds);
    // Both apps answer through them.
    for (const s of servers) {
      const cookie = await login(s.url, TEST_ADMIN.email, TEST_ADMIN.password);
      const me = await call(s.url, 'GET', '/api/auth/me', { cookie });
      expect(me.status).toBe(200);
      expect(me.body.user.email).toBe(TEST_ADMIN.email);
      expect(me.body.user).not.toHaveProperty('password_hash');
    }
  });
});
