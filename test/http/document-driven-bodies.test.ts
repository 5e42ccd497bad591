// Every JSON body the published OpenAPI document describes, probed the way an integrator's fuzzer would: for each
// operation and each top-level field, a value of a type the schema does not allow, `null` where it is not allowed,
// and an unknown field. Each is refused with 422 VALIDATION_FAILED naming that field; none is a 5xx. The cases come
// from /api/openapi.json itself, so a route added later is probed without touching this file.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { call, type VisitorSession } from '../support/client.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  anyOf?: Schema[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
};
type Operation = {
  operationId: string;
  security?: Record<string, unknown>[];
  requestBody?: { content: Record<string, { schema: Schema }> };
};
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const s = useServer();
let doc: Doc;
let visitor: VisitorSession;
beforeAll(async () => {
  doc = (await call(s.url, 'GET', '/api/openapi.json')).body;
  visitor = await s.visitor();
});

const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v;

/** The JSON types a schema admits (integer counts as number for picking a wrong value). */
function allowed(schema: Schema): Set<string> | undefined {
  const r = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!]! : schema;
  if (r.anyOf) {
    const all = r.anyOf.map(allowed);
    return all.some((a) => !a) ? undefined : new Set(all.flatMap((a) => [...a!]));
  }
  if (r.const !== undefined) return new Set([jsonType(r.const)]);
  if (r.enum) return new Set(r.enum.map(jsonType));
  if (!r.type) return undefined; // any JSON: nothing is a wrong type
  return new Set([r.type].flat().map((t) => (t === 'integer' ? 'number' : t)));
}

/** A value of each JSON type, the first of which the schema refuses is the probe. */
const PROBES: unknown[] = [12345, 'a string', true, [], { nested: 1 }];
const SAMPLE: Record<string, unknown> = { string: 'x', number: 1, boolean: false, array: [], object: {} };

interface Probe {
  op: string;
  method: string;
  path: string;
  auth: 'staff' | 'visitor' | 'none';
  body: Record<string, unknown>;
  field: string;
}

function probesOf(): Probe[] {
  const out: Probe[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      const schema = op.requestBody?.content['application/json']?.schema;
      if (!schema) continue;
      const schemes = (op.security ?? []).flatMap((x) => Object.keys(x));
      const auth = schemes.includes('session') ? 'staff' : schemes.includes('visitorToken') ? 'visitor' : 'none';
      // A body of the right shape apart from the probed field: each required field with a value of its type.
      const base: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const types = allowed(schema.properties?.[name] ?? {});
        base[name] = SAMPLE[[...(types ?? ['string'])].find((t) => t in SAMPLE) ?? 'string'];
      }
      const at = { op: op.operationId, method: method.toUpperCase(), path, auth } as const;
      for (const [field, prop] of Object.entries(schema.properties ?? {})) {
        const types = allowed(prop);
        if (!types) continue;
        const wrong = PROBES.find((v) => !types.has(jsonType(v)));
        if (wrong !== undefined) out.push({ ...at, body: { ...base, [field]: wrong }, field });
        if (!types.has('null')) out.push({ ...at, body: { ...base, [field]: null }, field });
      }
      out.push({ ...at, body: { ...base, unexpectedField: 1 }, field: 'unexpectedField' });
    }
  return out;
}

function urlOf(path: string): string {
  const values: Record<string, string> = {
    ws: s.workspaceId,
    widgetKey: s.widgetKey,
    chatId: visitor.chat.id,
  };
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? 'no-such-id'));
}

describe('JSON bodies, probed from the OpenAPI document', () => {
  it('refuses a wrong type, a null and an unknown field in every body with 422 naming the field', async () => {
    const probes = probesOf();
    // Sanity: the document really has bodies to probe (settings, integrations, chats, bot, auth, workspaces…).
    expect(new Set(probes.map((p) => p.op)).size).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const p of probes) {
      const auth =
        p.auth === 'staff' ? { cookie: s.owner } : p.auth === 'visitor' ? { token: visitor.visitorToken } : {};
      const r = await call(s.url, p.method, urlOf(p.path), { ...auth, body: p.body });
      const fields = Object.keys(r.body?.error?.fields ?? {});
      if (r.status !== 422 || r.body.error.code !== 'VALIDATION_FAILED' || !fields.includes(p.field))
        wrong.push(`${p.op} ${JSON.stringify(p.body)} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });
});
