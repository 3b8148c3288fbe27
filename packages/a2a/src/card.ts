/**
 * The A2A 0.3 agent card of a Hypha service: its `agent_card` (an object, or a function returning
 * one) with snake_case keys turned camelCase, completed with the reference's defaults.
 */
export type HyphaAgentService = Record<string, unknown> & { id?: string; name?: string; description?: string; type?: string };

export type AgentCardJson = Record<string, unknown> & {
  protocolVersion: string;
  name: string;
  description: string;
  url: string;
  version: string;
  capabilities: Record<string, unknown>;
  defaultInputModes: string[];
  defaultOutputModes: string[];
  skills: Array<Record<string, unknown>>;
};

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Turns every snake_case key camelCase, recursively (values are left alone). */
export function camelKeys(value: unknown, depth = 0): unknown {
  if (depth > 32) throw new Error('agent_card is nested too deeply');
  if (Array.isArray(value)) return value.map((v) => camelKeys(v, depth + 1));
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[camel(key)] = camelKeys(v, depth + 1);
  return out;
}

/** Reads the service's `agent_card`, calling it when it is a function. */
export async function rawAgentCard(service: HyphaAgentService): Promise<Record<string, unknown>> {
  const source = service.agent_card ?? service.agentCard;
  const card = typeof source === 'function' ? await (source as () => unknown)() : source;
  if (card === undefined || card === null) return {};
  if (typeof card !== 'object' || Array.isArray(card)) {
    throw new TypeError(`agent_card of service ${String(service.id)} must be an object (or a function returning one), got ${typeof card}`);
  }
  return card as Record<string, unknown>;
}

export async function buildAgentCard(service: HyphaAgentService, endpointUrl: string): Promise<AgentCardJson> {
  const given = camelKeys(await rawAgentCard(service)) as Record<string, unknown>;
  const description = String(given.description ?? service.description ?? `Hypha service ${String(service.id)} as an A2A agent`);
  const skills = Array.isArray(given.skills) && given.skills.length > 0
    ? (given.skills as Array<Record<string, unknown>>)
    : [{ id: 'chat', name: 'Chat', description, examples: ['hello', 'help'] }];
  return {
    ...given,
    protocolVersion: String(given.protocolVersion ?? '0.3.0'),
    name: String(given.name ?? service.name ?? service.id ?? 'agent'),
    description,
    url: String(given.url ?? endpointUrl),
    version: String(given.version ?? '1.0.0'),
    preferredTransport: given.preferredTransport ?? 'JSONRPC',
    capabilities: { streaming: true, pushNotifications: false, stateTransitionHistory: false, ...(given.capabilities as object | undefined) },
    defaultInputModes: (given.defaultInputModes as string[] | undefined) ?? ['text'],
    defaultOutputModes: (given.defaultOutputModes as string[] | undefined) ?? ['text'],
    skills: skills.map((s) => ({ ...s, tags: Array.isArray(s.tags) ? s.tags : ['chat'] })),
  };
}
