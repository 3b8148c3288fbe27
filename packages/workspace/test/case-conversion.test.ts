import { describe, expect, it } from 'vitest';
import { toCamel, toCaseConverted, toSnake } from '../src/manager/case-conversion.js';

// The rules of Python hypha-rpc's convert_case, which the reference server applies in get_service.

describe('get_service key case conversion', () => {
  it('camel-cases like Python hypha-rpc', () => {
    expect(toCamel('HelloWorld')).toBe('helloWorld');
    expect(toCamel('hello_world')).toBe('helloWorld');
    expect(toCamel('get_HTTP_url')).toBe('getHttpUrl');
    expect(toCamel('add2_numbers')).toBe('add2Numbers');
    expect(toCamel('part_2nd')).toBe('part2Nd');
    expect(toCamel('id')).toBe('id');
  });

  it('snake-cases like Python hypha-rpc', () => {
    expect(toSnake('HelloWorld')).toBe('hello_world');
    expect(toSnake('getHTTP')).toBe('get_h_t_t_p');
    expect(toSnake('already_snake')).toBe('already_snake');
    expect(toSnake('_private')).toBe('private');
  });

  it('converts nested maps including config, renames function schemas, keeps lists', () => {
    const fn = Object.assign(() => 1, { __schema__: { name: 'SayHi', description: 'd', parameters: { type: 'object', properties: {} } } });
    const out = toCaseConverted(
      { id: 'w/c:s', SayHi: fn, config: { require_context: true }, items: [{ KeyA: 1 }], nested: { InnerKey: { deep_key: 2 } } },
      'camel',
    );
    expect(Object.keys(out)).toEqual(['id', 'sayHi', 'config', 'items', 'nested']);
    expect(out.config).toEqual({ requireContext: true });
    expect(out.items).toEqual([{ KeyA: 1 }]);
    expect(out.nested).toEqual({ innerKey: { deepKey: 2 } });
    expect((out.sayHi as typeof fn).__schema__.name).toBe('sayHi');
    expect((out.sayHi as typeof fn & { __name__: string }).__name__).toBe('sayHi');
  });

  it('puts both spellings for camel+snake and rejects unknown modes', () => {
    const out = toCaseConverted({ HelloWorld: 1, config: { require_context: true } }, 'camel+snake');
    // "config" is spelled the same both ways: the snake copy, written last, wins (as in Python).
    expect(out).toEqual({ helloWorld: 1, hello_world: 1, config: { require_context: true } });
    expect(toCaseConverted({ A: 1 }, null)).toEqual({ A: 1 });
    expect(() => toCaseConverted({ A: 1 }, 'kebab')).toThrow(/Invalid case_conversion: kebab/);
  });
});
