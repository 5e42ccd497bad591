// The copy of a response schema that the serializer (fast-json-stringify) is built from. For every `anyOf` it
// generates an Ajv validation that picks the branch, at each answer, and Ajv compiles each one at the first answer of
// that shape: 300+ ms of the first visitor's requests after a start. Most of the app's unions only say "nullable" or
// "one of these strings" — what the serializer can decide from the value's type alone — so they become type lists here.
// The route's own schema (validation, the OpenAPI document) is not touched; the tests check every answer against it.

type Schema = Record<string, unknown>;

const PRIMITIVE_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
/** Keywords an option may carry and still be decided by its type (the others only matter to validation). */
const TYPE_ONLY_KEYWORDS = new Set([
  'type',
  'const',
  'enum',
  'format',
  'title',
  'description',
  'examples',
  'default',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
]);
/** Keywords whose values are data, not schemas: never rewritten. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/** A deep copy of `schema` with the unions the serializer can decide by type rewritten as type lists. */
export function forSerialization<T>(schema: T): T {
  return simplify(schema) as T;
}

function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) out[key] = DATA_KEYWORDS.has(key) ? value : simplify(value);
  if (Array.isArray(out.anyOf)) return byType(out) ?? out;
  return out;
}

/** The union as one schema with a list of types, or undefined when only a validation can tell its options apart. */
function byType(union: Schema): Schema | undefined {
  const { anyOf, ...siblings } = union as Schema & { anyOf: unknown[] };
  const options = anyOf as Schema[];
  if (options.some((o) => !o || typeof o !== 'object' || Array.isArray(o))) return undefined;
  if (options.every(isPrimitive)) return primitiveUnion(siblings, options);
  // Nullable object or array: `{...the object, type: ['object', 'null']}`.
  const nonNull = options.filter((o) => !(isPrimitive(o) && o.type === 'null'));
  if (options.length !== 2 || nonNull.length !== 1) return undefined;
  const [other] = nonNull as [Schema];
  if (other.type !== 'object' && other.type !== 'array') return undefined;
  // A composition of its own would be decided before the type list, and it has no branch for null.
  if (['$ref', 'anyOf', 'oneOf', 'allOf', 'if'].some((k) => other[k] !== undefined)) return undefined;
  return { ...siblings, ...other, type: [other.type, 'null'] };
}

function isPrimitive(option: Schema): boolean {
  return (
    typeof option.type === 'string' &&
    PRIMITIVE_TYPES.has(option.type) &&
    Object.keys(option).every((k) => TYPE_ONLY_KEYWORDS.has(k))
  );
}

/** Options of one type each, or constants of a shared type (a TypeBox union of literals). */
function primitiveUnion(siblings: Schema, options: Schema[]): Schema | undefined {
  const byTypeName = new Map<string, Schema[]>();
  for (const o of options) byTypeName.set(o.type as string, [...(byTypeName.get(o.type as string) ?? []), o]);
  const formats = new Set<unknown>();
  for (const group of byTypeName.values()) {
    // Two options of one type are told apart by their values: only literals say nothing the type does not.
    if (group.length > 1 && group.some((o) => o.const === undefined && o.enum === undefined)) return undefined;
    for (const o of group) if (o.format !== undefined) formats.add(o.format);
  }
  if (formats.size > 1) return undefined;
  const types = [...byTypeName.keys()];
  const simplified: Schema = { ...siblings, type: types.length === 1 ? types[0] : types };
  if (formats.size === 1) simplified.format = [...formats][0];
  return simplified;
}
