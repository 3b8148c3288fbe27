import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer, type RunningServer } from '../src/index.js';

// register_service_type answers the type as it was given; get_service_type names it with its
// workspace (the reference's two shapes, which clients compare against).

let server: RunningServer;
let api: any;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
  api = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'types-client' });
});

afterAll(async () => {
  await api?.disconnect();
  await server?.close();
});

describe('service types', () => {
  const info = {
    id: 'my-type',
    name: 'My Type',
    definition: { type: 'object', properties: { name: { type: 'string' } } },
    description: 'A type',
  };

  it('register_service_type returns the type with the id it was given', async () => {
    const registered = await api.registerServiceType(info);
    expect(registered.id).toBe('my-type');
    expect(registered.name).toBe(info.name);
    expect(registered.definition).toEqual(info.definition);
    expect(registered.description).toBe(info.description);
  });

  it('get_service_type names the type with its workspace', async () => {
    const fetched = await api.getServiceType('my-type');
    expect(fetched.id).toBe(`${api.config.workspace}/my-type`);
    expect(fetched.definition).toEqual(info.definition);
  });

  it('refuses a second type with the same id', async () => {
    await expect(api.registerServiceType(info)).rejects.toThrow(/already exists/);
  });
});
