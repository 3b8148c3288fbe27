/**
 * The `a2a-agent` app type: a session connects to the Hypha server as the app's client and
 * registers one `a2a-agent-proxy` service per entry of the manifest's `a2aAgents`.
 */
import { connectToServer } from '@hypha/rpc';
import { SessionWorker } from '@hypha/apps';
import type { AppWorker, LogItem, WorkerStartConfig } from '@hypha/apps';
import { a2aAgentConfigError, connectAgent } from './remote-agent.js';
import type { A2AAgentConfig, RemoteAgent } from './remote-agent.js';

/** The app's own client connection, as far as the worker uses it. */
type AppClient = { registerService(s: Record<string, unknown>): Promise<unknown>; disconnect(): Promise<void> };

/** The `a2aAgents` of a manifest, checked; throws an error naming the bad entry. */
export function a2aAgentsOf(manifest: Record<string, unknown>): Record<string, A2AAgentConfig> {
  const agents = manifest.a2aAgents ?? manifest.a2a_agents;
  if (typeof agents !== 'object' || agents === null || Array.isArray(agents) || Object.keys(agents).length === 0) {
    throw new Error('An a2a-agent app needs a non-empty "a2aAgents" object in its manifest');
  }
  for (const [name, config] of Object.entries(agents)) {
    const problem = a2aAgentConfigError(name, config);
    if (problem) throw new Error(`Invalid manifest: ${problem}`);
  }
  return agents as Record<string, A2AAgentConfig>;
}

/** The text of a message given to `run`: a string, or an A2A message's text parts. */
function messageText(message: unknown): { text: string; data?: unknown } {
  if (typeof message === 'string') return { text: message };
  const parts = (message as { parts?: Array<{ kind?: string; text?: string; data?: unknown }> } | null)?.parts ?? [];
  const data = parts.find((p) => p.kind === 'data')?.data;
  return { text: parts.filter((p) => p.kind === 'text').map((p) => p.text ?? '').join(''), ...(data !== undefined ? { data } : {}) };
}

function kwargText(args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'object' && first !== null && 'text' in first) return String((first as { text: unknown }).text ?? '');
  return first === undefined ? '' : String(first);
}

function proxyService(agent: RemoteAgent, appId: string): Record<string, unknown> {
  const skills = (Array.isArray(agent.card.skills) ? (agent.card.skills as Array<Record<string, unknown>>) : []).map((skill) => {
    const fn = async (...args: unknown[]) => agent.send(kwargText(args));
    Object.defineProperty(fn, '__accepts_kwargs__', { value: true });
    return Object.assign(fn, {
      __schema__: {
        name: String(skill.id ?? skill.name),
        description: String(skill.description ?? ''),
        parameters: { type: 'object', properties: { text: { type: 'string', description: 'The message to the agent' } }, required: ['text'] },
      },
    });
  });
  return {
    id: agent.name,
    name: `A2A Agent: ${agent.name}`,
    description: String(agent.card.description ?? `A2A agent ${agent.name}`),
    type: 'a2a-agent-proxy',
    config: { visibility: 'public' },
    app_id: appId,
    agent_card: agent.card,
    skills,
    run: async (message: unknown) => {
      const { text, data } = messageText(message);
      return agent.send(text, data);
    },
  };
}

export class A2AProxyWorker extends SessionWorker implements AppWorker {
  readonly id: string;
  readonly name = 'A2A proxy worker';
  readonly description = 'Imports remote A2A agents (protocol 0.3) as Hypha services';
  readonly supportedTypes = ['a2a-agent'] as const;
  readonly useLocalUrl = true;

  constructor(options: { id?: string } = {}) {
    super();
    this.id = options.id ?? 'a2a-proxy-worker';
  }

  async start(config: WorkerStartConfig): Promise<string> {
    const agents = a2aAgentsOf(config.manifest);
    const connected: RemoteAgent[] = [];
    for (const [name, agentConfig] of Object.entries(agents)) connected.push(await connectAgent(name, agentConfig));
    const api = (await connectToServer({
      server_url: config.server_url,
      workspace: config.workspace,
      client_id: config.client_id,
      token: config.token,
    } as Parameters<typeof connectToServer>[0])) as unknown as AppClient;
    const logs: LogItem[] = [];
    try {
      for (const agent of connected) {
        await api.registerService(proxyService(agent, config.app_id));
        logs.push({ type: 'info', content: `A2A agent ${agent.name}: ${Array.isArray(agent.card.skills) ? agent.card.skills.length : 0} skills` });
      }
      // Installing an app starts it once and waits for its `default` service.
      await api.registerService({
        id: 'default',
        name: `A2A proxy for ${config.app_id}`,
        config: { visibility: 'public' },
        list_agents: () => connected.map((a) => a.name),
      });
    } catch (err) {
      await api.disconnect();
      throw err;
    }
    this.sessions.add(config.id, { logs, close: () => api.disconnect() });
    return config.id;
  }
}
