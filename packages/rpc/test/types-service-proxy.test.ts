import { Type } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { schemaFunction } from '../src/schema/schema-function.js';
import { typedFunction } from '../src/schema/typed-function.js';
import { defineService, type ServiceProxy } from '../src/types/service-proxy.js';

// A provider's service, declared once with TypeBox; callers only import its type.
const calculator = defineService({
  id: 'calculator',
  name: 'Calculator',
  config: { visibility: 'public' },
  add: typedFunction(
    { name: 'add', parameters: [['a', Type.Number()], ['b', Type.Number()]], returns: Type.Number() },
    (a, b) => a + b,
  ),
  describe: typedFunction(
    {
      name: 'describe',
      parameters: [['shape', Type.Object({ kind: Type.Union([Type.Literal('circle'), Type.Literal('square')]), size: Type.Number() })],
        ['verbose', Type.Optional(Type.Boolean())]],
      returns: Type.Object({ area: Type.Number(), label: Type.String() }),
    },
    async (shape, verbose) => ({ area: shape.size ** 2, label: verbose ? `a ${shape.kind}` : shape.kind }),
  ),
  scale: schemaFunction((factor: number): number[] => [factor], {
    name: 'scale',
    parameters: Type.Object({ factor: Type.Number() }),
  }),
  nested: { ping: (): 'pong' => 'pong' },
  async *count(n: number) {
    for (let i = 0; i < n; i++) yield i;
  },
  version: 3,
});

type Calculator = ServiceProxy<typeof calculator>;

describe('typed service proxies', () => {
  it('types implementation parameters from TypeBox schemas', () => {
    expectTypeOf(calculator.add).parameters.toEqualTypeOf<[number, number]>();
    expectTypeOf(calculator.describe).parameter(0).toEqualTypeOf<{ kind: 'circle' | 'square'; size: number }>();
    expectTypeOf(calculator.describe).parameter(1).toEqualTypeOf<boolean | undefined>();
    expect(calculator.add(2, 3)).toBe(5);
  });

  it('gives callers async versions of every function, nested too', () => {
    expectTypeOf<Calculator['add']>().toEqualTypeOf<(a: number, b: number) => Promise<number>>();
    expectTypeOf<Calculator['describe']>().returns.toEqualTypeOf<Promise<{ area: number; label: string }>>();
    expectTypeOf<Calculator['scale']>().toEqualTypeOf<(factor: number) => Promise<number[]>>();
    expectTypeOf<Calculator['nested']['ping']>().toEqualTypeOf<() => Promise<'pong'>>();
    expectTypeOf<Calculator['count']>().returns.toEqualTypeOf<Promise<AsyncGenerator<number, void, unknown>>>();
    expectTypeOf<Calculator['version']>().toEqualTypeOf<number>();
    expectTypeOf<Calculator['id']>().toEqualTypeOf<string>();
  });

  it('rejects wrong calls at compile time', () => {
    const check = (calc: Calculator) => {
      // @ts-expect-error a string is not a number
      void calc.add('1', 2);
      // @ts-expect-error missing argument
      void calc.add(1);
      // @ts-expect-error not a method of the service
      void calc.subtract(1, 2);
      // @ts-expect-error 'triangle' is not an allowed kind
      void calc.describe({ kind: 'triangle', size: 1 });
    };
    expect(typeof check).toBe('function');
  });

  it('stays any for untyped callers', () => {
    expectTypeOf<ServiceProxy<any>>().toBeAny();
  });

  it('rejects implementations that do not match the schemas', () => {
    typedFunction(
      { name: 'bad', parameters: [['a', Type.Number()]], returns: Type.String() },
      // @ts-expect-error returns a number where the schema says string
      (a) => a + 1,
    );
    expect(() => defineService(null as any)).toThrow('defineService: service should be an object');
  });
});
