import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { npmHarness } from './compat-helpers/npm-client.js';

// hypha-rpc reads the manager methods' `__schema__` (`_rschema` on the wire, rpc-protocol TV-2):
// its own suites check every method has one, and `connectToServer({webrtc})` copies
// `getService.__schema__.description` when it wraps getService.

const h = npmHarness();
beforeAll(() => h.start());
afterEach(() => h.closeAll());
afterAll(() => h.stop());

describe('manager method schemas (npm hypha-rpc)', () => {
  it('gives every manager method a __schema__ named after its key, with a description and object parameters', async () => {
    const api = await h.connect({ client_id: 'compat-schema' });
    const problems: string[] = [];
    for (const key of ['echo', 'log', 'getService', 'listServices', 'registerService', 'generateToken', 'getWorkspaceInfo', 'ping']) {
      const schema = api[key]?.__schema__;
      if (!schema || typeof schema !== 'object') problems.push(`${key}: __schema__ is ${JSON.stringify(schema)}`);
      else {
        if (schema.name !== key) problems.push(`${key}: __schema__.name is ${JSON.stringify(schema.name)}`);
        if (typeof schema.description !== 'string' || schema.description === '') problems.push(`${key}: no description`);
        if (schema.parameters?.type !== 'object') problems.push(`${key}: parameters is not an object schema`);
        if (schema.parameters?.properties?.context) problems.push(`${key}: exposes the injected context parameter`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes get_service parameters by their reference names (service_id, config)', async () => {
    const api = await h.connect();
    const props = Object.keys(api.getService.__schema__?.parameters?.properties ?? {});
    expect(props).toEqual(expect.arrayContaining(['service_id', 'config']));
  });

  it("connects with webrtc: 'auto' and still reaches services over the websocket", async () => {
    const provider = await h.connect();
    await provider.registerService({ id: 'rtc-fallback', config: { visibility: 'public' }, add: (a: number, b: number) => a + b });
    // Fails today inside connectToServer: `_wm.getService.__schema__.description` of null.
    const api = await h.connect({ webrtc: 'auto' });
    const svc = await api.getService(`${provider.config.workspace}/${provider.config.client_id}:rtc-fallback`);
    expect(await svc.add(2, 3)).toBe(5);
  });
});
