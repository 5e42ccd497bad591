// Request validation: JSON bodies are checked exactly as sent (no type coercion, `null` only where a schema allows
// it, unknown fields refused), while the query string and path parameters, which are always strings on the wire,
// may be coerced to the numbers and booleans their schemas declare. Fastify's own ajv compiler serves both.
import crypto from 'node:crypto';
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import { forSerialization } from './serializer-schemas.js';

const shared = { removeAdditional: false, useDefaults: true, allErrors: true } as const;

type Factory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

// One pool for the whole app: Fastify asks for a validator compiler in every plugin context, and the pool hands back
// the compiler already built for the same shared schemas and options instead of a new ajv (each new ajv compiles the
// JSON Schema meta-schema and every shared schema again: seconds of start-up for each test server and node).
const pool = AjvCompiler();

export const strictBodies: Factory['buildValidator'] = (externalSchemas, options) => {
  const plugins = (options as { plugins?: never[] }).plugins ?? [];
  const strict = pool(externalSchemas as never, { plugins, customOptions: { ...shared, coerceTypes: false } });
  const lenient = pool(externalSchemas as never, { plugins, customOptions: { ...shared, coerceTypes: 'array' } });
  return (route) => (route.httpPart === 'body' ? strict(route) : lenient(route));
};

/**
 * Response serializers (fast-json-stringify), built once per distinct response schema and shared schemas: many routes
 * answer the same shape (`{chat}`, `{message}`, errors), and every node or test server of one process has the same
 * routes. Each build validates its schema and resolves every shared schema again (most of the app's start-up time).
 * They are built from `forSerialization`'s copies of the schemas (unions decided by type, not by Ajv), and the few
 * unions left (a file or a deleted file) have their validators compiled with the serializer, at start-up, not at the
 * first answer that needs one.
 */
const serializers = new Map<string, (doc: unknown) => string>();
/** Builds and reuses so far (a test checks that routes share them). */
export const serializerStats = { builds: 0, reused: 0 };
/** Forgets the serializers built so far: a test's next app builds its own, as a freshly started process does. */
export function forgetSerializers(): void {
  serializers.clear();
}
/** The shared schemas as the serializers see them, per distinct set (Fastify asks once per plugin context). */
const externalForSerialization = new Map<string, unknown>();
export const sharedSerializers: Factory['buildSerializer'] = (externalSchemas, serializerOpts) => {
  const context = crypto
    .createHash('sha256')
    .update(JSON.stringify(externalSchemas ?? {}))
    .update(JSON.stringify(serializerOpts ?? {}))
    .digest('hex');
  let external = externalForSerialization.get(context);
  if (!external) externalForSerialization.set(context, (external = forSerialization(externalSchemas)));
  const options = { ...(serializerOpts as object), compileValidators: true };
  const build = SerializerSelector()(external as never, options as never) as (
    route: unknown,
  ) => (doc: unknown) => string;
  return (route) => {
    const key = `${context}:${crypto.createHash('sha256').update(JSON.stringify(route.schema)).digest('hex')}`;
    let serialize = serializers.get(key);
    if (serialize) serializerStats.reused++;
    else {
      serializerStats.builds++;
      serialize = build({ ...route, schema: forSerialization(route.schema) });
      serializers.set(key, serialize);
    }
    return serialize;
  };
};

type JsonSchema = Record<string, unknown>;

/** Closes every object of a body schema to unknown fields, unless it says otherwise (in place, once per schema). */
export function closeObjects(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as JsonSchema;
  if ((s.type === 'object' || s.properties) && s.additionalProperties === undefined) s.additionalProperties = false;
  for (const key of ['properties', 'patternProperties'] as const) {
    const props = s[key] as Record<string, unknown> | undefined;
    if (props) for (const v of Object.values(props)) closeObjects(v);
  }
  for (const key of ['items', 'not', 'additionalProperties'] as const) closeObjects(s[key]);
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    const list = s[key] as unknown[] | undefined;
    if (Array.isArray(list)) for (const v of list) closeObjects(v);
  }
}
