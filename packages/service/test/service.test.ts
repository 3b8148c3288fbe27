import { describe, expect, it } from 'vitest';
import {
  Type,
  defineMethod,
  defineService,
  describeService,
  toRpcService,
  PermissionDeniedError,
  InvalidArgumentError,
  isHyphaError,
  isPermissionDeniedError,
  serviceSchemas,
} from '../src/index.js';
import type { Authorize, CallContext } from '../src/index.js';

const ctx: CallContext = { ws: 'ws-a', from: 'ws-a/c1', user: { id: 'alice' } };
const calls: string[] = [];
const authorize: Authorize = (c, permission, method) => {
  calls.push(`${method}:${permission}`);
  if (permission === 'admin' && c.user.id !== 'root') throw new PermissionDeniedError(`Permission denied for workspace ${c.ws}`);
};

const greeter = defineService({
  id: 'greeter',
  name: 'Greeter',
  description: 'Says hello.',
  config: { visibility: 'public' },
  methods: {
    greet: defineMethod({
      description: 'Greet someone.',
      params: {
        name: Type.String({ description: 'Who to greet.' }),
        punctuation: Type.Optional(Type.String({ description: 'Ends the greeting.', default: '!' })),
      },
      permission: 'none',
      handler: ({ name, punctuation }, c) => `Hello, ${name}${punctuation} (${c.ws})`,
    }),
    wipe: defineMethod({
      description: 'Admins only.',
      params: {},
      permission: 'admin',
      handler: () => 'wiped',
    }),
  },
});

describe('toRpcService', () => {
  const svc = toRpcService(greeter, { authorize, config: { server_id: 's1' } });
  const greet = svc.greet as (...a: unknown[]) => unknown;

  it('registers with require_context and the extra config', () => {
    expect(svc.config).toEqual({ visibility: 'public', server_id: 's1', require_context: true });
    expect(greet.length).toBe(3);
  });

  it('binds positional arguments and fills defaults', () => {
    expect(greet('Bob', undefined, ctx)).toBe('Hello, Bob! (ws-a)');
    expect(greet('Bob', '?', ctx)).toBe('Hello, Bob? (ws-a)');
  });

  it('binds keyword arguments sent as a trailing _rkwargs map', () => {
    expect(greet({ name: 'Eve', punctuation: '.', _rkwargs: true }, undefined, ctx)).toBe('Hello, Eve. (ws-a)');
    expect(greet('Eve', { punctuation: ';', _rkwargs: true }, ctx)).toBe('Hello, Eve; (ws-a)');
  });

  it('refuses unknown, duplicate and missing arguments with Python-like messages', () => {
    expect(() => greet({ nme: 'x', _rkwargs: true }, undefined, ctx)).toThrow("greet() got an unexpected keyword argument 'nme'");
    expect(() => greet({ context: {}, _rkwargs: true }, undefined, ctx)).toThrow(InvalidArgumentError);
    expect(() => greet('a', { name: 'b', _rkwargs: true }, ctx)).toThrow("greet() got multiple values for argument 'name'");
    expect(() => greet(undefined, undefined, ctx)).toThrow("greet() missing 1 required argument: 'name'");
  });

  it('checks the declared permission before running the handler', () => {
    calls.length = 0;
    const wipe = svc.wipe as (...a: unknown[]) => unknown;
    let err: unknown;
    try {
      wipe(ctx);
    } catch (e) {
      err = e;
    }
    expect(isPermissionDeniedError(err)).toBe(true);
    expect((err as Error).name).toBe('PermissionError');
    expect(calls).toEqual(['wipe:admin']);
    expect(wipe({ ...ctx, user: { id: 'root' } })).toBe('wiped');
  });

  it('binds the arguments before checking the permission (a bad call is a bad call for anyone)', () => {
    calls.length = 0;
    const wipe = svc.wipe as (...a: unknown[]) => unknown;
    expect(() => wipe({ force: true, _rkwargs: true }, ctx)).toThrow("wipe() got an unexpected keyword argument 'force'");
    expect(calls).toEqual([]);
  });

  it('refuses a call without an injected context', () => {
    expect(() => greet('x', undefined, undefined)).toThrow('the call carries no valid context');
  });

  it('derives schemas and docs from the declaration', () => {
    const [schema] = serviceSchemas(greeter);
    expect(schema).toEqual({
      name: 'greet',
      description: 'Greet someone.',
      parameters: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'Who to greet.' },
          punctuation: { type: 'string', description: 'Ends the greeting.', default: '!' },
        },
        required: ['name'],
      },
    });
    expect((greet as unknown as { __schema__: unknown }).__schema__).toEqual(schema);
    const doc = describeService(greeter);
    expect(doc).toContain('## greet(name, punctuation)');
    expect(doc).toContain('`punctuation` ("string", optional, default "!")');
  });

  it('recognises typed errors by code', () => {
    expect(isHyphaError(new InvalidArgumentError('x'), 'invalid_argument')).toBe(true);
    expect(isHyphaError(new InvalidArgumentError('x'), 'not_found')).toBe(false);
    expect(isHyphaError(new Error('x'))).toBe(false);
  });

  it('refuses a parameter named context', () => {
    expect(() => defineMethod({ description: 'x', params: { context: Type.Any() }, permission: 'none', handler: () => 1 })).toThrow(
      'may not be named "context"',
    );
  });
});
