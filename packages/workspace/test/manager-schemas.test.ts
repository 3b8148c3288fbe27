import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryEventBus } from '@hypha/eventbus';
import { AuthService, createAuthConfig } from '@hypha/auth';
import { HyphaCore, MANAGER_METHODS, createManagerService } from '../src/index.js';

// The manager's `__schema__` on the wire, as it was before the methods moved onto `@hypha/service`
// declarations: hypha-rpc clients read it, so a declaration change must not change it.
const WIRE_SCHEMAS = JSON.parse(readFileSync(new URL('./fixtures/manager-schemas.json', import.meta.url), 'utf8')) as Record<
  string,
  { parameters: { properties: Record<string, unknown> } }
>;

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
  it('keeps every method, in order, with the wire __schema__ it had (names, order, defaults, descriptions)', () => {
    const svc = managerService();
    expect(Object.keys(svc).filter((k) => typeof svc[k] === 'function')).toEqual([...MANAGER_METHODS]);
    expect(Object.keys(WIRE_SCHEMAS)).toEqual([...MANAGER_METHODS]);
    for (const name of MANAGER_METHODS) {
      const fn = svc[name];
      const wire = JSON.parse(JSON.stringify(fn.__schema__));
      expect(wire, name).toEqual(WIRE_SCHEMAS[name]);
      expect(Object.keys(wire.parameters.properties), name).toEqual(Object.keys(WIRE_SCHEMAS[name]!.parameters.properties));
      expect(fn.__doc__, name).toBe(fn.__schema__.description);
      // The RPC layer puts the injected context in the slot after the declared parameters.
      expect(fn.length, name).toBe(Object.keys(wire.parameters.properties).length + 1);
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

  it('keeps the service config: public, context required, server info', () => {
    const svc = managerService();
    expect(svc.id).toBe('default');
    expect(svc.config).toMatchObject({ visibility: 'public', require_context: true, server_id: 'schema-test' });
  });
});
