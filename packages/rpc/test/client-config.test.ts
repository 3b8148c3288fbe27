import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../src/client/client-config.js';
import { parseServiceUrl } from '../src/client/service-url.js';

const fixedId = () => 'generated-id';

describe('resolveServerConfig', () => {
  it('accepts camelCase forms of hypha-rpc keys', () => {
    const config = resolveServerConfig(
      { serverUrl: 'http://h', clientId: 'c', methodTimeout: 5, reconnectionToken: 'r', pingInterval: 10, workspace: 'w' },
      fixedId,
    );
    expect(config).toMatchObject({
      server_url: 'http://h',
      client_id: 'c',
      method_timeout: 5,
      reconnection_token: 'r',
      ping_interval: 10,
      workspace: 'w',
      transport: 'websocket',
    });
  });

  it('generates a client id and reads the legacy server object', () => {
    const config = resolveServerConfig({ server: { url: 'https://h' } }, fixedId);
    expect(config.server_url).toBe('https://h');
    expect(config.client_id).toBe('generated-id');
  });

  it('names the problem in bad input', () => {
    expect(() => resolveServerConfig({ token: 't' }, fixedId)).toThrow('server_url is required');
    expect(() => resolveServerConfig({ server_url: 'http://a', serverUrl: 'http://b' }, fixedId)).toThrow(
      'Conflicting values for config key server_url',
    );
    expect(() => resolveServerConfig({ server_url: 'http://h', client_id: 'a/b' }, fixedId)).toThrow('Invalid client_id: a/b');
    expect(() => resolveServerConfig({ server_url: 'http://h', method_timeout: -1 }, fixedId)).toThrow('Invalid method_timeout: -1');
    expect(() => resolveServerConfig({ server_url: 'http://h', transport: 'smoke' as any }, fixedId)).toThrow('Invalid transport: smoke');
    expect(() => resolveServerConfig({ server_url: 'http://h', webrtc: true }, fixedId)).toThrow('webrtc: WebRTC is not supported');
  });
});

describe('parseServiceUrl', () => {
  it('splits a service url like hypha-rpc', () => {
    expect(parseServiceUrl('https://hypha.aicell.io/public/services/hypha-login')).toEqual({
      serverUrl: 'https://hypha.aicell.io',
      workspace: 'public',
      clientId: '*',
      serviceId: 'hypha-login',
      appId: '*',
    });
    expect(parseServiceUrl('http://127.0.0.1:9527/my-ws/services/c1:echo@app1/')).toEqual({
      serverUrl: 'http://127.0.0.1:9527',
      workspace: 'my-ws',
      clientId: 'c1',
      serviceId: 'echo',
      appId: 'app1',
    });
    expect(() => parseServiceUrl('https://h/ws/apps/x')).toThrow('Service URL does not match');
  });
});
