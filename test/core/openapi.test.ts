// The published OpenAPI document describes every operation completely (operationId, summary, tags, security, a
// success response and the shared Error component for each error status), and the test suite's contract hook
// really fails on an answer the document does not describe.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOpenApi } from '../../src/http/openapi.js';
import { startServer, type TestServer } from '../support/server.js';
import { call } from '../support/client.js';
import { takeContractViolations, watchContract } from '../support/contract.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: object }>;
};

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the three credentials as security schemes', async () => {
    const doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(['session', 'apiToken', 'visitorToken']),
    );
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it('describes every operation completely, errors by the shared Error component', async () => {
    const doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
    const ids = new Set<string>();
    const ops = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ where: `${method} ${path}`, op })),
    );
    expect(ops.length).toBeGreaterThan(40);
    for (const { where, op } of ops) {
      expect(op.operationId, where).toBeTruthy();
      expect(ids.has(op.operationId!), `${where}: duplicate operationId`).toBe(false);
      ids.add(op.operationId!);
      expect(op.summary, where).toBeTruthy();
      expect(op.summary, `${where}: a summary in words, not the route`).not.toMatch(/^[A-Z]+ \//);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      expect(Array.isArray(op.security), where).toBe(true);
      const statuses = Object.keys(op.responses ?? {});
      expect(
        statuses.some((k) => k.startsWith('2')),
        `${where}: a success response`,
      ).toBe(true);
      for (const status of statuses.filter((k) => /^[45]/.test(k))) {
        expect(op.responses![status]!.content?.['application/json']?.schema?.$ref, `${where} ${status}`).toBe(
          '#/components/schemas/Error',
        );
      }
    }
  });

  it('gives every success answer an exact schema: JSON closed to unknown fields, others a media type', async () => {
    const doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
    const loose: string[] = [];
    const closed = (schema: Record<string, unknown>): boolean => {
      if (schema.$ref) return true;
      if (!schema.type) return false; // "any JSON": what every answer was before it had a schema
      const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
      if (schema.type === 'object' && schema.additionalProperties !== false) return false;
      return Object.values(props ?? {}).every((p) => p.type !== 'object' || closed(p));
    };
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>))
      for (const [method, op] of Object.entries(methods))
        for (const [status, answer] of Object.entries(op.responses ?? {})) {
          if (!status.startsWith('2') || status === '204') continue;
          const content = answer.content ?? {};
          const json = content['application/json']?.schema as Record<string, unknown> | undefined;
          if (path === '/api/schemas/callback.json') continue; // a JSON Schema document: open by nature
          // No body at all is exact too when the answer says what it carries in headers (tus).
          const bodyless = Object.keys(content).length === 0 && 'headers' in answer;
          if (json ? !closed(json) : !bodyless && Object.keys(content).length === 0)
            loose.push(`${method} ${path} ${status}`);
        }
    expect(loose).toEqual([]);
    for (const name of ['File', 'Message', 'Chat', 'Delivery', 'User', 'Workspace', 'AuditEntry'])
      expect(doc.components.schemas[name]?.additionalProperties, name).toBe(false);
  });

  it('documents the tus endpoint as one operation per protocol request, with its headers', async () => {
    const doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
    const slashed = Object.keys(doc.paths).filter((p) => p.endsWith('/'));
    expect(slashed).toEqual(['/api/uploads/']);
    const collection = doc.paths['/api/uploads/'];
    const upload = doc.paths['/api/uploads/{uploadId}'];
    expect(Object.keys(collection).sort()).toEqual(['options', 'post']);
    expect(Object.keys(upload).sort()).toEqual(['delete', 'head', 'patch']);
    expect(collection.post.operationId).toBe('createUpload');
    expect(upload.head.operationId).toBe('getUploadOffset');
    const names = (op: { parameters: { name: string }[] }) => op.parameters.map((p) => p.name);
    expect(names(collection.post)).toEqual(
      expect.arrayContaining(['Tus-Resumable', 'Upload-Length', 'Upload-Metadata']),
    );
    expect(names(upload.patch)).toEqual(expect.arrayContaining(['uploadId', 'Upload-Offset']));
    expect(upload.patch.requestBody.content['application/offset+octet-stream']).toBeDefined();
    expect(Object.keys(collection.post.responses['201'].headers)).toEqual(
      expect.arrayContaining(['Location', 'Upload-Offset', 'Parley-File-Id']),
    );
    expect(upload.patch.responses['204'].headers['Parley-File-Id']).toBeDefined();
    for (const status of ['409', '410', '413', '415', '507'])
      expect(upload.patch.responses[status]?.content['application/json'].schema.$ref).toBe(
        '#/components/schemas/Error',
      );
  });

  it('serves the callback JSON Schema and documents the callback as a webhook', async () => {
    const doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
    expect(doc.webhooks.fileCallback.post.requestBody.content['multipart/form-data']).toBeDefined();
    const schema = await call(s.url, 'GET', '/api/schemas/callback.json');
    expect(schema.body.$defs.fields.required).toEqual(expect.arrayContaining(['chatID', 'fileId', 'sha256']));
  });
});

describe('the contract hook of the test helper', () => {
  it('records an answer whose status or body the document does not describe', async () => {
    const app = Fastify();
    await registerOpenApi(app);
    watchContract(app);
    app.get(
      '/api/teapot',
      { schema: { tags: ['auth'], response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } } } },
      async (_request, reply) => reply.code(418 as never).send({ n: 1 } as never),
    );
    app.get(
      '/api/shape',
      {
        schema: {
          tags: ['auth'],
          response: { 200: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } },
        },
      },
      async (_request, reply) => reply.type('application/json').serializer(String).send('{"m":1}'),
    );
    await app.ready();
    await app.inject({ method: 'GET', url: '/api/teapot' });
    await app.inject({ method: 'GET', url: '/api/shape' });
    const found = takeContractViolations();
    await app.close();
    expect(found).toEqual([
      expect.stringMatching(/GET \/api\/teapot → 418: the status is not documented/),
      expect.stringMatching(/GET \/api\/shape → 200: the body does not match the document/),
    ]);
  });

  it("records a handler's answer with a field its schema does not name (Fastify would drop it silently)", async () => {
    const app = Fastify();
    await registerOpenApi(app);
    watchContract(app);
    app.get(
      '/api/extra',
      { schema: { tags: ['auth'], response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } } } },
      async () => ({ n: 1, secret: 'dropped' }) as never,
    );
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/api/extra' });
    const found = takeContractViolations();
    await app.close();
    expect(res.json()).toEqual({ n: 1 });
    expect(found).toEqual([
      expect.stringMatching(/GET \/api\/extra → 200: the handler's answer does not match its response schema/),
    ]);
  });
});
