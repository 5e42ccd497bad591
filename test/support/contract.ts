// Every test response is a contract test: a hook on each test server checks the status and JSON body of every API
// answer against the operation in the server's own published OpenAPI document (/api/openapi.json). A mismatch is
// recorded here and fails the running test (test/support/contract-setup.ts), naming the route, status and error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

const DOC_ID = 'https://parley.invalid/openapi.json';
const violations: string[] = ((globalThis as Record<string, unknown>).__parleyContractViolations ??= []) as string[];

/** Keeps each mismatch once (the handler's answer and the sent body may show the same one). */
const record = (found: string) => {
  if (!violations.includes(found)) violations.push(found);
};

/** Mismatches seen since the last call (and forgets them). */
export function takeContractViolations(): string[] {
  return violations.splice(0, violations.length);
}

type Doc = { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

/** Adds the checking hook; call before the app is ready. */
export function watchContract(app: FastifyInstance) {
  let ajv: Ajv2020 | undefined;
  let doc: Doc;
  const validators = new Map<string, ValidateFunction | null>();
  const load = () => {
    doc = app.swagger() as unknown as Doc;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    formats.default(ajv);
    ajv.addSchema(JSON.parse(JSON.stringify(doc)), DOC_ID);
  };
  /** The status's documented response (or a violation), and its JSON body validator when it has one. */
  const lookup = (request: FastifyRequest, statusCode: number, where: string) => {
    if (!ajv) load();
    const path = request.routeOptions.url!.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    // A HEAD is its GET's twin unless the path documents a HEAD of its own (tus).
    const own = request.method.toLowerCase();
    const method = own === 'head' && !doc.paths[path]?.head ? 'get' : own;
    const responses = doc.paths[path]?.[method]?.responses;
    if (!responses) {
      record(`${where}: the operation is not in the OpenAPI document`);
      return undefined;
    }
    const status = String(statusCode);
    const key = [status, `${status[0]}XX`, 'default'].find((k) => k in responses);
    if (!key) {
      record(`${where}: the status is not documented (documented: ${Object.keys(responses).join(', ')})`);
      return undefined;
    }
    const id = `${path} ${method} ${key}`;
    if (!validators.has(id)) {
      const schemaRef = `${DOC_ID}#/${pointer('paths', path, method, 'responses', key, 'content', 'application/json', 'schema')}`;
      const content = (responses[key] as { content?: Record<string, unknown> }).content?.['application/json'];
      validators.set(id, content ? ajv!.compile({ $ref: schemaRef }) : null);
    }
    return { validate: validators.get(id) ?? null };
  };
  const checked = (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.routeOptions.url;
    if (!url?.startsWith('/api/') || url === '/api/openapi.json' || reply.statusCode === 405) return false;
    return !(request.routeOptions.schema as { hide?: boolean } | undefined)?.hide;
  };
  // What the handler answered, before Fastify serialises it with the same schema: a field the schema does not name
  // would be dropped silently, and a value of the wrong type coerced, so both are mismatches here.
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (!checked(request, reply) || payload === null || typeof payload !== 'object') return payload;
    const where = `${request.method} ${request.routeOptions.url} → ${reply.statusCode}`;
    const found = lookup(request, reply.statusCode, where);
    if (found?.validate && !found.validate(JSON.parse(JSON.stringify(payload)))) {
      const errors = ajv!.errorsText(found.validate.errors);
      record(`${where}: the handler's answer does not match its response schema: ${errors}`);
    }
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!checked(request, reply)) return payload;
    const where = `${request.method} ${request.routeOptions.url} → ${reply.statusCode}`;
    const found = lookup(request, reply.statusCode, where);
    const type = String(reply.getHeader('content-type') ?? '');
    if (!found || typeof payload !== 'string' || !type.startsWith('application/json') || payload === '') return payload;
    if (found.validate && !found.validate(JSON.parse(payload))) {
      record(`${where}: the body does not match the document: ${ajv!.errorsText(found.validate.errors)}`);
    }
    return payload;
  });
}
