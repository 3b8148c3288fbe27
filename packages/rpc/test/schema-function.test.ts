import { Type } from '@sinclair/typebox';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { describe, expect, it } from 'vitest';
import { schemaFunction } from '../src/schema/schema-function.js';
import { typedFunction } from '../src/schema/typed-function.js';

const referenceSchemaFunction = hyphaWebsocketClient.schemaFunction;

/** The same plain JSON Schema, fresh for each side (the reference mutates its input). */
function plainParameters() {
  return {
    type: 'object' as const,
    properties: {
      a: { type: 'number', description: 'first' },
      b: { type: 'number', _optional: true },
    },
    required: ['a'],
    additionalProperties: false,
  };
}

describe('schemaFunction', () => {
  it('builds exactly the __schema__ hypha-rpc builds', () => {
    const ours = schemaFunction(function add(a: number, b = 0) { return a + b; }, {
      description: 'Add two numbers',
      parameters: plainParameters(),
    });
    const theirs = referenceSchemaFunction(function add(a: number, b = 0) { return a + b; }, {
      description: 'Add two numbers',
      parameters: plainParameters(),
    } as any) as any;
    expect(ours.__schema__).toEqual(theirs.__schema__);
    expect(ours.__schema__).toEqual({
      name: 'add',
      description: 'Add two numbers',
      parameters: {
        type: 'object',
        properties: { a: { type: 'number', description: 'first' }, b: { type: 'number' } },
        required: ['a'],
      },
    });
    expect(ours(2, 3)).toBe(5);
  });

  it('matches the reference for a TypeBox object without required properties', () => {
    const params = () => Type.Object({ query: Type.Optional(Type.String({ description: 'q' })) });
    const ours = schemaFunction(() => 1, { name: 'search', parameters: params() });
    const theirs = referenceSchemaFunction(() => 1, { name: 'search', parameters: params() } as any) as any;
    // the reference keeps TypeBox's symbol keys, which never reach the wire: compare wire form
    expect(ours.__schema__).toEqual(JSON.parse(JSON.stringify(theirs.__schema__)));
    expect(ours.__schema__.parameters).toEqual({
      type: 'object',
      properties: { query: { type: 'string', description: 'q' } },
      required: [],
    });
    // plain JSON: TypeBox's symbol keys are gone
    expect(Object.getOwnPropertySymbols(ours.__schema__.parameters.properties.query as object)).toEqual([]);
  });

  it('rejects bad input with errors naming the problem', () => {
    expect(() => schemaFunction('x' as any, { parameters: { type: 'object' } })).toThrow('func should be a function');
    expect(() => schemaFunction(() => 1, { parameters: { type: 'object' } })).toThrow('name should not be null');
    expect(() => schemaFunction(function f() {}, { parameters: { type: 'string' } as any })).toThrow(
      'parameters of f should be an object schema',
    );
    expect(() => schemaFunction(function f() {}, { schema_type: 'pydantic' as any, parameters: { type: 'object' } })).toThrow(
      'schema_type should be auto',
    );
  });
});

describe('typedFunction', () => {
  it('builds a hypha-rpc __schema__ from ordered TypeBox parameters', () => {
    const greet = typedFunction(
      {
        name: 'greet',
        description: 'Greet someone',
        parameters: [
          ['name', Type.String({ description: 'who' })],
          ['times', Type.Optional(Type.Integer({ minimum: 1 }))],
        ],
        returns: Type.String(),
      },
      (name, times) => `hi ${name}`.repeat(times ?? 1),
    );
    const reference = referenceSchemaFunction((name: string, times?: number) => `${name}${times}`, {
      name: 'greet',
      description: 'Greet someone',
      parameters: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'who' },
          times: { type: 'integer', minimum: 1 },
        },
        required: ['name'],
      },
    } as any) as any;
    expect(greet.__schema__).toEqual(reference.__schema__);
    expect(greet('x', 2)).toBe('hi xhi x');
  });

  it('rejects malformed parameter lists', () => {
    expect(() => typedFunction({ name: 'f', parameters: [['a', Type.Number()], ['a', Type.Number()]] }, () => 1)).toThrow(
      'typedFunction f: duplicate parameter a',
    );
    expect(() => typedFunction({ name: 'f', parameters: [['', Type.Number()]] }, () => 1)).toThrow(
      'each parameter should be [name, schema]',
    );
    expect(() => typedFunction({ name: '', parameters: [] }, () => 1)).toThrow('spec.name is required');
  });
});
