/**
 * One remote A2A agent (protocol 0.3), reached with the official SDK's v0.3 JSON-RPC client
 * transport, turned into a Hypha service of type `a2a-agent-proxy`: `run(message)` and one skill
 * function per card skill (`skill(text)`), each answering with the agent's text.
 */
import { randomUUID } from 'node:crypto';
import { LegacyJsonRpcTransport, parseLegacyAgentCard } from '@a2a-js/sdk/compat/v0_3/client';
import { Role } from '@a2a-js/sdk';
import type { Message, Part, SendMessageResult, Task } from '@a2a-js/sdk';

/** An `a2aAgents` entry of an `a2a-agent` app manifest. */
export interface A2AAgentConfig {
  url: string;
  headers?: Record<string, string>;
}

export function a2aAgentConfigError(name: string, raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `a2aAgents.${name} must be an object`;
  const url = (raw as A2AAgentConfig).url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return `a2aAgents.${name}.url must be an http(s) URL`;
  return null;
}

export interface RemoteAgent {
  name: string;
  /** The card as the agent serves it (A2A 0.3 JSON). */
  card: Record<string, unknown>;
  send(text: string, data?: unknown): Promise<string>;
}

const withHeaders = (headers: Record<string, string> | undefined): typeof fetch =>
  headers && Object.keys(headers).length > 0 ? (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as object), ...headers } }) : fetch;

/** Fetches the agent card; an agent that is down or serves no card gives an error naming it. */
export async function connectAgent(name: string, config: A2AAgentConfig): Promise<RemoteAgent> {
  const base = config.url.replace(/\/+$/, '');
  const cardUrl = /\.json$/.test(base) ? base : `${base}/.well-known/agent-card.json`;
  const doFetch = withHeaders(config.headers);
  let card: Record<string, unknown>;
  try {
    const res = await doFetch(cardUrl);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    card = (await res.json()) as Record<string, unknown>;
    parseLegacyAgentCard(card);
  } catch (err) {
    throw new Error(`Cannot reach A2A agent ${name} at ${cardUrl}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const endpoint = typeof card.url === 'string' && card.url ? card.url : `${base}/`;
  const transport = new LegacyJsonRpcTransport({ endpoint, fetchImpl: doFetch });
  return {
    name,
    card,
    async send(text, data) {
      const parts: Part[] = [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' }];
      if (data !== undefined) parts.push({ content: { $case: 'data', value: data }, metadata: undefined, filename: '', mediaType: '' });
      const message: Message = { messageId: randomUUID(), contextId: '', taskId: '', role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [] };
      return resultText(await transport.sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined }));
    },
  };
}

const partsText = (parts: Part[] | undefined): string =>
  (parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : p.content?.$case === 'data' ? JSON.stringify(p.content.value) : '')).join('');

/** The text of an answer: a message's parts, or a task's artifacts, else its last status message. */
export function resultText(result: SendMessageResult): string {
  if ('role' in result) return partsText(result.parts);
  const task = result as Task;
  const fromArtifacts = task.artifacts.map((a) => partsText(a.parts)).join('');
  return fromArtifacts || partsText(task.status?.message?.parts);
}
