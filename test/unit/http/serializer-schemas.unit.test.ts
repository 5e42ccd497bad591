// The serializers' copies of the response schemas: unions the value's type decides become type lists, the others stay
// unions, the route's schema is not touched, and the answers are the same bytes as before.
import { Type } from '@sinclair/typebox';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { describe, expect, it } from 'vitest';
import { forSerialization } from '../../../src/http/serializer-schemas.js';

/** A serializer built as the app builds them (fast-json-stringify through Fastify's compiler). */
const serializer = (schema: unknown) =>
  SerializerSelector()(undefined as never, {} as never)({ schema } as never) as (doc: unknown) => string;
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

describe('forSerialization', () => {
  it('turns a nullable string into a type list and keeps its format', () => {
    expect(forSerialization(Nullable(Type.String({ format: 'date-time' })))).toEqual({
      type: ['string', 'null'],
      format: 'date-time',
    });
  });

  it('turns a union of literals, nullable or not, into their type', () => {
    const status = Type.Union([Type.Literal('open'), Type.Literal('closed')], { description: 'state' });
    expect(forSerialization(status)).toEqual({ type: 'string', description: 'state' });
    const outcome = Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Null()]);
    expect(forSerialization(outcome)).toEqual({ type: ['string', 'null'] });
    // The OpenAPI form of a literal: a one-value enum.
    expect(
      forSerialization({
        anyOf: [
          { type: 'string', enum: ['a'] },
          { type: 'string', enum: ['b'] },
        ],
      }),
    ).toEqual({
      type: 'string',
    });
  });

  it('turns a union of distinct primitive types and a nullable object or array into type lists', () => {
    expect(forSerialization(Type.Union([Type.String(), Type.Number(), Type.Boolean()]))).toEqual({
      type: ['string', 'number', 'boolean'],
    });
    const object = Type.Object({ a: Type.String() });
    expect(forSerialization(Type.Union([object, Type.Null()]))).toEqual({
      type: ['object', 'null'],
      properties: { a: { type: 'string' } },
      required: ['a'],
    });
    expect(forSerialization(Type.Union([Type.Array(Type.Integer()), Type.Null()]))).toEqual({
      type: ['array', 'null'],
      items: { type: 'integer' },
    });
  });

  it('keeps the unions only a validation can decide', () => {
    const unions = [
      Type.Union([Type.Ref('File'), Type.Ref('DeletedFile')]),
      Type.Union([Type.Ref('User'), Type.Null()]),
      Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })]),
      Type.Union([Type.Object({ a: Type.String() }), Type.String()]),
      Type.Union([Type.String({ pattern: '^a' }), Type.String({ pattern: '^b' })]),
      Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'uri' })]),
      Type.Union([Type.Object({ a: Type.String() }, { anyOf: [{ required: ['a'] }] }), Type.Null()]),
    ];
    for (const union of unions) expect(forSerialization(union)).toEqual(JSON.parse(JSON.stringify(union)));
  });

  it('rewrites nested unions, never data, and leaves the original alone', () => {
    const schema = Type.Object({
      items: Type.Array(Type.Object({ at: Nullable(Type.String()) })),
      sample: Type.Object({}, { default: { anyOf: [{ type: 'string' }, { type: 'null' }] } }),
    });
    const before = JSON.stringify(schema);
    const copy = forSerialization(schema) as any;
    expect(copy.properties.items.items.properties.at).toEqual({ type: ['string', 'null'] });
    expect(copy.properties.sample.default).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(JSON.stringify(schema)).toBe(before);
  });

  it('serializes the same bytes as the schema it was made from', () => {
    const schema = Type.Object({
      id: Type.String(),
      status: Type.Union([Type.Literal('bot'), Type.Literal('open'), Type.Literal('closed')]),
      closedAt: Nullable(Type.String({ format: 'date-time' })),
      outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Null()]),
      details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
      owner: Type.Union([Type.Object({ name: Type.String() }), Type.Null()]),
      tags: Type.Union([Type.Array(Type.String()), Type.Null()]),
    });
    const before = serializer(schema);
    const after = serializer(forSerialization(schema));
    const docs = [
      {
        id: 'c1',
        status: 'open',
        closedAt: null,
        outcome: null,
        details: { a: 'x', n: 2.5, b: false },
        owner: null,
        tags: null,
        secret: 'dropped',
      },
      {
        id: 'c2',
        status: 'closed',
        closedAt: '2026-11-29T15:00:00.000Z',
        outcome: 'failed',
        details: {},
        owner: { name: 'Ann', password: 'dropped' },
        tags: ['a', 'b'],
      },
      {
        id: 'c3',
        status: 'bot',
        closedAt: new Date(0),
        outcome: 'succeeded',
        details: { n: 0 },
        owner: null,
        tags: [],
      },
    ];
    for (const doc of docs) expect(after(doc)).toBe(before(doc));
  });
});
