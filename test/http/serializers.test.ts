// Start-up cost: Fastify asks for a response serializer per route, status and context (over a thousand requests for
// ~75 distinct schemas). They are built once per distinct schema and process, so a node starts in about a second and
// a second app in the same process (tests, several nodes) builds none. Answers still drop fields a schema omits.
// First answers: nothing is compiled while a visitor or an agent waits (the serializers' unions are decided by type or
// by validators compiled at start-up; Ajv compiling at the first answer of each shape cost 300+ ms after a start).
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { forgetSerializers, serializerStats } from '../../src/http/validation.js';
import { pdf } from '../support/fixtures.js';
import { TEST_ADMIN, startServer, type TestServer } from '../support/server.js';
import { call, login, upload, widgetSession } from '../support/client.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** Counts the schemas Ajv compiles (every Ajv of the process: the serializers' and the request validators'). */
function countCompiles(): { count: () => number; stop: () => void } {
  const proto = (Ajv as unknown as { prototype: { _compileSchemaEnv: (...a: unknown[]) => unknown } }).prototype;
  const original = proto._compileSchemaEnv;
  let compiles = 0;
  proto._compileSchemaEnv = function (this: unknown, ...args: unknown[]) {
    compiles++;
    return original.apply(this, args);
  };
  return { count: () => compiles, stop: () => (proto._compileSchemaEnv = original) };
}

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

  it("compiles nothing at a freshly started app's first answers to a visitor and an agent", async () => {
    forgetSerializers(); // as in a new process: the serializers are built by this app's start
    const s = await startServer();
    servers.push(s);
    const compiles = countCompiles();
    try {
      const visitor = await widgetSession(s.url, s.widgetKey);
      const token = visitor.visitorToken;
      const said = await call(s.url, 'POST', '/api/widget/chat/messages', { token, body: { text: 'hi' } });
      expect(said.status).toBe(201);
      const sent = await upload(s.url, '/api/widget/chat/files', [{ name: 'a.pdf', data: pdf(4096) }], { token });
      expect(sent.status).toBe(201);
      const messages = await call(s.url, 'GET', '/api/widget/chat/messages', { token });
      expect(messages.body.messages.length).toBeGreaterThan(1);
      expect((await call(s.url, 'GET', '/api/widget/chat/files', { token })).body.files).toHaveLength(1);
      expect((await call(s.url, 'GET', '/api/widget/chat', { token })).status).toBe(200);

      const cookie = await login(s.url, TEST_ADMIN.email, TEST_ADMIN.password);
      const ws = `/api/workspaces/${s.workspaceId}`;
      const chatId = visitor.chat.id;
      expect((await call(s.url, 'GET', `${ws}/chats?status=bot`, { cookie })).status).toBe(200);
      expect((await call(s.url, 'GET', `${ws}/chats/${chatId}/messages`, { cookie })).status).toBe(200);
      expect((await call(s.url, 'GET', `${ws}/chats/${chatId}/files`, { cookie })).status).toBe(200);
      expect((await call(s.url, 'GET', `${ws}/files`, { cookie })).body.files).toHaveLength(1);
      expect((await call(s.url, 'GET', `/api/files/${sent.body.files[0].id}`, { cookie })).status).toBe(200);
      expect((await call(s.url, 'GET', `${ws}/deliveries`, { cookie })).status).toBe(200);
      expect((await call(s.url, 'GET', '/api/auth/me', { cookie })).status).toBe(200);
      expect((await call(s.url, 'GET', `${ws}/settings/file-upload`, { cookie })).status).toBe(200);
      expect(compiles.count()).toBe(0);
    } finally {
      compiles.stop();
    }
  });
});
