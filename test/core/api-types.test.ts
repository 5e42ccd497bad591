// The web apps take their API types from web/ui/api-schema.ts, generated from the served OpenAPI document by
// `npm run gen:api`. A change to a route's schema without regenerating fails here (and a web app that then no longer
// fits the new types fails the type check).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/gen-api.js';
import { call } from '../support/client.js';
import { startServer, type TestServer } from '../support/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

it("keeps the web apps' generated API types in step with the served OpenAPI document", async () => {
  const doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
  const expected = await apiTypesSource(doc);
  const committed = fs.readFileSync(path.resolve(API_TYPES_FILE), 'utf8');
  expect(committed === expected, `${API_TYPES_FILE} is stale: run npm run gen:api`).toBe(true);
  // What the apps rely on is in it: the shared components and the operations they call.
  expect(committed).toContain('File: {');
  expect(committed).toContain("'/api/workspaces/{ws}/files': {");
});
