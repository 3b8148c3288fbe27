import { describe, expect, it } from 'vitest';
import { MemoryEventBus } from '@hypha/eventbus';
import { AuthService, createAuthConfig } from '@hypha/auth';
import { HyphaCore, MANAGER_METHODS, createManagerService } from '../src/index.js';

/** Declared parameter names of an arrow function `(a: any, b: any) => ...` compiled to JS. */
function declaredParams(fn: (...args: never[]) => unknown): string[] {
  const src = fn.toString();
  const open = src.indexOf('(');
  const close = src.indexOf(')', open);
  return src
    .slice(open + 1, close)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function managerService(): Record<string, any> {
  const core = new HyphaCore({
    bus: new MemoryEventBus(),
    auth: new AuthService({ config: createAuthConfig({ jwtSecret: 'manager-schemas-test-secret-0123456789' }) }),
    serverId: 'schema-test',
    publicBaseUrl: 'http://127.0.0.1:1',
  });
  return createManagerService(core.manager);
}

describe('manager method schemas', () => {
  it('gives every method a __schema__ and __doc__ whose parameters are its own, without context', () => {
    const svc = managerService();
    for (const name of MANAGER_METHODS) {
      const fn = svc[name];
      const params = declaredParams(fn);
      expect(params.at(-1), name).toBe('context');
      expect(fn.__schema__.name, name).toBe(name);
      expect(fn.__schema__.description, name).toMatch(/\S/);
      expect(fn.__doc__, name).toBe(fn.__schema__.description);
      expect(fn.__schema__.parameters.type, name).toBe('object');
      expect(Object.keys(fn.__schema__.parameters.properties), name).toEqual(params.slice(0, -1));
      for (const prop of Object.values(fn.__schema__.parameters.properties) as Array<Record<string, unknown>>) {
        expect(prop.description, name).toMatch(/\S/);
      }
    }
  });

  it('marks the reference-required parameters as required and keeps the reference defaults', () => {
    const svc = managerService();
    expect(svc.get_service.__schema__.parameters.required).toEqual(['service_id']);
    expect(svc.register_service.__schema__.parameters.required).toEqual(['service']);
    expect(svc.ping.__schema__.parameters.properties.timeout.default).toBe(5);
    expect(svc.list_workspaces.__schema__.parameters.properties.limit.default).toBe(256);
    expect(svc.get_summary.__schema__.parameters).toEqual({ type: 'object', properties: {} });
  });
});
