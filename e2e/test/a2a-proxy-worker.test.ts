/**
 * The a2a-agent app type's worker: an A2A agent (here a Hypha `a2a` service served by our own
 * A2A route) imported back as an `a2a-agent-proxy` service whose skills and run give the same
 * answers as the original, called with the npm hypha-rpc client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A2AProxyWorker } from '@hypha/worker-a2a-proxy';
import { ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let ts: TestServer;
let user: Server;
const worker = new A2AProxyWorker();
const pool = new ClientPool(() => ts.url);

function reply(text: string): string {
  if (text.startsWith('echo ')) return `Echo: ${text.slice(5)}`;
  if (/^add \d+ and \d+$/.test(text)) return `The sum is: ${text.match(/\d+/g)!.map(Number).reduce((a, b) => a + b)}`;
  return `Hello! You said: ${text}`;
}

async function startConfig(appId: string, a2aAgents: Record<string, unknown>) {
  const ws = user.config.workspace as string;
  const clientId = `${appId}-session`;
  return { id: `${ws}/${clientId}`, app_id: appId, workspace: ws, client_id: clientId, server_url: ts.url, app_files_base_url: '', token: await user.generateToken(), entry_point: null, artifact_id: '', timeout: 30, manifest: { type: 'a2a-agent', a2aAgents } };
}

beforeAll(async () => {
  ts = await startTestServer({ enableA2a: true });
  user = await pool.connect('hypha-rpc', { client_id: 'a2a-proxy-user' });
  const skill = (id: string) => Object.assign(async ({ text }: { text: string }) => reply(text), { __schema__: { name: id, description: id, parameters: { type: 'object', properties: { text: { type: 'string' } } } } });
  await user.registerService({
    id: 'original-agent',
    type: 'a2a',
    config: { visibility: 'public' },
    agent_card: {
      name: 'Original',
      description: 'The agent behind the proxy',
      skills: [
        { id: 'echo', name: 'Echo', description: 'Echoes' },
        { id: 'calculate', name: 'Calculate', description: 'Adds' },
      ],
    },
    skills: [skill('echo'), skill('calculate')],
    run: async (message: { parts: Array<{ kind: string; text?: string }> }) => reply(message.parts.map((p) => p.text ?? '').join('')),
  });
});

afterAll(async () => {
  await worker.shutdown();
  await pool.closeAll();
  await ts?.close();
});

describe('a2a-agent apps through the A2A proxy worker', () => {
  it('gives the same answers as the original agent, through skills and run', async () => {
    const ws = user.config.workspace as string;
    const config = await startConfig('agent-app', { 'test-agent': { url: `${ts.url}/${ws}/a2a/original-agent`, headers: {} } });
    await worker.start(config);
    const proxy = await user.getService(`${config.id}:test-agent`);
    expect(proxy.type).toBe('a2a-agent-proxy');
    expect(proxy.agent_card).toMatchObject({ name: 'Original', protocolVersion: '0.3.0' });
    expect(proxy.skills).toHaveLength(2);
    expect(await proxy.skills[0]({ text: 'echo Hello World' })).toBe('Echo: Hello World');
    expect(await proxy.skills[1]({ text: 'add 5 and 3' })).toBe('The sum is: 8');
    expect(await proxy.run({ role: 'user', parts: [{ kind: 'text', text: 'hi' }] })).toBe('Hello! You said: hi');
    expect(await proxy.run('echo plain string')).toBe('Echo: plain string');
    expect((await worker.getLogs(config.id)).items[0]!.content).toBe('A2A agent test-agent: 2 skills');
    await worker.stop(config.id);
    await expect(user.getService(`${config.id}:test-agent`)).rejects.toThrow();
  });

  it('refuses an agent that is down and bad manifests with errors that name them', async () => {
    await expect(worker.start(await startConfig('down-app', { gone: { url: 'http://127.0.0.1:9/a2a/x' } }))).rejects.toThrow(
      'Cannot reach A2A agent gone at http://127.0.0.1:9/a2a/x/.well-known/agent-card.json',
    );
    await expect(worker.start(await startConfig('bad-app', { x: { url: 'ftp://nope' } }))).rejects.toThrow('a2aAgents.x.url must be an http(s) URL');
    await expect(worker.start(await startConfig('empty-app', {}))).rejects.toThrow('needs a non-empty "a2aAgents"');
  });
});
